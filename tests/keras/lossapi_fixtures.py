"""Keras fixtures of loss objects, metric strings, regularizers and evaluate
(issue 14), read by tests/lossapi.rs. Run through gen_fixtures.py:

    .venv-tf/bin/python tests/keras/gen_fixtures.py lossapi

Models are described as in gen_fixtures.py (dense/conv specs) and given
weights from a seeded numpy generator; every expected number is what Keras
computes on them.
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


LOSSES = keras.losses


def loss_object_cases(rng):
    """Each loss class on given arrays, with and without logits, as
    `loss_fn(y_true, y_pred)`."""
    cases = []

    def case(cls, kwargs, y_true, y_pred):
        fn = getattr(LOSSES, cls)(**kwargs)
        cases.append(
            {
                "class": cls,
                "args": kwargs,
                "y_true": enc(y_true),
                "y_pred": enc(y_pred),
                "value": float(np.float32(fn(y_true, y_pred))),
                "config": {k: v for k, v in fn.get_config().items() if k in ("name", "from_logits", "label_smoothing")},
            }
        )

    logits = rng.normal(size=(6, 10)).astype(F32) * 2
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = rng.integers(0, 10, size=(6,))
    onehot = np.eye(10, dtype=F32)[labels]
    # The TF quickstart: one sample, an untrained model's logits.
    case("SparseCategoricalCrossentropy", {"from_logits": True}, labels[:1].astype(F32), logits[:1] * 0.1)
    for fl in (False, True):
        case("SparseCategoricalCrossentropy", {"from_logits": fl}, labels.astype(F32), logits if fl else probs)
        case("SparseCategoricalCrossentropy", {"from_logits": fl}, labels.reshape(6, 1).astype(F32), logits if fl else probs)
        case("CategoricalCrossentropy", {"from_logits": fl}, onehot, logits if fl else probs)
        case("CategoricalCrossentropy", {"from_logits": fl, "label_smoothing": 0.1}, onehot, logits if fl else probs)
    z = rng.normal(size=(5, 3)).astype(F32) * 3
    t = rng.integers(0, 2, size=(5, 3)).astype(F32)
    for fl in (False, True):
        p = z if fl else (1 / (1 + np.exp(-z))).astype(F32)
        case("BinaryCrossentropy", {"from_logits": fl}, t, p)
        case("BinaryCrossentropy", {"from_logits": fl, "label_smoothing": 0.2}, t, p)
        case("BinaryCrossentropy", {"from_logits": fl}, t[:, 0], p[:, :1])
    a = rng.normal(size=(4, 3)).astype(F32)
    b = rng.normal(size=(4, 3)).astype(F32)
    for cls in ("MeanSquaredError", "MeanAbsoluteError"):
        case(cls, {}, a, b)
        case(cls, {}, a[:, 0], b[:, :1])
    return cases


def dense(units, activation="linear", **reg):
    return {"type": "Dense", "units": units, "activation": activation, **reg}


def conv(filters, k, activation="linear", **reg):
    return {"type": "Conv2D", "filters": filters, "kernel_size": [k, k], "activation": activation, **reg}


def make_reg(spec):
    if spec is None:
        return None
    cls = spec["class_name"]
    return getattr(keras.regularizers, cls)(**spec["config"])


def build(input_shape, specs):
    model = keras.Sequential([keras.Input(tuple(input_shape))])
    for s in specs:
        kw = {}
        for key in ("kernel_regularizer", "bias_regularizer"):
            if s.get(key):
                kw[key] = make_reg(s[key])
        if s["type"] == "Dense":
            model.add(layers.Dense(s["units"], activation=s["activation"], **kw))
        elif s["type"] == "Conv2D":
            model.add(layers.Conv2D(s["filters"], tuple(s["kernel_size"]), activation=s["activation"], **kw))
        elif s["type"] == "Flatten":
            model.add(layers.Flatten())
    return model


def weights_for(model, rng):
    return [(rng.normal(size=w.shape) * 0.5).astype(F32) for w in model.get_weights()]


def loss_arg(spec):
    if isinstance(spec, str):
        return spec
    return getattr(LOSSES, spec["class"])(**spec["args"])


def metric_cases(rng):
    """Each metric string through compile and evaluate (return_dict), and
    the names fit logs."""
    plans = [
        # (name, input, layers, loss, metrics, target kind)
        ("sparse8", [5], [dense(8, "softmax")], "sparse_categorical_crossentropy",
         ["sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy", "Accuracy", "acc", "ACC"], "sparse"),
        ("sparse8_col", [5], [dense(8, "softmax")], "sparse_categorical_crossentropy",
         ["mae", "mse", "sparse_top_k_categorical_accuracy", "accuracy"], "sparse_col"),
        ("onehot8", [5], [dense(8, "softmax")], "categorical_crossentropy",
         ["categorical_crossentropy", "top_k_categorical_accuracy", "binary_crossentropy", "mae", "mse",
          "mean_absolute_error", "MeanSquaredError", "categorical_accuracy"], "onehot"),
        ("binary", [5], [dense(3, "relu"), dense(1, "sigmoid")], "binary_crossentropy",
         ["binary_crossentropy", "bce", "accuracy", "binary_accuracy", "mse"], "binary"),
        ("regression", [5], [dense(2)], "mse", ["mae", "mse", "MAE"], "regression"),
    ]
    cases = []
    for name, input_shape, specs, loss, metrics, kind in plans:
        keras.backend.clear_session()
        model = build(input_shape, specs)
        w = weights_for(model, rng)
        model.set_weights(w)
        n = 40
        x = rng.normal(size=[n] + input_shape).astype(F32)
        units = specs[-1]["units"]
        if kind == "sparse":
            y = rng.integers(0, units, size=(n,)).astype(F32)
        elif kind == "sparse_col":
            y = rng.integers(0, units, size=(n, 1)).astype(F32)
        elif kind == "onehot":
            y = np.eye(units, dtype=F32)[rng.integers(0, units, size=(n,))]
        elif kind == "binary":
            y = rng.integers(0, 2, size=(n, 1)).astype(F32)
        else:
            y = rng.normal(size=(n, units)).astype(F32)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, metrics=metrics)
        scores = model.evaluate(x, y, verbose=0, return_dict=True)
        listed = model.evaluate(x, y, verbose=0, batch_size=7)
        hist = model.fit(x, y, epochs=1, batch_size=40, verbose=0, shuffle=False)
        cases.append(
            {
                "name": name,
                "input_shape": input_shape,
                "layers": specs,
                "weights": [enc(a) for a in w],
                "loss": loss,
                "metrics": metrics,
                "x": enc(x),
                "y": enc(y),
                "evaluate": {k: float(np.float32(v)) for k, v in scores.items()},
                "evaluate_list": [float(np.float32(v)) for v in np.atleast_1d(listed)],
                "fit_history": {k: float(np.float32(v[0])) for k, v in hist.history.items()},
            }
        )
    return cases


def train_cases(rng):
    """Loss objects and regularizers in compile: three train_on_batch steps
    (loss before each step, weights after), then evaluate and a fit epoch
    with validation data (val_loss includes the penalty)."""
    L1 = lambda v: {"class_name": "L1", "config": {"l1": v}}  # noqa: E731
    L2 = lambda v: {"class_name": "L2", "config": {"l2": v}}  # noqa: E731
    L1L2 = lambda a, b: {"class_name": "L1L2", "config": {"l1": a, "l2": b}}  # noqa: E731
    plans = [
        ("scce_logits", [4], [dense(6, "relu"), dense(5)],
         {"class": "SparseCategoricalCrossentropy", "args": {"from_logits": True}}, ["accuracy"], "sparse"),
        ("cce_logits_smooth", [4], [dense(5)],
         {"class": "CategoricalCrossentropy", "args": {"from_logits": True, "label_smoothing": 0.1}}, ["accuracy"], "onehot"),
        ("cce_softmax_smooth", [4], [dense(5, "softmax")],
         {"class": "CategoricalCrossentropy", "args": {"label_smoothing": 0.2}}, ["accuracy"], "onehot"),
        ("bce_logits", [4], [dense(3, "tanh"), dense(1)],
         {"class": "BinaryCrossentropy", "args": {"from_logits": True}}, ["accuracy"], "binary"),
        ("bce_logits_smooth", [4], [dense(2)],
         {"class": "BinaryCrossentropy", "args": {"from_logits": True, "label_smoothing": 0.1}}, [], "binary2"),
        ("mse_object", [4], [dense(2)], {"class": "MeanSquaredError", "args": {}}, ["mae"], "regression"),
        ("mae_class_string", [4], [dense(2)], "MeanAbsoluteError", [], "regression"),
        ("scce_class_string", [4], [dense(5, "softmax")], "SparseCategoricalCrossentropy", ["accuracy"], "sparse"),
        ("l2_dense", [4], [dense(6, "relu", kernel_regularizer=L2(0.01), bias_regularizer=L1(0.02)),
                           dense(5, "softmax", kernel_regularizer=L1L2(0.01, 0.02))],
         "sparse_categorical_crossentropy", ["accuracy"], "sparse"),
        ("l2_regression", [4], [dense(3, kernel_regularizer=L2(0.1))], "mse", ["mae"], "regression"),
        ("l1_conv", [6, 6, 2], [conv(3, 3, "relu", kernel_regularizer=L1(0.01), bias_regularizer=L2(0.05)),
                                {"type": "Flatten"}, dense(4, "softmax", kernel_regularizer=L2(0.001))],
         "sparse_categorical_crossentropy", ["accuracy"], "sparse"),
    ]
    cases = []
    for name, input_shape, specs, loss, metrics, kind in plans:
        keras.backend.clear_session()
        model = build(input_shape, specs)
        w = weights_for(model, rng)
        model.set_weights(w)
        units = specs[-1]["units"]
        n = 8

        def target(n):
            if kind == "sparse":
                return rng.integers(0, units, size=(n,)).astype(F32)
            if kind == "onehot":
                return np.eye(units, dtype=F32)[rng.integers(0, units, size=(n,))]
            if kind in ("binary", "binary2"):
                return rng.integers(0, 2, size=(n, units)).astype(F32)
            return rng.normal(size=(n, units)).astype(F32)

        xs = [rng.normal(size=[n] + input_shape).astype(F32) for _ in range(3)]
        ys = [target(n) for _ in range(3)]
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss_arg(loss), metrics=metrics)
        steps = []
        for x, y in zip(xs, ys):
            logs = model.train_on_batch(x, y, return_dict=True)
            steps.append({"loss": float(np.float32(logs["loss"])), "metrics": [float(np.float32(logs[m])) for m in metrics]})
        penalty = float(np.float32(sum(float(l) for l in model.losses))) if model.losses else 0.0
        after = [enc(a) for a in model.get_weights()]
        xe = rng.normal(size=[10] + input_shape).astype(F32)
        ye = target(10)
        ev = model.evaluate(xe, ye, verbose=0, return_dict=True)
        hist = model.fit(xs[0], ys[0], epochs=1, batch_size=8, shuffle=False, verbose=0, validation_data=(xe, ye))
        cases.append(
            {
                "name": name,
                "input_shape": input_shape,
                "layers": specs,
                "weights": [enc(a) for a in w],
                "loss": loss,
                "metrics": metrics,
                "train_x": [enc(x) for x in xs],
                "train_y": [enc(y) for y in ys],
                "steps": steps,
                "weights_after": after,
                "penalty_after": penalty,
                "eval_x": enc(xe),
                "eval_y": enc(ye),
                "evaluate": {k: float(np.float32(v)) for k, v in ev.items()},
                "fit_history": {k: float(np.float32(v[0])) for k, v in hist.history.items()},
            }
        )
    return cases


def main(out_dir):
    rng = np.random.default_rng(1414)
    doc = {
        "keras_version": keras.__version__,
        "loss_objects": loss_object_cases(rng),
        "metrics": metric_cases(rng),
        "train": train_cases(rng),
    }
    path = os.path.join(out_dir, "lossapi.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"lossapi: {os.path.getsize(path)} bytes")
