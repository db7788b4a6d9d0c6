"""Dataset fixtures for tests/datasets_keras.rs, written by real numpy and Keras.

Called by gen_fixtures.py (`python tests/keras/gen_fixtures.py datasets`).

Small files in the exact formats of Keras' dataset files are written with
numpy (`np.savez`, whose object arrays are pickles) and with a Python 2 style
pickler (CIFAR-10's batches were written by Python 2's cPickle: strings as
SHORT_BINSTRING/BINSTRING). Keras' own `load_data` functions then load them
(their `get_file` pointed at the small files) and their results are saved
next to them in datasets.json, together with numpy's RandomState(113)
permutations of the real datasets' sizes.
"""

import hashlib
import io
import json
import os
import pickle
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "datasets")


class Py2Pickler(pickle._Pickler):
    """Protocol 2 as Python 2's cPickle wrote it: bytes are `str` opcodes."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_bytes(self, obj):
        n = len(obj)
        if n < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([n]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", n) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_bytes

    def save_str(self, obj):
        # Python 2's str: bytes on the wire.
        self.save_bytes(obj.encode("latin-1"))

    dispatch[str] = save_str


def py2_dumps(obj):
    f = io.BytesIO()
    Py2Pickler(f, protocol=2).dump(obj)
    return f.getvalue()


def obj_array(lists):
    a = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        a[i] = list(x)
    return a


def reviews(rng, n, vocab):
    return [[int(w) for w in rng.integers(1, vocab, size=int(rng.integers(1, 25)))] for _ in range(n)]


def write_npy_py2(f, array):
    """An object-array .npy member as numpy under Python 2 wrote it."""
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (%d,), }" % len(array)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1"))
    f.write(py2_dumps(array))


def savez_py2(path, **arrays):
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for key, a in arrays.items():
            buf = io.BytesIO()
            if a.dtype == object:
                write_npy_py2(buf, a)
            else:
                np.lib.format.write_array(buf, a)
            z.writestr(key + ".npy", buf.getvalue())


def plain(v):
    if isinstance(v, np.ndarray):
        if v.dtype == object:
            return [[int(w) for w in x] for x in v]
        return v.tolist()
    return v


def split_out(data):
    (xtr, ytr), (xte, yte) = data
    return {"x_train": plain(xtr), "y_train": plain(ytr), "x_test": plain(xte), "y_test": plain(yte)}


def perm_digest(p):
    return hashlib.sha256(np.asarray(p, dtype="<i8").tobytes()).hexdigest()


TEXT_CASES = [
    {},
    {"num_words": 20},
    {"num_words": 30, "skip_top": 5},
    {"maxlen": 12},
    {"start_char": None},
    {"oov_char": None, "num_words": 25},
    {"start_char": None, "index_from": 0, "num_words": 40},
    {"seed": 7, "maxlen": 20, "num_words": 50},
]


def main():
    import keras
    from keras.src.datasets import boston_housing, imdb, reuters
    from keras.src.datasets.cifar import load_batch

    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2024)
    fx = {"keras_version": keras.__version__, "numpy_version": np.__version__}

    # IMDB: x_train/y_train/x_test/y_test, written by numpy (pickle protocol 3)
    xtr, xte = reviews(rng, 40, 60), reviews(rng, 30, 60)
    ytr, yte = rng.integers(0, 2, 40).astype(np.int64), rng.integers(0, 2, 30).astype(np.int64)
    imdb_path = os.path.join(OUT, "imdb_small.npz")
    np.savez(imdb_path, x_train=obj_array(xtr), y_train=ytr, x_test=obj_array(xte), y_test=yte)
    imdb_py2 = os.path.join(OUT, "imdb_py2.npz")
    savez_py2(imdb_py2, x_train=obj_array(xtr), y_train=ytr, x_test=obj_array(xte), y_test=yte)
    imdb.get_file = lambda *a, **k: imdb_path
    fx["imdb"] = [{"options": c, "result": split_out(imdb.load_data(**c))} for c in TEXT_CASES]

    # Reuters: x, y (46 topics)
    xs = reviews(rng, 50, 70)
    ys = rng.integers(0, 46, 50).astype(np.int64)
    reuters_path = os.path.join(OUT, "reuters_small.npz")
    np.savez(reuters_path, x=obj_array(xs), y=ys)
    reuters.get_file = lambda *a, **k: reuters_path
    cases = TEXT_CASES + [{"test_split": 0.3}, {"test_split": 0.0, "num_words": 10}]
    fx["reuters"] = [{"options": c, "result": split_out(reuters.load_data(**c))} for c in cases]

    # Boston housing: x (n, 13) and y (n,) float64
    bx = np.round(rng.uniform(0, 100, (31, 13)), 5)
    by = np.round(rng.uniform(5, 50, 31), 1)
    boston_path = os.path.join(OUT, "boston_small.npz")
    np.savez(boston_path, x=bx, y=by)
    boston_housing.get_file = lambda *a, **k: boston_path
    fx["boston_housing"] = [
        {"test_split": ts, "seed": sd, "result": split_out(boston_housing.load_data(test_split=ts, seed=sd))}
        for ts, sd in [(0.2, 113), (0.5, 1)]
    ]

    # CIFAR-10: six Python 2 pickled batches of a few images each
    root = os.path.join(OUT, "cifar10")
    batches = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(batches, exist_ok=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for k, name in enumerate(names):
        n = 2 + k % 2
        d = {
            b"batch_label": ("testing batch 1 of 1" if k == 5 else f"training batch {k + 1} of 5").encode(),
            b"labels": [int(v) for v in rng.integers(0, 10, n)],
            b"data": rng.integers(0, 256, (n, 3072)).astype(np.uint8),
            b"filenames": [f"img_{k}_{i}.png".encode() for i in range(n)],
        }
        with open(os.path.join(batches, name), "wb") as f:
            f.write(py2_dumps(d))
    # cifar10.load_data() preallocates 10,000 images per batch, so the small
    # batches go through Keras' own batch reader (cifar.load_batch, its
    # restricted unpickler) and then cifar10.load_data's remaining lines.
    parts = [load_batch(os.path.join(batches, name)) for name in names]
    cx = np.concatenate([p[0] for p in parts[:5]]).astype("uint8")
    cy = np.concatenate([np.asarray(p[1], dtype="uint8") for p in parts[:5]])
    tx, ty = parts[5][0], np.asarray(parts[5][1])
    cy = np.reshape(cy, (len(cy), 1))
    ty = np.reshape(ty, (len(ty), 1))
    cx, tx = cx.transpose(0, 2, 3, 1), tx.transpose(0, 2, 3, 1)
    tx, ty = tx.astype(cx.dtype), ty.astype(cy.dtype)
    fx["cifar10"] = {
        "x_train": {"shape": list(cx.shape), "data": cx.ravel().tolist()},
        "y_train": {"shape": list(cy.shape), "data": cy.ravel().tolist()},
        "x_test": {"shape": list(tx.shape), "data": tx.ravel().tolist()},
        "y_test": {"shape": list(ty.shape), "data": ty.ravel().tolist()},
    }

    # numpy's RandomState(113) shuffles at the real datasets' sizes
    perms = []
    for sizes in [[506], [11228], [25000, 25000], [1], [2], [10]]:
        r = np.random.RandomState(113)
        for nth, n in enumerate(sizes):
            p = np.arange(n)
            r.shuffle(p)
            perms.append({"sizes": sizes, "nth": nth, "first": p[:20].tolist(), "sha256": perm_digest(p)})
    fx["random_state_113"] = perms

    # keras.utils.pad_sequences
    seqs = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]
    pad_cases = [
        {"maxlen": None},
        {"maxlen": 3},
        {"maxlen": 3, "padding": "post"},
        {"maxlen": 3, "truncating": "post"},
        {"maxlen": 6, "padding": "post", "truncating": "post", "value": -1},
    ]
    fx["pad_sequences"] = {
        "sequences": seqs,
        "cases": [{"options": c, "result": keras.utils.pad_sequences(seqs, **c).tolist(),
                   "dtype": str(keras.utils.pad_sequences(seqs, **c).dtype)} for c in pad_cases],
    }

    with open(os.path.join(OUT, "datasets.json"), "w") as f:
        json.dump(fx, f, separators=(",", ":"))
        f.write("\n")
    print(f"datasets: {os.path.getsize(os.path.join(OUT, 'datasets.json'))} bytes")


if __name__ == "__main__":
    main()
