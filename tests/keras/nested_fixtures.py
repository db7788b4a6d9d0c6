"""Keras fixtures of a model used as a layer, and of losses and metrics on
targets whose rank differs from the outputs' by a trailing 1 (issue 15),
read by tests/nested.rs. Run through gen_fixtures.py:

    .venv-tf/bin/python tests/keras/gen_fixtures.py nested

Each nested case is described once here (CASES) and rebuilt by the Rust
test from the same description; weights come from a seeded numpy
generator, and every expected number is what Keras computes.
"""

import json
import os

import numpy as np
import keras
from keras import layers

F32 = np.float32


def enc(a):
    a = np.asarray(a, dtype=F32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


# A case: the inner model (its layers, input shape or None for a deferred
# build, frozen or not), the outer model's layers before and after it, and
# how it is trained. Layer specs: ["dense", units, activation] or ["bn"].
CASES = [
    {
        # TF's quickstart: a trained model, then a Softmax on top
        "name": "probability_model",
        "inner": {"input": [4], "layers": [["dense", 5, "relu"], ["dense", 3, "linear"]], "trainable": True},
        "before": [],
        "after": [["softmax"]],
        "input": [4],
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
        "targets": "sparse_col",
        "optimizer": "adam",
    },
    {
        # Chollet's transfer learning: a frozen base with a batch
        # normalization, and a new head
        "name": "frozen_base",
        "inner": {
            "input": [4],
            "layers": [["dense", 6, "relu"], ["bn"], ["dense", 5, "tanh"]],
            "trainable": False,
        },
        "before": [],
        "after": [["dense", 3, "softmax"]],
        "input": [4],
        "loss": "categorical_crossentropy",
        "metrics": ["accuracy"],
        "targets": "onehot",
        "optimizer": "adam",
    },
    {
        # fine-tuning: the base in the middle, trainable, its batch
        # normalization in training mode; (n,) targets on a (n, 1) output
        "name": "trainable_middle",
        "inner": {
            "input": None,
            "layers": [["dense", 6, "relu"], ["bn"], ["dense", 4, "tanh"]],
            "trainable": True,
        },
        "before": [["dense", 5, "relu"]],
        "after": [["dense", 1, "sigmoid"]],
        "input": [3],
        "loss": "binary_crossentropy",
        "metrics": ["accuracy", "mse"],
        "targets": "binary_flat",
        "optimizer": "rmsprop",
    },
    {
        # the inner model last, its softmax the outer model's output
        "name": "inner_last_softmax",
        "inner": {"input": None, "layers": [["dense", 4, "relu"], ["dense", 3, "softmax"]], "trainable": True},
        "before": [["dense", 5, "tanh"]],
        "after": [],
        "input": [3],
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
        "targets": "sparse",
        "optimizer": "sgd",
    },
]


def keras_layer(spec):
    if spec[0] == "dense":
        return layers.Dense(spec[1], activation=spec[2])
    if spec[0] == "bn":
        return layers.BatchNormalization()
    if spec[0] == "softmax":
        return layers.Softmax()
    raise ValueError(spec)


def build(case):
    inner = keras.Sequential()
    if case["inner"]["input"] is not None:
        inner.add(keras.Input(shape=tuple(case["inner"]["input"])))
    for s in case["inner"]["layers"]:
        inner.add(keras_layer(s))
    outer = keras.Sequential()
    outer.add(keras.Input(shape=tuple(case["input"])))
    for s in case["before"]:
        outer.add(keras_layer(s))
    outer.add(inner)
    for s in case["after"]:
        outer.add(keras_layer(s))
    inner.trainable = case["inner"]["trainable"]
    return outer


def weights_for(model, rng):
    out = []
    for var, w in zip(model.weights, model.get_weights()):
        if "variance" in var.path:
            out.append(rng.uniform(0.5, 1.5, size=w.shape).astype(F32))
        elif w.ndim >= 2:
            limit = 1.5 * np.sqrt(6.0 / (w.shape[0] + w.shape[1]))
            out.append(rng.uniform(-limit, limit, size=w.shape).astype(F32))
        else:
            out.append(rng.uniform(-0.2, 0.2, size=w.shape).astype(F32))
    return out


def targets(rng, kind, units, n):
    if kind.startswith("sparse"):
        y = rng.integers(0, units, size=(n,)).astype(np.int32)
        return y.reshape(n, 1) if kind == "sparse_col" else y
    if kind == "onehot":
        return np.eye(units, dtype=F32)[rng.integers(0, units, size=(n,))]
    return rng.integers(0, 2, size=(n,)).astype(F32)


def optimizer(name):
    return {"adam": keras.optimizers.Adam(0.01), "rmsprop": keras.optimizers.RMSprop(0.01),
            "sgd": keras.optimizers.SGD(0.1)}[name]


def nested_case(i, case):
    rng = np.random.default_rng(500 + i)
    keras.backend.clear_session()
    model = build(case)
    init = weights_for(model, rng)
    model.set_weights(init)
    n = 6
    x = rng.normal(size=(n, *case["input"])).astype(F32)
    preds = model.predict(x, verbose=0)
    units = int(preds.shape[-1])
    xs = [rng.normal(size=(n, *case["input"])).astype(F32) for _ in range(3)]
    ys = [targets(rng, case["targets"], units, n) for _ in range(3)]
    rows, h = [], x
    for l in model.layers:
        h = l(h)
        rows.append((l.name, list(h.shape[1:]), int(l.count_params())))
    model.compile(optimizer=optimizer(case["optimizer"]), loss=case["loss"], metrics=case["metrics"])
    steps = []
    for xb, yb in zip(xs, ys):
        logs = model.train_on_batch(xb, yb, return_dict=True)
        steps.append({"loss": float(F32(logs["loss"])), "metrics": [float(F32(logs[m])) for m in case["metrics"]]})
    return {
        **case,
        "row_shapes": [r[1] for r in rows],
        "row_params": [r[2] for r in rows],
        "total_params": int(model.count_params()),
        "trainable_params": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "non_trainable_params": int(sum(np.prod(w.shape) for w in model.non_trainable_weights)),
        "weights": [enc(w) for w in init],
        "x": enc(x),
        "predictions": enc(preds),
        "train_x": [enc(v) for v in xs],
        "train_y": [enc(v) for v in ys],
        "steps": steps,
        "weights_after": [enc(w) for w in model.get_weights()],
        "predictions_after": enc(model.predict(x, verbose=0)),
    }


def loss_rank_cases(rng):
    """Loss objects and functions on targets and predictions whose ranks
    differ by a trailing 1 (Keras' squeeze_or_expand_to_same_rank)."""
    cases = []
    n = 5
    p1 = rng.uniform(0.05, 0.95, size=(n, 1)).astype(F32)
    t1 = rng.integers(0, 2, size=(n, 1)).astype(F32)
    p5 = rng.uniform(0.05, 0.95, size=(n, 4, 1)).astype(F32)
    t5 = rng.integers(0, 2, size=(n, 4, 1)).astype(F32)
    soft = rng.uniform(0.05, 1.0, size=(n, 4)).astype(F32)
    soft /= soft.sum(-1, keepdims=True)
    onehot = np.eye(4, dtype=F32)[rng.integers(0, 4, size=(n,))]
    labels = rng.integers(0, 4, size=(n,)).astype(np.int32)
    soft3 = rng.uniform(0.05, 1.0, size=(2, 3, 4)).astype(F32)
    soft3 /= soft3.sum(-1, keepdims=True)
    labels3 = rng.integers(0, 4, size=(2, 3, 1)).astype(np.int32)
    pairs = []
    for loss in ("mse", "mae", "binary_crossentropy"):
        pairs += [
            (loss, t1[:, 0], p1),  # (n,) targets, (n, 1) predictions
            (loss, t1, p1[:, 0]),  # (n, 1) targets, (n,) predictions
            (loss, t5[..., 0], p5),  # (n, 4) targets, (n, 4, 1) predictions: squeezed
            (loss, t5, p5[..., 0]),  # (n, 4, 1) targets, (n, 4) predictions: squeezed
        ]
    pairs += [
        ("categorical_crossentropy", onehot, soft[..., None]),  # (n,4) vs (n,4,1)
        ("categorical_crossentropy", onehot[..., None], soft),  # (n,4,1) vs (n,4)
        ("sparse_categorical_crossentropy", labels, soft),
        ("sparse_categorical_crossentropy", labels.reshape(n, 1), soft),
        ("sparse_categorical_crossentropy", labels3, soft3),
    ]
    classes = {
        "mse": keras.losses.MeanSquaredError,
        "mae": keras.losses.MeanAbsoluteError,
        "binary_crossentropy": keras.losses.BinaryCrossentropy,
        "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
        "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
    }
    for loss, t, p in pairs:
        case = {"loss": loss, "y_true": enc(t), "y_pred": enc(p)}
        try:
            case["value"] = float(F32(classes[loss]()(t, p)))
        except Exception as e:  # Keras refuses the shapes
            case["error"] = type(e).__name__ + ": " + str(e).splitlines()[0]
        cases.append(case)
    return cases


def metric_rank_cases(rng):
    """evaluate() of a one-layer model on targets with a trailing 1 less
    or more than its outputs: the loss and each metric, as Keras reports."""
    cases = []
    n = 7
    for units, act, loss, targets_kind, metrics in [
        (1, "sigmoid", "binary_crossentropy", "flat", ["accuracy", "binary_accuracy", "mse", "mae"]),
        # the binary_crossentropy metric does not squeeze or expand: Keras
        # refuses (n,) targets on (n, 1) outputs
        (1, "sigmoid", "binary_crossentropy", "flat", ["binary_crossentropy"]),
        (1, "sigmoid", "binary_crossentropy", "col", ["binary_crossentropy"]),
        (1, "sigmoid", "mse", "flat", ["accuracy", "mae"]),
        (1, "linear", "mae", "flat", ["mse"]),
        (4, "softmax", "sparse_categorical_crossentropy", "sparse_col",
         ["accuracy", "sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy",
          "sparse_categorical_crossentropy"]),
        (4, "softmax", "sparse_categorical_crossentropy", "sparse",
         ["accuracy", "sparse_categorical_accuracy", "sparse_categorical_crossentropy"]),
        # outputs (n, 4, 1) (a Reshape last) on (n, 4) targets: Keras
        # squeezes the outputs for the loss
        (4, "softmax", "categorical_crossentropy", "onehot_reshape", ["mse"]),
        (4, "sigmoid", "binary_crossentropy", "binary_reshape", ["mae"]),
    ]:
        keras.backend.clear_session()
        model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(units, activation=act)])
        if targets_kind.endswith("_reshape"):
            model.add(layers.Reshape((units, 1)))
        w = [rng.uniform(-1, 1, size=v.shape).astype(F32) for v in model.get_weights()]
        model.set_weights(w)
        x = rng.normal(size=(n, 3)).astype(F32)
        if targets_kind in ("flat", "col"):
            y = rng.integers(0, 2, size=(n,)).astype(F32)
            if targets_kind == "col":
                y = y.reshape(n, 1)
        elif targets_kind == "onehot_reshape":
            y = np.eye(units, dtype=F32)[rng.integers(0, units, size=(n,))]
        elif targets_kind == "binary_reshape":
            y = rng.integers(0, 2, size=(n, units)).astype(F32)
        else:
            y = rng.integers(0, units, size=(n,)).astype(np.int32)
            if targets_kind == "sparse_col":
                y = y.reshape(n, 1)
        model.compile(optimizer="sgd", loss=loss, metrics=metrics)
        case = {"units": units, "activation": act, "loss": loss, "metrics": metrics,
                "reshape": targets_kind.endswith("_reshape"),
                "weights": [enc(v) for v in w], "x": enc(x), "y": enc(y)}
        try:
            out = model.evaluate(x, y, verbose=0, return_dict=True)
            case["loss_value"] = float(F32(out["loss"]))
            case["metric_values"] = [float(F32(out[m])) for m in metrics]
        except Exception as e:
            case["error"] = type(e).__name__ + ": " + str(e).splitlines()[0]
        cases.append(case)
    return cases


def main(out_dir):
    rng = np.random.default_rng(77)
    doc = {
        "keras_version": keras.__version__,
        "nested": [nested_case(i, c) for i, c in enumerate(CASES)],
        "loss_ranks": loss_rank_cases(rng),
        "metric_ranks": metric_rank_cases(rng),
    }
    path = os.path.join(out_dir, "nested.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"nested: {os.path.getsize(path)} bytes")
