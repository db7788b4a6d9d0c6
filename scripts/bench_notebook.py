"""Case 5 of `make bench`: the notebook kernel's speed, run under the Jupyter
venv (.venv, with nbclient) by scripts/bench.py; prints one BENCH_RESULT line.

    python scripts/bench_notebook.py cold --kernel kerust --work DIR [--quick]
    python scripts/bench_notebook.py warm --work DIR [--pair EXE] [--quick]

`cold` copies the crate into DIR (a frozen copy, so that edits to the
working tree between sessions do not turn a warm session cold, as a
student's crate does not change between kernel starts), registers that
copy's kernel, and runs a first session on an empty evcxr cache: the :dep
cell compiles kerust. `warm` starts the kernel again on the same cache and
runs the lessons' work: the MLP for 10 epochs and one epoch of keras.io's
convnet; with --pair, the release build (`examples/bench notebook`) runs
each of those epochs right before or after the kernel's. scripts/bench.py
runs `cold` once, then `warm --pair` a few times, and removes DIR.
"""

import argparse
import json
import os
import re
import shutil
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = "kerust-bench"

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
NB_COMPILE = 'model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])?;'
# One MLP epoch a cell, so that the release build can run its epoch right
# before or after each (see `warm`).
NB_EPOCH = """let t = Instant::now();
model.fit(&x_train, &y_train, Fit::epochs(1).verbose(0))?;
println!("BENCH_STEP {}", t.elapsed().as_secs_f64());"""
EPOCHS = 10
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
println!("BENCH_STEP {}", t.elapsed().as_secs_f64());"""


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


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


def paths(work):
    """The crate copy, its notebooks directory, its Jupyter path and the evcxr cache."""
    crate = os.path.join(work, "kerust")
    return crate, os.path.join(crate, "notebooks"), os.path.join(work, "jupyter"), os.path.join(work, "cache")


def session(work, cells, around=None):
    """Starts the copy's kernel with evcxr's cache in the work directory,
    runs cells, times each; stops at the first cell with an error.
    `around(i, when)` is called before and after cell i (when is "before"
    or "after")."""
    import nbformat
    from nbclient import NotebookClient

    _, nbdir, jupyter, cache = paths(work)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in [jupyter, os.environ.get("JUPYTER_PATH", "")] if p)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=3600,
        startup_timeout=120,
        allow_errors=True,
        resources={"metadata": {"path": nbdir}},
    )
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = cache  # evcxr's build cache: $XDG_CACHE_HOME/evcxr
    times, texts, errors = [], [], []
    t = time.perf_counter()
    with client.setup_kernel(env=env):
        start = time.perf_counter() - t
        for i, cell in enumerate(nb.cells):
            if around:
                around(i, "before")
            t = time.perf_counter()
            client.execute_cell(cell, i)
            times.append(time.perf_counter() - t)
            if around:
                around(i, "after")
            texts.append(cell_text(cell))
            errors.append(cell_error(cell))
            if errors[-1]:
                break
    return {"kernel_start_s": start, "cell_s": times, "outputs": texts, "errors": errors}


def cold(args):
    """Copies the crate and its kernel into the work directory, then runs
    a session on an empty cache: the :dep cell compiles kerust."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if args.kernel not in specs:
        raise RuntimeError(
            f"no Jupyter kernel named {args.kernel!r} (found: {', '.join(sorted(specs))}); "
            "install it with scripts/install_kernel.sh"
        )
    crate, nbdir, jupyter, cache = paths(args.work)
    skip = shutil.ignore_patterns("target", ".git", ".venv*", "notebooks", "__pycache__", "*.kerust")
    shutil.copytree(ROOT, crate, ignore=skip)
    os.makedirs(nbdir)
    os.makedirs(cache)
    # The copy's own kernel (its scripts/kernel.sh and evcxr config): the
    # cold session starts from an empty build slot, and the warm sessions
    # find the kerust build of the copy they load.
    spec = KernelSpecManager().get_kernel_spec(args.kernel).to_dict()
    to_copy = lambda v: v.replace(ROOT, crate)  # noqa: E731
    spec["argv"] = [to_copy(a) for a in spec["argv"]]
    spec["env"] = {k: to_copy(v) for k, v in spec.get("env", {}).items()}
    kdir = os.path.join(jupyter, "kernels", KERNEL)
    os.makedirs(kdir)
    with open(os.path.join(kdir, "kernel.json"), "w") as f:
        json.dump(spec, f)
    cells = [NB_DEP, NB_USE, NB_MODEL]
    log("notebook: cold session (fresh evcxr cache and build slot): :dep, model cell")
    s = session(args.work, cells)
    out = {"kernel": args.kernel, "kernelspec": specs[args.kernel]}
    if s["errors"] and s["errors"][0]:
        # Seen once: a transient "only metadata stub found for `dylib`
        # dependency `core`" from the first build; one retry.
        log(f"notebook: the :dep cell failed ({s['errors'][0]}); retrying once with a fresh cache")
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(cache)
        out["first_attempt_error"] = s["errors"][0]
        s = session(args.work, cells)
    log(f"notebook: cold cells {['%.1f' % v for v in s['cell_s']]}")
    cs = s["cell_s"]
    out.update(
        session=s,
        dep_cold_s=cs[0] if cs else None,
        # The first cell that compiles kerust code in a session.
        model_cell_s=cs[2] if len(cs) > 2 else None,
    )
    return out, s


class Release:
    """The release build's side of a warm session (`examples/bench
    notebook`): a process that loads MNIST and runs one step per request."""

    def __init__(self, exe):
        import subprocess

        self.proc = subprocess.Popen([exe, "notebook"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.expect("READY")

    def expect(self, word):
        for line in self.proc.stdout:
            if line.startswith(word):
                return line[len(word):].strip()
            if line.startswith("BENCH_RESULT "):
                raise RuntimeError("release build: " + line.strip())
        raise RuntimeError(f"the release build ended before it printed {word} (exit code {self.proc.wait()})")

    def step(self, what):
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return float(self.expect("STEP"))

    def finish(self):
        self.proc.stdin.close()
        out = self.expect("BENCH_RESULT")
        self.proc.wait()
        return json.loads(out)


def warm(args):
    """A session on the cache the cold one filled: the :dep cell, the model
    cell twice, 10 MLP epochs (a cell each), one convnet epoch after a
    warm-up. With --pair, the release build (`examples/bench notebook`)
    runs the same epochs in its own process, each right after or right
    before the kernel's (in turn), so that both sides of a pair meet the
    same machine: an epoch swings from 0.55 to 1.3 s on either side, in
    stretches of several epochs, which whole runs of one side missed."""
    n = 2000 if args.quick else 60000
    d = os.environ.get("BENCH_MNIST_DIR")
    load = f"datasets::mnist::load_data_from({json.dumps(d)})" if d else "datasets::mnist::load_data()"
    head = [NB_DEP, NB_USE, NB_MODEL, NB_MODEL_AGAIN, NB_DATA.format(load=load, n=n), NB_COMPILE]
    cells = head + [NB_EPOCH] * EPOCHS + [NB_CONVNET]
    release = Release(args.pair) if args.pair else None
    steps = {len(head) + i: "mlp" for i in range(EPOCHS)}
    steps[len(cells) - 1] = "convnet"

    def around(i, when):
        """The release step of cell i: after the kernel's on even steps,
        before it on odd ones."""
        if release and i in steps and when == ("after" if (i - len(head)) % 2 == 0 else "before"):
            release.step(steps[i])

    log(f"notebook: warm session (same cache and slot): :dep, model cell twice, {EPOCHS} MLP epochs, the convnet"
        + (", each paired with the release build's" if release else ""))
    s = session(args.work, cells, around)
    log(f"notebook: warm cells {['%.1f' % v for v in s['cell_s']]}")
    ws, texts = s["cell_s"], s["outputs"]
    out = {
        "n_train": n,
        "session": s,
        "kernel_start_s": s["kernel_start_s"],
        "dep_warm_s": ws[0] if ws else None,
        "model_cell_s": ws[2] if len(ws) > 2 else None,
        "model_cell_again_s": ws[3] if len(ws) > 3 else None,
    }
    step = lambda i: (  # noqa: E731
        float(m.group(1)) if i < len(texts) and (m := re.search(r"BENCH_STEP ([0-9.eE+-]+)", texts[i])) else None
    )
    out["epoch_s"] = [step(len(head) + i) for i in range(EPOCHS)]
    out["convnet_epoch_s"] = step(len(cells) - 1)
    if release:
        out["release"] = release.finish()
    return out, s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("phase", choices=["cold", "warm"])
    ap.add_argument("--work", required=True, help="the directory for the crate copy, its kernel and the evcxr cache")
    ap.add_argument("--kernel", default="kerust", help="the installed Jupyter kernel to copy (cold)")
    ap.add_argument("--quick", action="store_true", help="2,000 training images")
    ap.add_argument("--pair", metavar="EXE", help="warm: the release build's examples/bench, run paired")
    args = ap.parse_args()
    try:
        out, s = (cold if args.phase == "cold" else warm)(args)
        errs = [e for e in s["errors"] if e]
        if errs:
            out["error"] = errs[0]
    except Exception as e:  # reported in the table
        out = {"error": f"{type(e).__name__}: {e}"}
    print("BENCH_RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
