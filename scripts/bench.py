"""`make bench` (issues 6, 18): the same work in kerust (release build) and
in TF-Keras; prints a table of times, ratios (kerust / TF-Keras) and peak
memory, and writes target/bench.json.

    python scripts/bench.py [--quick] [--runs 3]
        [--cases mlp,seed001,cnn,convnet,limit,predict,notebook]

Run it with a Python that has tensorflow-cpu (the Makefile's .venv-tf); the
notebook case (5) runs scripts/bench_notebook.py under the Jupyter venv
(.venv, with nbclient) in a copy of the installed "kerust" kernel.

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
median of three kerust models (one TF-Keras model). Case 5 runs one cold
notebook session (the first :dep compiles kerust), then --runs warm
sessions, each paired with a release build process (`examples/bench
notebook`) that runs the same epochs one by one, each right before or right
after the kernel's: an epoch swings from 0.55 to 1.3 s on either side, in
stretches of several epochs, so whole runs taken in turn compared one
side's slow stretch with the other's fast one. It compares the notebook
kernel's best MLP epoch (of epochs 2 to 10 of each session) and convnet
epoch with the release build's best, and gives the median of the paired
epochs' ratios beside it.

--quick (or BENCH_QUICK=1): 2,000 training and 1,000 test images, to try the
harness out; the numbers then mean nothing.
"""

import argparse
import json
import os
import platform
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


def sides_of(results, case, other):
    """A case's kerust runs and the runs of the side it is compared with."""
    return get(results, case, "kerust") or [], get(results, case, other) or []


def later_epochs(runs):
    """Every epoch after the first of every run, as {"e": seconds}."""
    return [{"e": e} for r in runs for e in (get(r, "epoch_s") or [])[1:]]


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
        errs = [f"{side}: {r['error']}" for side in ("kerust", "tf", "release") for r in get(results, case, side) or [] if "error" in r]
        return "; ".join(errs[:2])

    def acc_note(case, label):
        """The case's errors, and the first runs' test accuracies on both sides."""
        note = err_note(case)
        ka, ta = get(results, case, "kerust", 0, "test_accuracy"), get(results, case, "tf", 0, "test_accuracy")
        if ka is not None and ta is not None:
            note = (note + "; " if note else "") + f"{label} {ka:.3f} vs {ta:.3f}"
        return note

    def sides(case):
        return sides_of(results, case, "tf")

    def release_row(name, k, rel, note=""):
        """The notebook kernel's best against the release build's best."""
        (kb, ks), (rb, rs) = k, rel
        r = kb / rb if (kb and rb) else None
        spread = "; ".join(x for x in (f"notebook {ks}" if ks else "", f"release {rs}" if rs else "") if x)
        rows.append((name, fmt_s(kb), "-", "-" if r is None else f"{r:.3f} x release", "<= 1.1 x release",
                     verdict(None if r is None else r <= 1.1),
                     "; ".join(x for x in (note, f"release {fmt_s(rb)}", spread) if x)))

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
    nbs, rels = sides_of(results, "notebook", "release")
    if nbs:
        cold = get(results, "notebook", "cold") or {}
        ke, rel = best(later_epochs(nbs), "e"), best(later_epochs(rels), "e")
        pairs = sorted(k / r for a, b in zip(nbs, rels)
                       for k, r in zip((get(a, "epoch_s") or [])[1:], (get(b, "epoch_s") or [])[1:]) if k and r)
        note = f"median of the paired epochs' ratios {pairs[len(pairs) // 2]:.3f} ({len(pairs)} pairs)" if pairs else ""
        release_row("5 notebook MLP epoch, best of epochs 2-10", ke, rel,
                    "; ".join(x for x in (err_note("notebook"), note) if x))
        release_row("5 notebook convnet epoch", best(nbs, "convnet_epoch_s"), best(rels, "convnet_epoch_s"))
        rows.append(("5 first :dep cell, cold cache", fmt_s(get(cold, "dep_cold_s")), "-", "-", "-", "-", ""))
        v, spread = best(nbs, "kernel_start_s")
        rows.append(("5 kernel start, warm (preloads kerust)", fmt_s(v), "-", "-", "-", "-",
                     "; ".join(x for x in ("evcxr loads kerust before it answers Jupyter (scripts/kernel.sh)", spread) if x)))
        v, spread = best(nbs, "dep_warm_s")
        rows.append(("5 first :dep cell, warm cache", fmt_s(v), "-", "-", "<= 5 s", verdict(None if v is None else v <= 5), spread))
        rows.append(("5 model cell, first in a cold session", fmt_s(get(cold, "model_cell_s")), "-", "-", "-", "-",
                     "the session that compiled kerust (no preload)"))
        v, spread = best(nbs, "model_cell_s")
        rows.append(("5 model cell, first in a warm session", fmt_s(v), "-", "-", "< 1 s", verdict(None if v is None else v < 1), spread))
        v, spread = best(nbs, "model_cell_again_s")
        rows.append(("5 model cell, built again", fmt_s(v), "-", "-", "< 1 s", verdict(None if v is None else v < 1), spread))
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


def notebook_case(args, exe, env):
    """Case 5: a cold session of the notebook kernel once, then --runs warm
    sessions, each paired epoch by epoch with the release build's same work
    (scripts/bench_notebook.py under the Jupyter venv, examples/bench.rs)."""
    if not os.path.exists(args.jupyter_python):
        return {"kerust": [{"error": f"no Jupyter Python at {args.jupyter_python}"}]}
    work = tempfile.mkdtemp(prefix="kerust-bench-notebook-")
    driver = [args.jupyter_python, os.path.join(ROOT, "scripts", "bench_notebook.py")]
    opts = ["--work", work] + (["--quick"] if args.quick else [])
    out = {"kerust": [], "release": []}
    try:
        log("case notebook: a cold session in the Jupyter kernel (the first :dep compiles kerust: minutes)")
        out["cold"] = run_side("notebook cold", driver + ["cold", "--kernel", args.kernel] + opts, env)
        if "error" in out["cold"]:
            out["kerust"].append({"error": out["cold"]["error"]})
            return out
        for i in range(args.runs):
            log(f"case notebook, run {i + 1} of {args.runs}: a warm session paired with the release build")
            r = run_side("notebook warm", driver + ["warm", "--pair", exe] + opts, env)
            out["kerust"].append(r)
            out["release"].append(r.pop("release", {"error": r.get("error", "no release result")}))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


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
    args = ap.parse_args()
    args.quick = args.quick or os.environ.get("BENCH_QUICK", "") not in ("", "0")

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
    if not args.no_build:
        log("building: cargo build --release --example bench")
        code = subprocess.call(["cargo", "build", "--release", "--example", "bench"], cwd=ROOT)
        if code != 0:
            sys.exit("bench.py: the release build failed")

    results = {}
    for case in cases:
        if case == "notebook":
            results[case] = notebook_case(args, exe, env)
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
