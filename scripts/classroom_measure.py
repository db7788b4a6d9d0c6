#!/usr/bin/env python3
"""The end of the classroom rehearsal (scripts/rehearse_postbuild.sh): what a
student gets from a freshly built classroom, measured in the installed kerust
kernel.

1. A fresh kernel (started the way Jupyter starts it) runs the first cell of a
   lesson, `:dep kerust = { path = ".." }` + `use kerust::prelude::*;`, in
   notebooks/. It must return in under 5 s (the warm build slot; the kernel's
   own start, while the student reads the introduction, is printed apart).
2. One student's resources: a lesson notebook runs top to bottom in a fresh
   kernel while the resident memory (RSS) of the kernel's whole process tree
   (evcxr_jupyter, its runtime process, cargo and rustc while a cell
   compiles) is sampled; the peak and the memory held once the lesson has
   run are printed, with the disk of the build slot and of the rest.

    python scripts/classroom_measure.py [--lesson notebooks/03_mnist.ipynb] [--json OUT]

Run with the Jupyter environment's python (the kernelspec is looked up
there). Exits 1 when the first cell takes 5 s or more, or a cell fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "notebooks"))
import nbformat  # noqa: E402

from nbkernel import NOTEBOOKS, Kernel, check_kernelspec, new_notebook, output_text  # noqa: E402

FIRST_CELL_LIMIT = 5.0
FIRST = ':dep kerust = { path = ".." }\nuse kerust::prelude::*;'
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Bytes resident in process `pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        p = int(entry)
        children.setdefault(int(fields[1]), []).append(p)
        rss[p] = int(fields[21]) * PAGE
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._halt.wait(self.every)

    def stop(self):
        self._halt.set()
        self.join()


def du(path: Path) -> int:
    if not path.exists():
        return 0
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def open_kernel(nb, cwd: Path, timeout: int) -> Kernel:
    """A Kernel that may take minutes to start on a loaded machine: the
    kernel loads kerust before it answers (scripts/kernel.sh)."""
    k = Kernel(nb, cwd, timeout=timeout)
    k.client.startup_timeout = 600
    return k


def kernel_pid(kernel: Kernel) -> int:
    return kernel.client.km.provisioner.pid


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lesson", default=str(NOTEBOOKS / "03_mnist.ipynb"))
    ap.add_argument("--json", help="write the measurements here")
    args = ap.parse_args()
    check_kernelspec()
    result: dict[str, object] = {}
    failed = False

    # 1. The first cell in a fresh kernel.
    nb = new_notebook([FIRST, "let mut model = Sequential::new();\nmodel.add(Dense::new(1).input_shape([1]))?;\nmodel.count_params()"])
    with open_kernel(nb, NOTEBOOKS, timeout=600) as k:
        result["kernel_start_s"] = round(k.start_seconds, 2)
        result["first_cell_s"] = round(k.run(0), 2)
        result["model_cell_s"] = round(k.run(1), 2)
    for i, cell in enumerate(nb.cells):
        text = "".join(output_text(o) for o in cell.outputs)
        if any(o.get("output_type") == "error" for o in cell.outputs) or (i == 1 and "2" not in text):
            print(f"classroom_measure: cell {i + 1} failed:\n{text}", file=sys.stderr)
            failed = True
    print(
        f"fresh kernel: started in {result['kernel_start_s']} s, first cell {result['first_cell_s']} s "
        f"(must be < {FIRST_CELL_LIMIT:.0f} s), a model cell {result['model_cell_s']} s"
    )
    if result["first_cell_s"] >= FIRST_CELL_LIMIT:
        print(f"classroom_measure: FAILED: the first cell took {result['first_cell_s']} s", file=sys.stderr)
        failed = True

    # 2. One student's memory and disk, with a lesson loaded.
    lesson = Path(args.lesson).resolve()
    nb = nbformat.read(lesson, as_version=4)
    with open_kernel(nb, lesson.parent, timeout=1800) as k:
        pid = kernel_pid(k)
        sampler = Sampler(pid)
        sampler.start()
        start = time.monotonic()
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                k.run(i)
        result["lesson_s"] = round(time.monotonic() - start, 1)
        time.sleep(1.0)
        sampler.stop()
        result["lesson"] = lesson.name
        result["rss_peak_bytes"] = max(sampler.peak, tree_rss(pid))
        result["rss_after_lesson_bytes"] = tree_rss(pid)
    for f in lesson.parent.glob("*.kerust"):
        f.unlink()

    home = Path.home()
    kernels = Path(os.environ.get("KERUST_KERNEL_DIR") or ROOT / "target" / "evcxr-kernels")
    slots = sorted(p for p in kernels.glob("slot-*") if p.is_dir())
    cargo_home = Path(os.environ.get("CARGO_HOME") or home / ".cargo")
    keras = Path(os.environ.get("KERAS_HOME") or home / ".keras")
    result["disk_bytes"] = {
        "build_slot": du(slots[0]) if slots else 0,
        # The repository without builds, environments and dot-files.
        "course": sum(du(p) for p in ROOT.iterdir() if not p.name.startswith(".") and p.name != "target"),
        "cargo_home": du(cargo_home),
        "keras_datasets": du(keras / "datasets"),
    }
    d = result["disk_bytes"]
    print(
        f"one student ({lesson.name}, {result['lesson_s']} s): kernel RSS peak {mb(result['rss_peak_bytes'])}, "
        f"{mb(result['rss_after_lesson_bytes'])} after the lesson; disk: build slot {mb(d['build_slot'])}, "
        f"course {mb(d['course'])}, shared: CARGO_HOME {mb(d['cargo_home'])}, MNIST {mb(d['keras_datasets'])}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
