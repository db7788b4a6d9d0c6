"""The TF-Keras side of `make bench` (issue 6): one case per run, the same
work as examples/bench.rs, printed as one JSON line starting with
`BENCH_RESULT `.

    python scripts/bench_tf.py mlp|seed001|cnn|convnet|predict

Data: MNIST from $BENCH_MNIST_DIR (mnist.npz, or IDX files plain or .gz)
when set, else keras.datasets.mnist.load_data() (the dataset cache). Pixels
are divided by 255 into float32, as on the kerust side. BENCH_QUICK=1 uses the first 2,000
training and 1,000 test images.

Timing: wall clock around each call a user would write (`model.fit(...,
epochs=1)` once per epoch, `model.predict(...)`), as on the kerust side;
TensorFlow keeps its default thread settings. The first fit call includes
tf.function tracing (kerust has no such warm-up): epoch 1 is reported apart.
"""

import gzip
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def quick():
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def find(d, name):
    for n in (name, name + ".gz"):
        if os.path.isfile(os.path.join(d, n)):
            return os.path.join(d, n)
    return None


def load():
    d = os.environ.get("BENCH_MNIST_DIR")
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
    names += ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    if d and os.path.isfile(os.path.join(d, "mnist.npz")):
        with np.load(os.path.join(d, "mnist.npz")) as f:
            xtr, ytr, xte, yte = (f[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    elif d:
        paths = [find(d, n) for n in names]
        if None in paths:
            raise FileNotFoundError(f"{d} has neither mnist.npz nor the four MNIST IDX files")
        xtr, ytr, xte, yte = (read_idx(p) for p in paths)
    else:
        import keras

        (xtr, ytr), (xte, yte) = keras.datasets.mnist.load_data()
    ntr, nte = (2000, 1000) if quick() else (len(xtr), len(xte))
    f = lambda x, n: x[:n].astype(np.float32) / np.float32(255.0)  # noqa: E731
    return f(xtr, ntr), ytr[:ntr].copy(), f(xte, nte), yte[:nte].copy()


def mlp_model():
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class EpochTimer:
    """Epoch times as Keras sees them (begin to end of epoch), for reference."""

    def __new__(cls):
        import keras

        class _T(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.times = []

            def on_epoch_begin(self, epoch, logs=None):
                self._t = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.times.append(time.perf_counter() - self._t)

        return _T()


def mlp(xtr, ytr, xte, yte):
    model = mlp_model()
    timer = EpochTimer()
    epochs, losses = [], []
    for _ in range(3):
        t = time.perf_counter()
        h = model.fit(xtr, ytr, epochs=1, verbose=0, callbacks=[timer])
        epochs.append(time.perf_counter() - t)
        losses.append(float(h.history["loss"][0]))
    t = time.perf_counter()
    test_loss, test_acc = model.evaluate(xte, yte, verbose=0)
    return {
        "epoch_s": epochs,
        "epoch_callback_s": timer.times,
        "loss": losses,
        "evaluate_s": time.perf_counter() - t,
        "test_loss": float(test_loss),
        "test_accuracy": float(test_acc),
    }


def seed001(xtr, ytr, xte, yte):
    import keras
    from keras import layers, models, optimizers

    xtr, xte = xtr.reshape(len(xtr), 784), xte.reshape(len(xte), 784)
    ytr = keras.utils.to_categorical(ytr, 10)
    yte = keras.utils.to_categorical(yte, 10)
    input_tensor = layers.Input(shape=(784,))
    x = layers.Dense(32, activation="relu")(input_tensor)
    output_tensor = layers.Dense(10, activation="softmax")(x)
    model = models.Model(inputs=input_tensor, outputs=output_tensor)
    model.compile(
        optimizer=optimizers.RMSprop(learning_rate=0.001), loss="mse", metrics=["accuracy"]
    )
    t = time.perf_counter()
    h = model.fit(xtr, ytr, batch_size=128, epochs=10, verbose=0)
    total = time.perf_counter() - t
    test_loss, test_acc = model.evaluate(xte, yte, verbose=0)
    return {
        "total_s": total,
        "loss": [float(v) for v in h.history["loss"]],
        "test_loss": float(test_loss),
        "test_accuracy": float(test_acc),
    }


def cnn(xtr, ytr, xte, yte):
    import keras
    from keras import layers

    xtr, xte = xtr.reshape(-1, 28, 28, 1), xte.reshape(-1, 28, 28, 1)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    t = time.perf_counter()
    h = model.fit(xtr, ytr, epochs=1, verbose=0)
    epoch = time.perf_counter() - t
    test_loss, test_acc = model.evaluate(xte, yte, verbose=0)
    return {
        "epoch_s": epoch,
        "loss": [float(v) for v in h.history["loss"]],
        "test_loss": float(test_loss),
        "test_accuracy": float(test_acc),
    }


def convnet(xtr, ytr, xte, yte):
    """keras.io's MNIST convnet, batch 128: a warm-up epoch on the first
    tenth of the images (6,000), then one timed epoch over all of them."""
    import keras
    from keras import layers

    xtr, xte = xtr.reshape(-1, 28, 28, 1), xte.reshape(-1, 28, 28, 1)
    ytr = keras.utils.to_categorical(ytr, 10)
    yte = keras.utils.to_categorical(yte, 10)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    warm = max(len(xtr) // 10, 1)
    t = time.perf_counter()
    model.fit(xtr[:warm], ytr[:warm], batch_size=128, epochs=1, verbose=0)
    warm_s = time.perf_counter() - t
    t = time.perf_counter()
    h = model.fit(xtr, ytr, batch_size=128, epochs=1, verbose=0)
    epoch = time.perf_counter() - t
    test_loss, test_acc = model.evaluate(xte, yte, verbose=0)
    return {
        "warmup_s": warm_s,
        "epoch_s": epoch,
        "loss": [float(v) for v in h.history["loss"]],
        "test_loss": float(test_loss),
        "test_accuracy": float(test_acc),
    }


def predict(xtr, ytr, xte, yte):
    model = mlp_model()
    times = []
    for _ in range(2):
        t = time.perf_counter()
        p = model.predict(xte, verbose=0)
        times.append(time.perf_counter() - t)
    # For reference: the batch size kerust's predict uses internally (1024);
    # Keras' default, used above, is 32.
    t = time.perf_counter()
    model.predict(xte, batch_size=1024, verbose=0)
    b1024 = time.perf_counter() - t
    t = time.perf_counter()
    model.predict(xte, batch_size=1024, verbose=0)
    b1024_warm = time.perf_counter() - t
    return {
        "predict_s": times,
        "predict_batch1024_s": [b1024, b1024_warm],
        "output_shape": list(p.shape),
    }


CASES = {"mlp": mlp, "seed001": seed001, "cnn": cnn, "convnet": convnet, "predict": predict}


def main():
    case = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        if case not in CASES:
            raise ValueError(f"unknown case {case!r}: expected one of {', '.join(CASES)}")
        t = time.perf_counter()
        data = load()
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        import keras
        import tensorflow as tf

        import_s = time.perf_counter() - t
        out = CASES[case](*data)
        out.update(
            case=case,
            load_s=load_s,
            import_s=import_s,
            n_train=len(data[0]),
            n_test=len(data[2]),
            tensorflow=tf.__version__,
            keras=keras.__version__,
            intra_op_threads=tf.config.threading.get_intra_op_parallelism_threads(),
            inter_op_threads=tf.config.threading.get_inter_op_parallelism_threads(),
        )
    except Exception as e:  # reported in the table, not a traceback
        print("BENCH_RESULT " + json.dumps({"case": case, "error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
    print("BENCH_RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
