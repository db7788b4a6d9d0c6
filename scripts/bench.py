"""`make bench` (issues 6, 18): the same work in kerust (release build) and
in TF-Keras; prints a table of times, ratios (kerust / TF-Keras) and peak
memory, and writes target/bench.json.

    python scripts/bench.py [--quick] [--runs 3]
        [--cases mlp,seed001,cnn,convnet,limit,predict,notebook]

Run it with a Python that has tensorflow-cpu (the Makefile's .venv-tf); the
notebook case (5) runs this same file again under the Jupyter venv (.venv,
with nbclient) as `--notebook-driver`, in the installed "kerust" kernel.

Each case runs --runs times (3) on each side, interleaved (kerust, TF-Keras,
kerust, TF-Keras, ...), each run its own process (examples/bench.rs,
scripts/bench_tf.py). The table shows each side's best run, the ratio of
the bests and the spread (fastest to slowest run): on a shared machine a
single run of either side swings by 2x. Peak resident memory is each
process's ru_maxrss (os.wait4). Times are wall clock inside the process
around the calls a user writes (data loading and imports excluded).

Warm-up: case 1 reports epoch 1 apart (it includes TensorFlow's tracing);
its ratio uses the better of epochs 2 and 3 on both sides. Cases 2 and 3
time the whole fit call on both sides (tracing included for TF). Case 6,
keras.io's MNIST convnet (batch 128), times one epoch over 60,000 images
after a warm-up epoch on 6,000. Case 7 ("limit", kerust only) times the
MLP's and the convnet's matrix products of one epoch alone (same shapes and
count, forward and backward, same GEMM code and thread pool): an epoch can
not be faster than that with this GEMM. Case 4 calls predict twice on both
sides and the ratio uses the second call. Case 1's test accuracy is the
median of three kerust models (one TF-Keras model). Case 5 compares the
notebook kernel's MLP (best of epochs 2 and 3) and convnet epochs with the
release build's.

--quick (or BENCH_QUICK=1): 2,000 training and 1,000 test images, to try the
harness out; the numbers then mean nothing.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = ["mlp", "seed001", "cnn", "convnet", "limit", "predict", "notebook"]
IDX = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def has_mnist(d):
    if not d or not os.path.isdir(d):
        return False
    if os.path.isfile(os.path.join(d, "mnist.npz")):
        return True
    return all(
        os.path.isfile(os.path.join(d, n)) or os.path.isfile(os.path.join(d, n + ".gz"))
        for n in IDX
    )


def mnist_dir():
    """One directory both sides read MNIST from (the same files)."""
    keras_home = os.environ.get("KERAS_HOME") or os.path.expanduser("~/.keras")
    for d in (
        os.environ.get("BENCH_MNIST_DIR"),
        os.path.join(keras_home, "datasets"),
        "/tmp/mn/package/data",
    ):
        if has_mnist(d):
            return os.path.abspath(d)
    return None


def run(cmd, env, cwd=ROOT, timeout=None):
    """Runs cmd; returns (exit code, stdout, stderr, wall s, peak RSS MB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except KeyboardInterrupt:
            p.kill()
            raise
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (
            p.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            wall,
            ru.ru_maxrss / 1024.0,  # KB on Linux
        )


def result_line(stdout):
    for line in reversed(stdout.splitlines()):
        if line.startswith("BENCH_RESULT "):
            return json.loads(line[len("BENCH_RESULT ") :])
    return None


def run_side(name, cmd, env):
    code, out, err, wall, rss = run(cmd, env)
    res = result_line(out) or {}
    if code != 0 and "error" not in res:
        tail = (err.strip().splitlines() or ["(no output)"])[-5:]
        res["error"] = f"exit code {code}: " + " | ".join(tail)
    res["process_wall_s"] = wall
    res["peak_rss_mb"] = rss
    if "error" in res:
        log(f"{name}: ERROR {res['error']}")
    else:
        log(f"{name}: done in {wall:.1f} s, peak RSS {rss:.0f} MB")
    return res


def machine():
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def cmd(*c):
        try:
            return subprocess.run(c, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "nproc": int(cmd("nproc") or os.cpu_count() or 0),
        "cpu_model": model or platform.processor(),
        "mem_total_gb": mem,
        "rustc": cmd("rustc", "--version"),
        "os": platform.platform(),
        "python": platform.python_version(),
        "loadavg_start": list(os.getloadavg()),
    }


# ---------------------------------------------------------------- notebook

NB_DEP = ':dep kerust = { path = ".." }'
NB_USE = "use kerust::prelude::*;\nuse std::time::Instant;"
NB_MODEL = """let mut model = Sequential::new();
model.add(Flatten::new().input_shape([28, 28]))?;
model.add(Dense::new(128).activation("relu"))?;
model.add(Dense::new(128).activation("relu"))?;
model.add(Dense::new(10).activation("softmax"))?;
model.summary();"""
NB_MODEL_AGAIN = NB_MODEL.replace("model", "model2")

NB_DATA = """let ((x_train, y_train), (x_test, y_test)) = {load}?;
let x_train = x_train.slice(s![..{n}, .., ..]).mapv(|p| p as f32 / 255.0);
let y_train = y_train.slice(s![..{n}]).to_owned();
x_train.shape().to_vec()"""
NB_FIT = """model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])?;
let mut bench_epochs = Vec::new();
for _ in 0..3 {
    let t = Instant::now();
    model.fit(&x_train, &y_train, Fit::epochs(1).verbose(0))?;
    bench_epochs.push(t.elapsed().as_secs_f64());
}
println!("BENCH_EPOCHS {:?}", bench_epochs);"""
NB_CONVNET = """let x_img = x_train.clone().into_shape_with_order((x_train.shape()[0], 28, 28, 1))?;
let y_hot = utils::to_categorical(&y_train, 10)?;
let mut convnet = Sequential::new();
convnet.add(Conv2D::new(32, (3, 3)).activation("relu").input_shape([28, 28, 1]))?;
convnet.add(MaxPooling2D::new((2, 2)))?;
convnet.add(Conv2D::new(64, (3, 3)).activation("relu"))?;
convnet.add(MaxPooling2D::new((2, 2)))?;
convnet.add(Flatten::new())?;
convnet.add(Dropout::new(0.5))?;
convnet.add(Dense::new(10).activation("softmax"))?;
convnet.compile("adam", "categorical_crossentropy", ["accuracy"])?;
let warm = x_img.shape()[0] / 10;
convnet.fit(&x_img.slice(s![..warm, .., .., ..]).to_owned(), &y_hot.slice(s![..warm, ..]).to_owned(),
            Fit::epochs(1).batch_size(128).verbose(0))?;
let t = Instant::now();
convnet.fit(&x_img, &y_hot, Fit::epochs(1).batch_size(128).verbose(0))?;
println!("BENCH_CONVNET_EPOCH {}", t.elapsed().as_secs_f64());"""


def cell_text(cell):
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif o.get("output_type") == "error":
            parts.append(f"ERROR {o.get('ename')}: {o.get('evalue')}")
        elif "data" in o:
            parts.append(o["data"].get("text/plain", ""))
    return "".join(parts)


def cell_error(cell):
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return f"{o.get('ename')}: {o.get('evalue')}".strip()
    return None


def notebook_session(kernel, cells, cache_home, nbdir):
    """Starts a kernel with evcxr's cache in cache_home, runs cells, times each."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=3600,
        startup_timeout=120,
        allow_errors=True,
        resources={"metadata": {"path": nbdir}},
    )
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = cache_home  # evcxr's build cache: $XDG_CACHE_HOME/evcxr
    times, texts, errors = [], [], []
    t = time.perf_counter()
    with client.setup_kernel(env=env):
        start = time.perf_counter() - t
        for i, cell in enumerate(nb.cells):
            t = time.perf_counter()
            client.execute_cell(cell, i)
            times.append(time.perf_counter() - t)
            texts.append(cell_text(cell))
            errors.append(cell_error(cell))
            if errors[-1]:
                break
    return {"kernel_start_s": start, "cell_s": times, "outputs": texts, "errors": errors}


def notebook_driver(args):
    """Case 5, run under the Jupyter venv: prints one BENCH_RESULT line."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
        if args.kernel not in specs:
            raise RuntimeError(
                f"no Jupyter kernel named {args.kernel!r} (found: {', '.join(sorted(specs))}); "
                "install it with scripts/install_kernel.sh"
            )
        n = 2000 if args.quick else 60000
        d = os.environ.get("BENCH_MNIST_DIR")
        load = f"datasets::mnist::load_data_from({json.dumps(d)})" if d else "datasets::mnist::load_data()"
        cache = tempfile.mkdtemp(prefix="kerust-bench-evcxr-cache-")
        # A frozen copy of the crate, so that other edits to the working tree
        # between the cold and the warm session do not turn the warm one cold
        # (a student's crate does not change between kernel starts).
        snap = tempfile.mkdtemp(prefix="kerust-bench-src-")
        skip = shutil.ignore_patterns("target", ".git", ".venv*", "notebooks", "__pycache__", "*.kerust")
        shutil.copytree(ROOT, os.path.join(snap, "kerust"), ignore=skip)
        nbdir = os.path.join(snap, "kerust", "notebooks")
        os.makedirs(nbdir)
        # The copy's own kernel (its scripts/kernel.sh and evcxr config): a
        # cold session then starts from an empty build slot, and the warm
        # session finds the kerust build of the copy it loads.
        spec = KernelSpecManager().get_kernel_spec(args.kernel).to_dict()
        to_snap = lambda v: v.replace(ROOT, os.path.join(snap, "kerust"))  # noqa: E731
        spec["argv"] = [to_snap(a) for a in spec["argv"]]
        spec["env"] = {k: to_snap(v) for k, v in spec.get("env", {}).items()}
        kdir = os.path.join(snap, "jupyter", "kernels", "kerust-bench")
        os.makedirs(kdir)
        with open(os.path.join(kdir, "kernel.json"), "w") as f:
            json.dump(spec, f)
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            p for p in [os.path.join(snap, "jupyter"), os.environ.get("JUPYTER_PATH", "")] if p
        )
        kernel = "kerust-bench"
        try:
            log("notebook: cold session (fresh evcxr cache and build slot): :dep, model cell")
            cold = notebook_session(
                kernel,
                [NB_DEP, NB_USE, NB_MODEL],
                cache,
                nbdir,
            )
            if cold["errors"] and cold["errors"][0]:
                # Seen once: a transient "only metadata stub found for `dylib`
                # dependency `core`" from the first build; one retry.
                log(f"notebook: the :dep cell failed ({cold['errors'][0]}); retrying once with a fresh cache")
                shutil.rmtree(cache, ignore_errors=True)
                os.makedirs(cache)
                first_error = cold["errors"][0]
                cold = notebook_session(
                    kernel,
                    [NB_DEP, NB_USE, NB_MODEL],
                    cache,
                    nbdir,
                )
                cold["first_attempt_error"] = first_error
            log(f"notebook: cold cells {['%.1f' % s for s in cold['cell_s']]}")
            log("notebook: warm session (same cache and slot): :dep, model cell, the model cell again, 3 MLP epochs, the convnet")
            warm = notebook_session(
                kernel,
                [NB_DEP, NB_USE, NB_MODEL, NB_MODEL_AGAIN, NB_DATA.format(load=load, n=n), NB_FIT, NB_CONVNET],
                cache,
                nbdir,
            )
            log(f"notebook: warm cells {['%.1f' % s for s in warm['cell_s']]}")
        finally:
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(snap, ignore_errors=True)
        out = {"kernel": args.kernel, "kernelspec": specs[args.kernel], "n_train": n}
        errs = [e for s in (cold, warm) for e in s["errors"] if e]
        if errs:
            out["error"] = errs[0]
        cs, ws = cold["cell_s"], warm["cell_s"]
        out["cold"] = cold
        out["warm"] = warm
        out["dep_cold_s"] = cs[0] if cs else None
        out["dep_warm_s"] = ws[0] if ws else None
        # The first cell that compiles kerust code in a session, cold and warm;
        # then a second model cell in the warm session.
        out["model_cell_s"] = [cs[2] if len(cs) > 2 else None, ws[2] if len(ws) > 2 else None]
        out["model_cell_again_s"] = ws[3] if len(ws) > 3 else None
        m = re.search(r"BENCH_EPOCHS (\[[^\]]*\])", warm["outputs"][5] if len(warm["outputs"]) > 5 else "")
        out["epoch_s"] = json.loads(m.group(1)) if m else None
        m = re.search(r"BENCH_CONVNET_EPOCH ([0-9.eE+-]+)", warm["outputs"][6] if len(warm["outputs"]) > 6 else "")
        out["convnet_epoch_s"] = float(m.group(1)) if m else None
    except Exception as e:  # reported in the table
        out = {"error": f"{type(e).__name__}: {e}"}
    print("BENCH_RESULT " + json.dumps(out))


# ---------------------------------------------------------------- table


def fmt_s(v):
    return "-" if v is None else f"{v:.3f} s" if v < 10 else f"{v:.1f} s"


def get(d, *path):
    for p in path:
        if d is None:
            return None
        try:
            d = d[p]
        except (KeyError, IndexError, TypeError):
            return None
    return d


def best(runs, *path):
    """The smallest value at path over a side's runs, and "min-max" of them."""
    vals = [v for v in (get(r, *path) for r in runs or []) if isinstance(v, (int, float))]
    if not vals:
        return None, ""
    return min(vals), (f"{fmt_s(min(vals))} to {fmt_s(max(vals))}" if len(vals) > 1 else "")


def epoch23(r):
    """The MLP's steady epoch in one run: the better of epochs 2 and 3."""
    e = get(r, "epoch_s") or []
    return min(e[1:3]) if len(e) > 1 else None


def rows_for(results, machine_info):
    """(case, kerust, TF-Keras, ratio, target, pass/fail, note) rows: each
    side's best of its runs, the ratio of the bests, the spread in notes."""
    rows = []

    def verdict(ok):
        return "-" if ok is None else ("pass" if ok else "FAIL")

    def ratio_row(name, k, t, target, note=""):
        (kb, ks), (tb, ts) = k, t
        r = kb / tb if (kb is not None and tb) else None
        spread = "; ".join(x for x in (f"kerust {ks}" if ks else "", f"TF {ts}" if ts else "") if x)
        note = "; ".join(x for x in (note, spread) if x)
        rows.append((name, fmt_s(kb), fmt_s(tb), "-" if r is None else f"{r:.3f}",
                     "-" if target is None else f"<= {target}", verdict(None if (r is None or target is None) else r <= target), note))
        return r

    def limit_row(name, k, lim, target):
        r = k / lim if (k and lim) else None
        rows.append((name, fmt_s(k), "-", "-" if r is None else f"{r:.2f} x limit", f"<= {target} x limit",
                     verdict(None if r is None else r <= target), f"limit {fmt_s(lim)}" if lim else ""))

    def err_note(case):
        errs = [f"{side}: {r['error']}" for side in ("kerust", "tf") for r in get(results, case, side) or [] if "error" in r]
        return "; ".join(errs[:2])

    def acc_note(case, label):
        """The case's errors, and the first runs' test accuracies on both sides."""
        note = err_note(case)
        ka, ta = get(results, case, "kerust", 0, "test_accuracy"), get(results, case, "tf", 0, "test_accuracy")
        if ka is not None and ta is not None:
            note = (note + "; " if note else "") + f"{label} {ka:.3f} vs {ta:.3f}"
        return note

    def sides(case):
        return get(results, case, "kerust") or [], get(results, case, "tf") or []

    pct = lambda v: "-" if v is None else f"{100 * v:.2f}%"  # noqa: E731
    mb = lambda v: "-" if v is None else f"{v:.0f} MB"  # noqa: E731
    limits = {c: best(get(results, "limit", "kerust"), "cases", c, "epoch_s")[0] for c in ("mlp", "convnet")}

    k, t = sides("mlp")
    if k or t:
        ke = best([{"e": epoch23(r)} for r in k], "e")
        te = best([{"e": epoch23(r)} for r in t], "e")
        ratio_row("1 MLP epoch 1 (incl. warm-up)", best(k, "epoch_s", 0), best(t, "epoch_s", 0), None, err_note("mlp"))
        ratio_row("1 MLP epoch (best of epochs 2-3)", ke, te, 0.10)
        limit_row("1 MLP epoch vs its products alone", ke[0], limits["mlp"], 2.5)
        ka = get(k, 0, "test_accuracy")
        runs = get(k, 0, "test_accuracy_runs") or []
        rows.append(("1 MLP test accuracy, 3 epochs", pct(ka), pct(get(t, 0, "test_accuracy")), "-", ">= 97% (kerust)",
                     verdict(None if ka is None else ka >= 0.97),
                     ("kerust: median of 3 models (" + ", ".join(pct(v) for v in runs) + "); TF-Keras: 1 model") if runs else ""))
        km, tm = best(k, "peak_rss_mb")[0], best(t, "peak_rss_mb")[0]
        rows.append(("1 MLP peak RSS", mb(km), mb(tm), "-" if not (km and tm) else f"{km / tm:.3f}", "<= 400 MB (kerust)",
                     verdict(None if km is None else km <= 400), ""))
    k, t = sides("seed001")
    if k or t:
        ratio_row("2 seed 001, 10 epochs", best(k, "total_s"), best(t, "total_s"), 0.25, err_note("seed001"))
    k, t = sides("cnn")
    if k or t:
        ratio_row("3 CNN, 1 epoch (batch 32)", best(k, "epoch_s"), best(t, "epoch_s"), 0.25, acc_note("cnn", "test acc"))
    k, t = sides("convnet")
    if k or t:
        kb = best(k, "epoch_s")
        note = acc_note("convnet", "test acc after warm-up + 1 epoch")
        ratio_row("6 keras.io convnet, 1 epoch (batch 128)", kb, best(t, "epoch_s"), 0.75, note)
        limit_row("6 convnet epoch vs its products alone", kb[0], limits["convnet"], 2)
        km, tm = max((get(r, "peak_rss_mb") or 0 for r in k), default=None), max((get(r, "peak_rss_mb") or 0 for r in t), default=None)
        rows.append(("6 convnet peak RSS (max of runs)", mb(km), mb(tm), "-" if not (km and tm) else f"{km / tm:.3f}",
                     "<= 600 MB (kerust)", verdict(None if not km else km <= 600), ""))
    lim = get(results, "limit", "kerust") or []
    for c in ("mlp", "convnet"):
        v, spread = best(lim, "cases", c, "epoch_s")
        if v is not None:
            gf = get(lim, 0, "cases", c, "gflop")
            rows.append((f"7 limit: the {c}'s products alone, 1 epoch", fmt_s(v), "-", "-", "-", "-",
                         f"{gf:.0f} GFLOP, best {gf / v:.0f} GFLOP/s" + (f"; {spread}" if spread else "")))
    k, t = sides("predict")
    if k or t:
        ratio_row("4 predict 10k, 1st call", best(k, "predict_s", 0), best(t, "predict_s", 0), None, err_note("predict"))
        ratio_row("4 predict 10k, 2nd call", best(k, "predict_s", 1), best(t, "predict_s", 1), 0.05,
                  "Keras default batch 32; kerust batches 1024")
    nbs = get(results, "notebook", "kerust") or []
    if nbs:
        nb = nbs[0]
        note = err_note("notebook")
        rel = best([{"e": epoch23(r)} for r in get(results, "mlp", "kerust") or []], "e")[0]
        ke = best([{"e": epoch23(nb)}], "e")[0]
        r = ke / rel if (ke and rel) else None
        rows.append(("5 notebook MLP epoch, best of 2-3", fmt_s(ke), "-", "-" if r is None else f"{r:.3f} x release",
                     "<= 1.1 x release", verdict(None if r is None else r <= 1.1), note or f"release: {fmt_s(rel)}"))
        rel = best(get(results, "convnet", "kerust"), "epoch_s")[0]
        ke = get(nb, "convnet_epoch_s")
        r = ke / rel if (ke and rel) else None
        rows.append(("5 notebook convnet epoch", fmt_s(ke), "-", "-" if r is None else f"{r:.3f} x release",
                     "<= 1.1 x release", verdict(None if r is None else r <= 1.1), f"release: {fmt_s(rel)}"))
        v = get(nb, "dep_cold_s")
        rows.append(("5 first :dep cell, cold cache", fmt_s(v), "-", "-", "-", "-", ""))
        v = get(nb, "warm", "kernel_start_s")
        rows.append(("5 kernel start, warm (preloads kerust)", fmt_s(v), "-", "-", "-", "-",
                     "evcxr loads kerust before it answers Jupyter (scripts/kernel.sh)"))
        v = get(nb, "dep_warm_s")
        rows.append(("5 first :dep cell, warm cache", fmt_s(v), "-", "-", "<= 5 s", verdict(None if v is None else v <= 5), ""))
        ms = get(nb, "model_cell_s") or [None, None]
        rows.append(("5 model cell, first in a cold session", fmt_s(ms[0]), "-", "-", "-", "-",
                     "the session that compiled kerust (no preload)"))
        v = ms[1] if len(ms) > 1 else None
        rows.append(("5 model cell, first in a warm session", fmt_s(v), "-", "-", "< 1 s", verdict(None if v is None else v < 1), ""))
        v = get(nb, "model_cell_again_s")
        rows.append(("5 model cell, built again", fmt_s(v), "-", "-", "< 1 s", verdict(None if v is None else v < 1), ""))
    return rows


def print_table(rows, machine_info, quick):
    head = ("case", "kerust", "TF-Keras", "ratio", "target", "pass/fail")
    w = [max(len(str(r[i])) for r in [head] + rows) for i in range(6)]
    line = lambda r: "| " + " | ".join(str(r[i]).ljust(w[i]) for i in range(6)) + " |"  # noqa: E731
    print()
    if quick:
        print("QUICK RUN (2,000 training images): these numbers are for trying the harness only.")
    print(
        f"Machine: {machine_info['nproc']} cores, {machine_info['cpu_model']}, "
        f"{machine_info.get('mem_total_gb')} GB, {machine_info['rustc']}; "
        f"load average at start {machine_info['loadavg_start'][0]:.2f}"
    )
    print(line(head))
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for r in rows:
        print(line(r))
    notes = [(r[0], r[6]) for r in rows if r[6]]
    if notes:
        print()
        for name, n in notes:
            print(f"- {name}: {n}")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2,000 training images (harness check)")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated subset of " + ",".join(CASES))
    ap.add_argument("--jupyter-python", default=os.path.join(ROOT, ".venv", "bin", "python"),
                    help="a Python with nbclient, for case 5")
    ap.add_argument("--kernel", default="kerust", help="the Jupyter kernel for case 5")
    ap.add_argument("--runs", type=int, default=3, help="runs of each case on each side, interleaved (default 3)")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench.json"))
    ap.add_argument("--no-build", action="store_true", help="use the existing release build")
    ap.add_argument("--notebook-driver", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.quick = args.quick or os.environ.get("BENCH_QUICK", "") not in ("", "0")
    if args.notebook_driver:
        return notebook_driver(args)

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    bad = [c for c in cases if c not in CASES]
    if bad:
        sys.exit(f"bench.py: unknown case(s) {bad}; expected some of {CASES}")
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    if args.quick:
        env["BENCH_QUICK"] = "1"
    else:
        env.pop("BENCH_QUICK", None)
    d = mnist_dir()
    if d:
        env["BENCH_MNIST_DIR"] = d
    log(f"MNIST from {d or 'each side’s load_data()'}")
    info = machine()

    exe = os.path.join(ROOT, "target", "release", "examples", "bench")
    if not args.no_build and any(c != "notebook" for c in cases):
        log("building: cargo build --release --example bench")
        code = subprocess.call(["cargo", "build", "--release", "--example", "bench"], cwd=ROOT)
        if code != 0:
            sys.exit("bench.py: the release build failed")

    results = {}
    for case in cases:
        if case == "notebook":
            if not os.path.exists(args.jupyter_python):
                results[case] = {"kerust": [{"error": f"no Jupyter Python at {args.jupyter_python}"}]}
                continue
            log("case notebook: running in the Jupyter kernel through nbclient (the cold :dep takes minutes)")
            cmd = [args.jupyter_python, os.path.abspath(__file__), "--notebook-driver", "--kernel", args.kernel]
            if args.quick:
                cmd.append("--quick")
            results[case] = {"kerust": [run_side("notebook", cmd, env)]}
            continue
        results[case] = {"kerust": [], "tf": []}
        for i in range(args.runs):
            log(f"case {case}, run {i + 1} of {args.runs}: kerust")
            if case == "limit":
                parts = {c: run_side(f"limit_{c} kerust", [exe, f"limit_{c}"], env) for c in ("mlp", "convnet")}
                k = {"cases": parts}
                errs = [p["error"] for p in parts.values() if "error" in p]
                if errs:
                    k["error"] = errs[0]
                results[case]["kerust"].append(k)
                continue
            results[case]["kerust"].append(run_side(f"{case} kerust", [exe, case], env))
            log(f"case {case}, run {i + 1} of {args.runs}: TF-Keras")
            tf_cmd = [sys.executable, os.path.join(ROOT, "scripts", "bench_tf.py"), case]
            results[case]["tf"].append(run_side(f"{case} TF-Keras", tf_cmd, env))

    info["loadavg_end"] = list(os.getloadavg())
    rows = rows_for(results, info)
    print_table(rows, info, args.quick)
    out = {
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": info,
        "mnist_dir": d,
        "timing": (
            f"{args.runs} runs of each case on each side, interleaved (kerust, TF-Keras, kerust, ...); "
            "each side's best run, the ratio of the bests; "
            "wall clock in-process around the user's calls; case 1: fit(epochs=1) per epoch on both sides, "
            "epoch 1 includes warm-up (TF tracing), the ratio uses the better of epochs 2 and 3; cases 2, 3: "
            "the whole fit call, warm-up included on both sides; case 6: one epoch after a warm-up epoch on "
            "6,000 images; case 7 (limit): the model's matrix products of one epoch alone, same GEMM code "
            "and thread pool; case 4: predict twice, the ratio uses the 2nd call; "
            "TF with its default thread settings, TF_CPP_MIN_LOG_LEVEL=2; verbose=0 on both sides"
        ),
        "results": results,
        "table": [dict(zip(["case", "kerust", "tf_keras", "ratio", "target", "verdict", "note"], r)) for r in rows],
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
