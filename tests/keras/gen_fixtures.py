#!/usr/bin/env python
"""Writes the Keras reference fixtures that tests/keras_parity.rs reads.

Run with the TensorFlow venv (TF 2.21, Keras 3.15, CPU only):

    .venv-tf/bin/python tests/keras/gen_fixtures.py

Every expected number in tests/fixtures/*.json comes from real Keras: the
architectures are described once here (NETS), built in Keras, given weights
drawn from a seeded numpy generator, and then asked for their output shapes,
parameter counts, predictions, losses (keras.losses on given arrays) and
three `train_on_batch` steps per optimizer and loss. The Rust test rebuilds
each model with kerust from the same description and compares.

Array encoding (all floats are float32 values written as `repr(float(x))`):
  {"shape": [...], "data": [...]}                         plain values
  {"shape": [...], "ints": [...], "scale": s}             value = int * s, s a
                                                          power of two (exact);
                                                          used for the big nets'
                                                          initial weights
  {"shape": [...], "base": "initial", "index": [...], "data": [...]}
                                                          weights after training:
                                                          equal (bitwise) to the
                                                          initial weights except
                                                          at the listed flat
                                                          indices; written only
                                                          when shorter
"""

import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "fixtures")

F32 = np.float32


# ---------------------------------------------------------------- encoding


def enc(a):
    a = np.asarray(a, dtype=F32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


def enc_ints(ints, scale):
    ints = np.asarray(ints)
    return {"shape": list(ints.shape), "ints": [int(v) for v in ints.ravel()], "scale": scale}


def enc_after(after, before):
    after = np.asarray(after, dtype=F32)
    before = np.asarray(before, dtype=F32)
    changed = np.flatnonzero(after.ravel().view(np.uint32) != before.ravel().view(np.uint32))
    if len(changed) * 2 < after.size:
        flat = after.ravel()
        return {
            "shape": list(after.shape),
            "base": "initial",
            "index": [int(i) for i in changed],
            "data": [float(flat[i]) for i in changed],
        }
    return enc(after)


def enc_labels(y):
    y = np.asarray(y)
    return {"shape": list(y.shape), "data": [float(v) for v in y.ravel()]}


# ---------------------------------------------------------------- networks
#
# A net: input shape, how the input is declared ("input_shape" on the first
# layer, "Input" as a Sequential's first layer, or "functional"), and its
# layers. Everything the Rust side needs to rebuild it is in the fixture.


def dense(units, activation="linear"):
    return {"type": "Dense", "units": units, "activation": activation}


def act(activation):
    return {"type": "Activation", "activation": activation}


def size2(v):
    """An integer size stays an integer (kerust's `Conv2D::new(32, 3)`)."""
    return v if isinstance(v, int) else list(v)


def conv(filters, k, activation="linear", strides=(1, 1), padding="valid"):
    return {
        "type": "Conv2D",
        "filters": filters,
        "kernel_size": size2(k),
        "strides": size2(strides),
        "padding": padding,
        "activation": activation,
    }


def pool(p):
    return {"type": "MaxPooling2D", "pool_size": size2(p)}


def keras_size(v):
    return v if isinstance(v, int) else tuple(v)


FLATTEN = {"type": "Flatten"}

# Optimizers: Keras objects with explicit arguments and the string forms.
OPTIMIZERS = [
    {"name": "SGD", "learning_rate": 0.1},
    {"name": "SGD", "learning_rate": 0.05, "momentum": 0.9},
    {"name": "SGD", "learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
    {"name": "RMSprop", "learning_rate": 0.01},
    {"name": "Adam", "learning_rate": 0.01},
    {"name": "Adagrad", "learning_rate": 0.1},
    {"name": "sgd"},
    {"name": "rmsprop"},
    {"name": "adam"},
    {"name": "adagrad"},
]


def make_optimizer(spec):
    name = spec["name"]
    if name in ("sgd", "rmsprop", "adam", "adagrad"):
        return name
    kw = {k: v for k, v in spec.items() if k != "name"}
    return getattr(keras.optimizers, name)(**kw)


# (name, input shape, declared by, layers, kind of output, full optimizer matrix?)
# kind: "linear" (mse, mae), "sigmoid1" (binary_crossentropy, mse, mae),
# "softmax" (categorical, sparse categorical, mse), "multilabel" (binary
# crossentropy on several sigmoid units, mse), None (no training).
NETS = [
    # seed 003, practice 1: 41 parameters
    ("seed003_practice1_41", [2], "input_shape", [dense(10, "relu"), dense(1)], "linear", True),
    # seed 003, practice 2: 26 parameters
    ("seed003_practice2_26", [3], "input_shape", [dense(5, "relu"), dense(1)], "linear", True),
    # seed 003: Dense(2, input_shape=(3,)) then Dense(1): dense_3 has 8 parameters
    ("seed003_dense3_8", [3], "input_shape", [dense(2), dense(1)], "linear", True),
    ("seed003_dense3_8_relu", [3], "input_shape", [dense(2, "relu"), dense(1)], "linear", True),
    # seed 003, practice 3
    ("seed003_practice3", [2], "input_shape", [dense(3, "relu"), dense(1)], "linear", True),
    # seed 000: one neuron on 10 inputs, and the 70-parameter network
    ("seed000_neuron", [10], "input_shape", [dense(1)], "linear", True),
    (
        "seed000_net70",
        [10],
        "input_shape",
        [dense(5, "relu"), dense(2, "relu"), dense(1)],
        "linear",
        True,
    ),
    # seed 004: the perceptron, both forms
    (
        "seed004_perceptron_input",
        [2],
        "Input",
        [dense(1), act("sigmoid")],
        "sigmoid1",
        True,
    ),
    ("seed004_perceptron_dense", [2], "input_shape", [dense(1, "sigmoid")], "sigmoid1", True),
    # seed 001: 784-32-10, Sequential and functional
    (
        "seed001_784_32_10_sequential",
        [784],
        "input_shape",
        [dense(32, "relu"), dense(10, "softmax")],
        "softmax",
        False,
    ),
    (
        "seed001_784_32_10_functional",
        [784],
        "functional",
        [dense(32, "relu"), dense(10, "softmax")],
        "softmax",
        False,
    ),
    # seed 002: the MNIST MLP
    (
        "seed002_mnist_mlp",
        [28, 28],
        "input_shape",
        [FLATTEN, dense(128, "relu"), dense(128, "relu"), dense(10, "softmax")],
        "softmax",
        False,
    ),
    # small CNN and a strided 'same' convolution
    (
        "cnn_small",
        [8, 8, 1],
        "input_shape",
        [conv(4, (3, 3), "relu"), pool((2, 2)), FLATTEN, dense(3, "softmax")],
        "softmax",
        True,
    ),
    (
        "conv_same_strides2",
        [8, 8, 2],
        "input_shape",
        [conv(3, (3, 3), "relu", strides=(2, 2), padding="same"), FLATTEN, dense(1, "sigmoid")],
        "sigmoid1",
        True,
    ),
    # small softmax classifiers (functional too) for the full matrix
    ("softmax_small", [4], "input_shape", [dense(6, "tanh"), dense(3, "softmax")], "softmax", True),
    (
        "softmax_activation_layer_functional",
        [4],
        "functional",
        [dense(5, "relu"), dense(3), act("softmax")],
        "softmax",
        True,
    ),
    # several sigmoid outputs with binary cross-entropy: 'accuracy' resolves
    # to categorical accuracy in Keras 3 (the shape decides, not the loss)
    ("multilabel_sigmoid", [4], "input_shape", [dense(3, "sigmoid")], "multilabel", True),
    # the other activations, forward and backward
    (
        "activations_a",
        [3],
        "input_shape",
        [dense(4, "tanh"), dense(4, "elu"), dense(4, "selu"), dense(4, "softplus"), dense(1)],
        "linear",
        True,
    ),
    (
        "activations_b",
        [3],
        "Input",
        [
            dense(4, "softsign"),
            dense(4, "leaky_relu"),
            dense(4, "gelu"),
            dense(4, "swish"),
            dense(3, "softmax"),
        ],
        "softmax",
        True,
    ),
    # Dropout is the identity at predict time; shapes and predictions only
    (
        "dropout_mlp",
        [4],
        "input_shape",
        [dense(8, "relu"), {"type": "Dropout", "rate": 0.5}, dense(3, "softmax")],
        None,
        False,
    ),
    # one input feature and one unit: `dot` gives column-major results there
    ("linear_regression_1d", [1], "input_shape", [dense(1)], "linear", True),
    ("one_feature_mlp", [1], "input_shape", [dense(4, "relu"), dense(1, "sigmoid")], "sigmoid1", True),
    # the MNIST CNN whose summary cuts `max_pooling2d_1 (MaxPooling2D)`;
    # shapes, parameter counts and predictions
    (
        "cnn_mnist_summary",
        [28, 28, 1],
        "input_shape",
        [conv(8, (3, 3), "relu"), pool((2, 2)), FLATTEN, dense(10, "softmax")],
        None,
        False,
    ),
    # saturated outputs (weights scaled up): Keras takes the cross-entropy
    # from the logits of a sigmoid/softmax output, not from the clipped
    # probabilities, in training; keras.losses on the probabilities clips
    ("saturated_sigmoid", [2], "input_shape", [dense(1, "sigmoid")], "sigmoid1", True),
    ("saturated_softmax", [3], "input_shape", [dense(3, "softmax")], "softmax", True),
    # the layers of the next tutorials (issue 15); appended, so that the
    # nets above keep their seeds
    (
        "pooling_average_global_max",
        [6, 6, 2],
        "input_shape",
        [
            conv(3, 3, "relu"),
            {"type": "AveragePooling2D", "pool_size": 2, "strides": 1, "padding": "same"},
            {"type": "GlobalMaxPooling2D"},
            dense(3, "softmax"),
        ],
        "softmax",
        True,
    ),
    (
        "pooling_average_global_average",
        [7, 6, 2],
        "input_shape",
        [
            {"type": "AveragePooling2D", "pool_size": [3, 3], "strides": [2, 2], "padding": "same"},
            {"type": "MaxPooling2D", "pool_size": 2, "strides": 1, "padding": "same"},
            {"type": "GlobalAveragePooling2D"},
            dense(2, "sigmoid"),
        ],
        "multilabel",
        True,
    ),
    (
        "reshape_global_average_1d_softmax",
        [12],
        "input_shape",
        [{"type": "Reshape", "target_shape": [4, 3]}, dense(5, "tanh"), {"type": "GlobalAveragePooling1D"}, dense(3), {"type": "Softmax"}],
        "softmax",
        True,
    ),
    (
        "reshape_conv_integer_sizes",
        [16],
        "input_shape",
        [{"type": "Reshape", "target_shape": [4, -1, 1]}, conv(2, 3, "relu", strides=1, padding="same"), pool(2), FLATTEN, dense(1)],
        "linear",
        True,
    ),
    (
        "embedding_global_average",
        [5],
        "input_shape",
        [{"type": "Embedding", "input_dim": 12, "output_dim": 4}, {"type": "GlobalAveragePooling1D"}, dense(3, "softmax")],
        "softmax",
        True,
    ),
]

NETS.append(
    (
        "batch_normalization_mlp",
        [4],
        "input_shape",
        [dense(5, "relu"), {"type": "BatchNormalization"}, dense(3, "softmax")],
        "softmax",
        True,
    )
)

# Nets whose inputs are integer ids below this vocabulary size (Embedding).
INT_INPUTS = {"embedding_global_average": 12}

# Nets trained with SGD only: TensorFlow hands an Embedding's gradient to
# the optimizer as IndexedSlices, one slice per id occurrence, and RMSprop,
# Adam and Adagrad square those slices one by one (a repeated id's squares
# are summed, not its summed gradient squared); kerust's optimizers see the
# dense gradient, as Keras' other backends do.
SGD_ONLY = {"embedding_global_average"}

# Kernels of these nets are scaled up so that their outputs saturate.
WEIGHT_SCALE = {"saturated_sigmoid": 12.0, "saturated_softmax": 12.0}

# Limited runs on the big nets: (optimizer, loss, metrics).
BIG_RUNS = {
    # the seed's own compile line
    "seed001_784_32_10_sequential": [({"name": "RMSprop", "learning_rate": 0.001}, "mse", ["accuracy"])],
    "seed001_784_32_10_functional": [
        ({"name": "adam"}, "categorical_crossentropy", ["accuracy"]),
        ({"name": "SGD", "learning_rate": 0.05, "momentum": 0.9}, "sparse_categorical_crossentropy", ["acc"]),
    ],
    # the MNIST tutorial's compile line
    "seed002_mnist_mlp": [({"name": "adam"}, "sparse_categorical_crossentropy", ["accuracy"])],
}

LOSSES_FOR = {
    "linear": ["mse", "mae"],
    "sigmoid1": ["binary_crossentropy", "mse", "mae"],
    "softmax": ["categorical_crossentropy", "sparse_categorical_crossentropy", "mse"],
    "multilabel": ["binary_crossentropy", "mse"],
}


def keras_layer(spec, first_kw):
    t = spec["type"]
    if t == "Dense":
        return layers.Dense(spec["units"], activation=spec["activation"], **first_kw)
    if t == "Activation":
        return layers.Activation(spec["activation"], **first_kw)
    if t == "Flatten":
        return layers.Flatten(**first_kw)
    if t == "Dropout":
        return layers.Dropout(spec["rate"], **first_kw)
    if t == "Conv2D":
        return layers.Conv2D(
            spec["filters"],
            keras_size(spec["kernel_size"]),
            strides=keras_size(spec["strides"]),
            padding=spec["padding"],
            activation=spec["activation"],
            **first_kw,
        )
    if t in ("MaxPooling2D", "AveragePooling2D"):
        kw = {k: keras_size(spec[k]) for k in ("strides",) if k in spec}
        if "padding" in spec:
            kw["padding"] = spec["padding"]
        return getattr(layers, t)(keras_size(spec["pool_size"]), **kw, **first_kw)
    if t in ("GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Softmax"):
        return getattr(layers, t)(**first_kw)
    if t == "BatchNormalization":
        return layers.BatchNormalization(**first_kw)
    if t == "Embedding":
        return layers.Embedding(spec["input_dim"], spec["output_dim"], **first_kw)
    if t == "Reshape":
        return layers.Reshape(tuple(spec["target_shape"]), **first_kw)
    raise ValueError(t)


def build(input_shape, declared, specs):
    if declared == "functional":
        inp = keras.Input(shape=tuple(input_shape))
        x = inp
        for s in specs:
            x = keras_layer(s, {})(x)
        return keras.Model(inp, x)
    model = keras.Sequential()
    if declared == "Input":
        model.add(keras.Input(shape=tuple(input_shape)))
    for i, s in enumerate(specs):
        kw = {"input_shape": tuple(input_shape)} if (i == 0 and declared == "input_shape") else {}
        model.add(keras_layer(s, kw))
    return model


# ---------------------------------------------------------------- data


def initial_weights(model, rng, quantized, scale=1.0):
    """Kernels uniform in +-1.5 * glorot limit (times `scale`), biases
    uniform in +-0.2."""
    out, encoded = [], []
    for var, w in zip(model.weights, model.get_weights()):
        if "variance" in var.name:
            # a variance (BatchNormalization's moving variance) stays positive
            v = rng.uniform(0.5, 1.5, size=w.shape).astype(F32)
            encoded.append(enc(v))
            out.append(v)
            continue
        if w.ndim >= 2:
            fan_in = int(np.prod(w.shape[:-1]))
            fan_out = int(w.shape[-1]) * (int(np.prod(w.shape[:-2])) if w.ndim == 4 else 1)
            limit = 1.5 * math.sqrt(6.0 / (fan_in + fan_out)) * scale
        else:
            limit = 0.2
        if quantized:
            # multiples of a power of two, at most 16 steps from 0
            p = math.ceil(-math.log2(limit / 16))
            scale = 2.0**-p
            ints = rng.integers(-16, 17, size=w.shape)
            v = (ints * scale).astype(F32)
            encoded.append(enc_ints(ints, scale))
        else:
            v = rng.uniform(-limit, limit, size=w.shape).astype(F32)
            encoded.append(enc(v))
        out.append(v)
    return out, encoded


def inputs(rng, shape, n, sparse, vocab=None):
    if vocab is not None:
        # integer ids, as float32 (what kerust's Embedding takes)
        return rng.integers(0, vocab, size=(n, *shape)).astype(F32)
    if sparse:
        # stroke-like inputs: few non-zero pixels, so that most first-layer
        # weights get zero gradients and the fixture stays small
        x = np.zeros((n, int(np.prod(shape))), dtype=F32)
        for i in range(n):
            idx = rng.choice(x.shape[1], size=24, replace=False)
            x[i, idx] = rng.uniform(0.1, 1.0, size=24)
        return x.reshape((n, *shape)).astype(F32)
    return rng.normal(0.0, 1.0, size=(n, *shape)).astype(F32)


def targets(rng, kind, units, n):
    """All target forms a loss on this output can take."""
    t = {}
    if kind == "linear":
        t["real"] = rng.normal(0.0, 1.0, size=(n, units)).astype(F32)
    elif kind == "sigmoid1":
        y = rng.integers(0, 2, size=(n, 1)).astype(F32)
        t["binary"] = y
        t["binary_flat"] = y[:, 0].copy()
    elif kind == "multilabel":
        t["binary"] = rng.integers(0, 2, size=(n, units)).astype(F32)
    elif kind == "softmax":
        labels = rng.integers(0, units, size=(n,))
        t["sparse"] = labels.astype(np.int32)
        t["sparse_col"] = labels.reshape(n, 1).astype(np.int32)
        t["onehot"] = np.eye(units, dtype=F32)[labels]
    return t


def target_for(kind, loss, variant):
    """Which target form a run uses (variant cycles through the forms)."""
    if kind == "linear":
        return "real"
    if kind in ("sigmoid1", "multilabel"):
        if kind == "sigmoid1" and loss == "binary_crossentropy" and variant % 2 == 1:
            return "binary_flat"
        return "binary"
    if loss == "sparse_categorical_crossentropy":
        return "sparse_col" if variant % 3 == 2 else "sparse"
    return "onehot"


def metrics_for(variant):
    return [["accuracy"], ["acc"], ["accuracy", "mse"], ["accuracy", "mae"]][variant % 4]


# ---------------------------------------------------------------- losses


LOSS_OBJECTS = {
    "mse": keras.losses.MeanSquaredError,
    "mae": keras.losses.MeanAbsoluteError,
    "binary_crossentropy": keras.losses.BinaryCrossentropy,
    "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
    "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
}


def loss_case(name, y_true, y_pred):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred, dtype=F32)
    per_sample = np.asarray(keras.losses.get(name)(y_true, y_pred), dtype=F32)
    value = np.asarray(LOSS_OBJECTS[name]()(y_true, y_pred), dtype=F32)
    return {
        "loss": name,
        "y_true": enc_labels(y_true),
        "y_pred": enc(y_pred),
        "per_sample": enc(per_sample),
        "value": float(value),
    }


def np_sigmoid(z):
    return (1.0 / (1.0 + np.exp(-z.astype(np.float64)))).astype(F32)


def np_softmax(z):
    z = z.astype(np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(F32)


def net_loss_cases(rng, preds):
    """Each loss on the net's predictions (made probabilities where needed)."""
    n, units = preds.shape[0], preds.shape[-1]
    in01 = bool(np.all(preds > 0) and np.all(preds < 1))
    cases = [
        loss_case("mse", rng.normal(size=preds.shape).astype(F32), preds),
        loss_case("mae", rng.normal(size=preds.shape).astype(F32), preds),
    ]
    p = preds if in01 else np_sigmoid(preds)
    cases.append(loss_case("binary_crossentropy", rng.integers(0, 2, size=preds.shape).astype(F32), p))
    if units > 1:
        sums_to_1 = in01 and np.allclose(preds.sum(-1), 1, atol=1e-5)
        p = preds if sums_to_1 else np_softmax(preds)
        labels = rng.integers(0, units, size=(n,))
        cases.append(loss_case("categorical_crossentropy", np.eye(units, dtype=F32)[labels], p))
        cases.append(loss_case("sparse_categorical_crossentropy", labels.astype(np.int32), p))
    return cases


def edge_loss_cases():
    """Hand-made arrays (inputs only; the values are Keras'): clipping at 0
    and 1, unnormalized rows, soft targets, rank 3, labels as (N,) and (N,1)."""
    rng = np.random.default_rng(7)
    cases = []
    a = rng.normal(size=(4, 3)).astype(F32)
    b = rng.normal(size=(4, 3)).astype(F32)
    c = rng.normal(size=(2, 3, 4)).astype(F32)
    d = rng.normal(size=(2, 3, 4)).astype(F32)
    for name in ("mse", "mae"):
        cases.append(loss_case(name, a, b))
        cases.append(loss_case(name, c, d))
        cases.append(loss_case(name, a[:, :1], b[:, :1]))
    p = np.array([[0.0], [1.0], [0.3], [1e-9], [0.9999999], [0.5]], dtype=F32)
    t = np.array([[1.0], [0.0], [1.0], [0.0], [1.0], [0.0]], dtype=F32)
    cases.append(loss_case("binary_crossentropy", t, p))
    cases.append(loss_case("binary_crossentropy", np.array([[0.3, 0.7], [1.0, 0.0]], F32),
                           np.array([[0.2, 0.9], [0.6, 0.4]], F32)))
    cases.append(loss_case("binary_crossentropy", (c > 0).astype(F32), np_sigmoid(d)))
    q = np.array([[0.2, 0.5, 0.3], [0.0, 1.0, 0.0], [1.0, 2.0, 3.0], [0.1, 0.1, 0.1], [0.0, 0.0, 1.0]], F32)
    oh = np.eye(3, dtype=F32)[[0, 0, 2, 1, 1]]
    cases.append(loss_case("categorical_crossentropy", oh, q))
    cases.append(loss_case("categorical_crossentropy", np.array([[0.2, 0.3, 0.5]] * 5, F32), q))
    labels = np.array([0, 0, 2, 1, 1], np.int32)
    cases.append(loss_case("sparse_categorical_crossentropy", labels, q))
    cases.append(loss_case("sparse_categorical_crossentropy", labels.reshape(5, 1), q))
    r = np_softmax(c)
    cases.append(loss_case("categorical_crossentropy", np.eye(4, dtype=F32)[rng.integers(0, 4, size=(2, 3))], r))
    cases.append(loss_case("sparse_categorical_crossentropy", rng.integers(0, 4, size=(2, 3)).astype(np.int32), r))
    return cases


# ---------------------------------------------------------------- runs


def train_run(name, input_shape, declared, specs, init, opt_spec, loss, metrics, xs, ys, big):
    keras.backend.clear_session()
    model = build(input_shape, declared, specs)
    model.set_weights(init)
    model.compile(optimizer=make_optimizer(opt_spec), loss=loss, metrics=metrics)
    steps = []
    for x, y in zip(xs, ys):
        logs = model.train_on_batch(x, y, return_dict=True)
        steps.append(
            {
                "loss": float(np.float32(logs["loss"])),
                "metrics": [float(np.float32(logs[m])) for m in metrics],
            }
        )
    after = model.get_weights()
    enc_w = [enc_after(a, b) if big else enc(a) for a, b in zip(after, init)]
    return {"optimizer": opt_spec, "loss": loss, "metrics": metrics, "steps": steps, "weights_after": enc_w}


def make_fixture(index, entry):
    name, input_shape, declared, specs, kind, full = entry
    rng = np.random.default_rng(1000 + index)
    keras.backend.clear_session()
    model = build(input_shape, declared, specs)
    net_layers = [l for l in model.layers if not isinstance(l, layers.InputLayer)]
    big = not full and kind is not None
    quantized = model.count_params() > 5000
    init, init_enc = initial_weights(model, rng, quantized=quantized, scale=WEIGHT_SCALE.get(name, 1.0))
    model.set_weights(init)
    n_pred = 3 if quantized else 5
    x_pred = inputs(rng, input_shape, n_pred, sparse=big and input_shape[0] > 8, vocab=INT_INPUTS.get(name))
    preds = model.predict(x_pred, verbose=0)
    fixture = {
        "name": name,
        "keras_version": keras.__version__,
        "input_shape": input_shape,
        "declared": declared,
        "layers": specs,
        "output_shapes": [list(l.output.shape[1:]) for l in net_layers],
        "layer_params": [int(l.count_params()) for l in net_layers],
        "count_params": int(model.count_params()),
        "weights": init_enc,
        "x_predict": enc(x_pred),
        "predictions": enc(preds),
        "loss_cases": net_loss_cases(rng, np.asarray(preds)),
        "runs": [],
    }
    if kind is not None:
        units = int(net_layers[-1].output.shape[-1])
        n = 2 if big else 6
        xs = [
            inputs(rng, input_shape, n, sparse=big and input_shape[0] > 8, vocab=INT_INPUTS.get(name))
            for _ in range(3)
        ]
        ts = [targets(rng, kind, units, n) for _ in range(3)]
        fixture["train_x"] = [enc(x) for x in xs]
        fixture["targets"] = {k: [enc_labels(t[k]) for t in ts] for k in ts[0]}
        if full:
            plan = []
            variant = 0
            for opt in OPTIMIZERS:
                if name in SGD_ONLY and opt["name"].lower() != "sgd":
                    continue
                for loss in LOSSES_FOR[kind]:
                    tkey = target_for(kind, loss, variant)
                    metrics = metrics_for(variant)
                    if tkey.startswith("sparse"):
                        # Keras cannot compute mse/mae between class
                        # indices and probabilities: accuracy only
                        metrics = metrics[:1]
                    plan.append((opt, loss, metrics, tkey))
                    variant += 1
            if name == "seed004_perceptron_dense":
                # the seed's compile line, with its 1-D labels
                plan.append(({"name": "SGD", "learning_rate": 0.2}, "binary_crossentropy", ["acc"], "binary_flat"))
        else:
            plan = [
                (opt, loss, metrics, target_for(kind, loss, 0)) for opt, loss, metrics in BIG_RUNS[name]
            ]
        for opt, loss, metrics, tkey in plan:
            ys = [t[tkey] for t in ts]
            run = train_run(name, input_shape, declared, specs, init, opt, loss, metrics, xs, ys, big)
            run["targets"] = tkey
            fixture["runs"].append(run)
    return fixture


# ------------------------------------------------- schedules and callbacks
# Read by tests/schedules.rs and tests/callbacks.rs.

SCHEDULE_STEPS = [0, 1, 5, 10, 49, 50, 99, 100, 101, 250, 500, 999, 1000, 1001, 1500, 5000, 100000]


def schedule_cases():
    S = keras.optimizers.schedules
    made = [
        S.ExponentialDecay(0.1, 100, 0.96),
        S.ExponentialDecay(0.1, 100, 0.96, staircase=True),
        S.ExponentialDecay(0.01, 1000, 0.5),
        S.InverseTimeDecay(0.001, 1000, 1.0),
        S.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
        S.PiecewiseConstantDecay([100, 1000], [1.0, 0.5, 0.1]),
        S.PiecewiseConstantDecay([10, 50, 500], [0.1, 0.01, 0.001, 0.0001]),
        S.CosineDecay(0.1, 1000),
        S.CosineDecay(0.1, 1000, alpha=0.1),
        S.CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=100),
        S.CosineDecay(0.01, 500, alpha=0.05, warmup_target=0.05, warmup_steps=50),
    ]
    cases = []
    for sched in made:
        cases.append({
            "class_name": type(sched).__name__,
            "config": sched.get_config(),
            "steps": SCHEDULE_STEPS,
            "values": [float(np.asarray(sched(step), dtype=F32)) for step in SCHEDULE_STEPS],
        })
    return cases


def f32s(values):
    """Python floats that are float32 values (None for NaN, as JSON has no NaN)."""
    return [None if v is None or math.isnan(v) else float(F32(v)) for v in values]


def marker_model():
    """A compiled, built model whose weights mark the epoch they were set in."""
    rng = np.random.default_rng(0)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["accuracy", "mae"])
    model.fit(rng.normal(size=(4, 2)).astype(F32), rng.normal(size=(4, 1)).astype(F32), epochs=1, verbose=0)
    return model


def set_marker(model, epoch):
    model.set_weights([np.full((2, 1), epoch, F32), np.zeros((1,), F32)])


def drive(model, cb, series, before_epoch=None):
    """Runs `cb` over the epochs of `series` (name -> values) as fit does;
    returns what it did."""
    import contextlib
    import io

    out = io.StringIO()
    record = {"epochs_run": 0, "lr": [], "logged_lr": []}
    n = len(next(iter(series.values())))
    try:
        with contextlib.redirect_stdout(out), warnings_off():
            cb.set_model(model)
            model.stop_training = False
            cb.on_train_begin()
            for epoch in range(n):
                set_marker(model, epoch)
                cb.on_epoch_begin(epoch)
                logs = {k: (float("nan") if v[epoch] is None else v[epoch]) for k, v in series.items()}
                cb.on_epoch_end(epoch, logs)
                record["epochs_run"] = epoch + 1
                record["lr"].append(float(model.optimizer.learning_rate))
                record["logged_lr"].append(logs.get("learning_rate"))
                if model.stop_training:
                    break
            cb.on_train_end()
    except ValueError as e:
        record["error"] = str(e)
    record["stdout"] = out.getvalue()
    record["final_marker"] = float(model.get_weights()[0][0, 0])
    return record


def warnings_off():
    import warnings
    ctx = warnings.catch_warnings()

    class Quiet:
        def __enter__(self):
            ctx.__enter__()
            warnings.simplefilter("ignore")

        def __exit__(self, *a):
            return ctx.__exit__(*a)

    return Quiet()


def callback_cases():
    model = marker_model()
    loss_a = f32s([1.0, 0.8, 0.7, 0.72, 0.69, 0.695, 0.71, 0.73, 0.68, 0.75, 0.76, 0.77])
    loss_b = f32s([0.9, 0.7, 0.68, 0.7, 0.66, 0.655, 0.65, 0.649, 0.66, 0.67])
    loss_nan = f32s([0.9, 0.8, float("nan"), 0.85, 0.79, 0.9, 0.95])
    acc = f32s([0.5, 0.6, 0.62, 0.61, 0.65, 0.64, 0.63, 0.66, 0.6, 0.6])
    train = f32s([1.2, 0.9, 0.8, 0.75, 0.7, 0.68, 0.66, 0.65, 0.64, 0.63, 0.62, 0.61])
    early = [
        ({}, {"val_loss": loss_a}),
        ({"patience": 2}, {"val_loss": loss_a}),
        ({"patience": 2, "restore_best_weights": True, "verbose": 1}, {"val_loss": loss_a}),
        ({"min_delta": 0.02, "patience": 1, "verbose": 1}, {"val_loss": loss_b}),
        ({"min_delta": -0.01, "patience": 1}, {"val_loss": loss_b}),
        ({"baseline": 0.75, "patience": 2, "verbose": 1}, {"val_loss": loss_a}),
        ({"baseline": 0.6, "patience": 3, "restore_best_weights": True, "verbose": 1}, {"val_loss": loss_a}),
        ({"start_from_epoch": 3, "patience": 1, "restore_best_weights": True}, {"val_loss": loss_a}),
        ({"start_from_epoch": 20, "restore_best_weights": True, "verbose": 1}, {"val_loss": loss_a}),
        ({"monitor": "val_accuracy", "patience": 2, "restore_best_weights": True, "verbose": 1}, {"val_accuracy": acc}),
        ({"monitor": "val_accuracy", "mode": "min", "verbose": 1}, {"val_accuracy": acc}),
        ({"monitor": "val_mae", "patience": 1, "verbose": 1}, {"val_mae": loss_b}),
        ({"monitor": "loss", "mode": "max", "patience": 1}, {"loss": train}),
        ({"monitor": "loss", "patience": 1, "restore_best_weights": True, "verbose": 1}, {"loss": train}),
        ({"patience": 1, "restore_best_weights": True, "verbose": 1}, {"val_loss": loss_nan}),
        ({"monitor": "val_foo"}, {"val_foo": loss_a}),
        ({"monitor": "val_foo", "mode": "min", "patience": 1}, {"val_loss": loss_a}),
    ]
    out = {"early_stopping": [], "reduce_lr_on_plateau": [], "learning_rate_scheduler": []}
    for kwargs, series in early:
        rec = drive(model, keras.callbacks.EarlyStopping(**kwargs), series)
        out["early_stopping"].append({"kwargs": kwargs, "series": series, **rec})
    long = f32s([1.0 - 0.01 * i if i < 5 else 0.95 for i in range(25)])
    reduce = [
        ({}, {"val_loss": long}),
        ({"patience": 2, "factor": 0.5, "verbose": 1}, {"val_loss": loss_a}),
        ({"patience": 1, "factor": 0.2, "cooldown": 2, "min_lr": 0.01, "verbose": 1}, {"val_loss": long}),
        ({"monitor": "val_accuracy", "patience": 1, "min_delta": 0.015, "verbose": 1}, {"val_accuracy": acc}),
        ({"monitor": "loss", "mode": "min", "patience": 0, "factor": 0.5}, {"val_loss": loss_a}),
    ]
    for kwargs, series in reduce:
        model.optimizer.learning_rate = 0.1
        rec = drive(model, keras.callbacks.ReduceLROnPlateau(**kwargs), series)
        out["reduce_lr_on_plateau"].append({"kwargs": kwargs, "series": series, "initial_lr": 0.1, **rec})
    scheds = [
        ("halve_after_2", lambda epoch, lr: lr if epoch < 2 else lr * 0.5, 1),
        ("one_over_epoch", lambda epoch, lr: 0.1 / (epoch + 1), 0),
    ]
    for name, fn, verbose in scheds:
        model.optimizer.learning_rate = 0.1
        rec = drive(model, keras.callbacks.LearningRateScheduler(fn, verbose=verbose), {"loss": train[:5]})
        out["learning_rate_scheduler"].append({"schedule": name, "verbose": verbose, "initial_lr": 0.1, **rec})
    out["csv_logger"] = csv_cases()
    out["checkpoint_paths"] = checkpoint_path_cases()
    out["model_checkpoint"] = checkpoint_runs(model, loss_a, acc)
    return out


def checkpoint_path_cases():
    logs = {"loss": float(F32(0.4567)), "accuracy": float(F32(0.875)), "val_loss": float(F32(0.51234)),
            "val_accuracy": float(F32(0.8125))}
    templates = [
        "cp-{epoch:04d}.keras", "cp-{epoch:04}.keras", "cp-{epoch}-{val_loss:.2f}.keras",
        "w-{epoch:02d}-{val_loss:.2}-{accuracy:.3f}.keras", "{epoch:>5}_{loss:e}_{val_loss:+.1%}.keras",
        "{{literal}}-{epoch:03d}.keras", "x-{val_loss}.keras", "{loss:g}-{val_accuracy:08.4f}.keras",
        "{missing}.keras", "{epoch:.2}.keras",
    ]
    cases = []
    for t in templates:
        for epoch in [0, 9, 122]:
            cb = keras.callbacks.ModelCheckpoint(t)
            try:
                path = cb._get_file_path(epoch, None, logs)
            except (KeyError, ValueError) as e:
                path = None
            cases.append({"template": t, "epoch": epoch, "logs": logs, "path": path})
    return cases


def checkpoint_runs(model, loss_a, acc):
    import tempfile

    runs = [
        ("ckpt/cp-{epoch:02d}-{val_loss:.3f}.keras", {"save_best_only": True, "verbose": 1}, {"val_loss": loss_a}),
        ("best.weights.h5", {"save_weights_only": True, "save_best_only": True, "monitor": "val_accuracy",
                             "verbose": 1}, {"val_accuracy": acc}),
        ("every/m-{epoch}.keras", {"verbose": 1}, {"val_loss": loss_a[:3]}),
        ("t.keras", {"save_best_only": True, "initial_value_threshold": 0.75, "verbose": 1}, {"val_loss": loss_a[:5]}),
    ]
    cases = []
    for template, kwargs, series in runs:
        with tempfile.TemporaryDirectory() as d:
            cb = keras.callbacks.ModelCheckpoint(os.path.join(d, template), **kwargs)
            rec = drive(model, cb, series)
            files = sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)
            rec["stdout"] = rec["stdout"].replace(d, "DIR")
        cases.append({"template": template, "kwargs": kwargs, "series": series, "files": files, **rec})
    return cases


def csv_cases():
    import tempfile

    logs_val = {
        "loss": f32s([0.6931472, 0.5, 1e-05]),
        "accuracy": f32s([0.5, 0.75, 1.0]),
        "val_loss": f32s([0.7, 0.123456789, 12345678.0]),
        "val_accuracy": f32s([0.25, 0.5, 0.875]),
    }
    logs_train = {"loss": f32s([0.9, 0.8]), "mae": f32s([0.3, 0.2])}
    cases = []
    for separator, append, series in [(",", False, logs_val), (";", False, logs_train), (",", True, logs_train)]:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "log.csv")
            runs = 2 if append else 1
            for _ in range(runs):
                cb = keras.callbacks.CSVLogger(path, separator=separator, append=append)
                n = len(next(iter(series.values())))
                cb.on_train_begin()
                for epoch in range(n):
                    cb.on_epoch_end(epoch, {k: v[epoch] for k, v in series.items()})
                cb.on_train_end()
            with open(path, newline="") as f:
                text = f.read()
        cases.append({"separator": separator, "append": append, "runs": runs, "series": series, "text": text})
    return cases


def normalization_cases():
    """Normalization: adapt on data (mean, population variance, count,
    outputs), and given mean/variance (no weights), with Keras' epsilon."""
    rng = np.random.default_rng(77)
    cases = []
    for shape, scale in [((20, 3), [1.0, 10.0, 0.001]), ((6, 2, 4), [2.0, 0.5, 3.0, 1.0])]:
        keras.backend.clear_session()
        data = (rng.normal(0.0, 1.0, size=shape) * np.array(scale) + 5.0).astype(F32)
        data[:, ..., 0] = 3.0  # a constant feature: variance 0, divided by epsilon
        layer = layers.Normalization(axis=-1)
        layer.adapt(data)
        x = rng.normal(0.0, 1.0, size=(4, *shape[1:])).astype(F32)
        cases.append(
            {
                "data": enc(data),
                "weights": [enc(w) for w in layer.get_weights()],
                "count_params": int(layer.count_params()),
                "x": enc(x),
                "y": enc(layer(x)),
            }
        )
    keras.backend.clear_session()
    layer = layers.Normalization(mean=[1.0, -2.0], variance=[4.0, 0.0])
    x = rng.normal(0.0, 1.0, size=(3, 2)).astype(F32)
    y = layer(x)
    cases.append(
        {"mean": [1.0, -2.0], "variance": [4.0, 0.0], "count_params": int(layer.count_params()), "x": enc(x), "y": enc(y)}
    )
    return cases




VALIDATION_SPLITS = ([3, 4, 7, 10, 100, 314, 404, 1000], [0.01, 0.1, 0.2, 0.25, 0.3, 0.33, 0.5, 0.7, 0.9])


def validation_split_cases():
    """Keras 3's own split function (the one fit calls) on n samples."""
    from keras.src.trainers.data_adapters.array_slicing import train_validation_split

    ns, fs = VALIDATION_SPLITS
    cases = []
    for n in ns:
        for f in fs:
            try:
                train, val = train_validation_split((np.arange(n, dtype=F32),), validation_split=f)
                cases.append({"n": n, "f": f, "train": int(train[0].shape[0]), "val": int(val[0].shape[0])})
            except ValueError:
                cases.append({"n": n, "f": f, "train": None, "val": None})
    return cases


def early_stopping_run():
    """A 1-D linear fit whose validation loss falls, then rises: training
    pulls w toward 2, the validation data wants w = 1. Full-batch SGD, no
    shuffle, so kerust can repeat it exactly."""
    x = np.array([[1.0], [2.0], [3.0], [4.0]], F32)
    y = 2.0 * x
    xv = np.array([[1.0], [2.0]], F32)
    yv = np.array([[1.0], [2.0]], F32)
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    init = [np.array([[0.25]], F32), np.array([0.0], F32)]
    model.set_weights(init)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    h = model.fit(x, y, epochs=40, batch_size=4, shuffle=False, validation_data=(xv, yv), callbacks=[cb], verbose=0)
    return {
        "x": enc(x), "y": enc(y), "x_val": enc(xv), "y_val": enc(yv),
        "initial_weights": [enc(w) for w in init],
        "learning_rate": 0.01, "epochs": 40, "patience": 2,
        "epoch": list(h.epoch),
        "history": {k: f32s(v) for k, v in h.history.items()},
        "stopped_epoch": int(cb.stopped_epoch),
        "best_epoch": int(cb.best_epoch),
        "weights": [enc(w) for w in model.get_weights()],
    }


def fit_cases():
    return {"validation_split": validation_split_cases(), "early_stopping": early_stopping_run()}


def main():
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    for i, entry in enumerate(NETS):
        if only and entry[0] not in only:
            continue
        fx = make_fixture(i, entry)
        path = os.path.join(OUT, entry[0] + ".json")
        with open(path, "w") as f:
            json.dump(fx, f, separators=(",", ":"))
            f.write("\n")
        print(f"{entry[0]}: {len(fx['runs'])} runs, {os.path.getsize(path)} bytes", flush=True)
    if not only or "losses" in only:
        path = os.path.join(OUT, "losses.json")
        with open(path, "w") as f:
            json.dump({"keras_version": keras.__version__, "cases": edge_loss_cases()}, f, separators=(",", ":"))
            f.write("\n")
        print(f"losses: {os.path.getsize(path)} bytes")
    for key, make in [
        ("schedules", schedule_cases),
        ("callbacks", callback_cases),
        ("fit_runs", fit_cases),
        ("normalization", normalization_cases),
    ]:
        if not only or key in only:
            path = os.path.join(OUT, key + ".json")
            with open(path, "w") as f:
                json.dump({"keras_version": keras.__version__, "cases": make()}, f, indent=1)
                f.write("\n")
            print(f"{key}: {os.path.getsize(path)} bytes")
    if not only or "lossapi" in only:
        sys.path.insert(0, HERE)
        import lossapi_fixtures

        lossapi_fixtures.main(OUT)
    if not only or "nested" in only:
        sys.path.insert(0, HERE)
        import nested_fixtures

        nested_fixtures.main(OUT)
    if not only or "datasets" in only:
        sys.path.insert(0, HERE)
        import dataset_fixtures

        dataset_fixtures.main()


if __name__ == "__main__":
    main()
