#!/usr/bin/env python3
"""Kernel test: runs a scratch notebook through the installed kerust kernel
(evcxr) and checks what a student would see.

- the first cell `:dep kerust = { path = ... }` + `use kerust::prelude::*;` works;
- a model as a cell's last expression shows as text/html (and `summary()`
  prints the Keras table to stdout);
- `plot::imshow(..)` and a `History` show as image/png;
- a cell whose `?` fails shows the error message, and the variables defined
  before it are still there in the next cells;
- timings: the first cell and a model-building cell on a first and a
  second kernel start; the second start (warm build, so kerust is preloaded
  while the kernel starts, see scripts/kernel.sh) also checks the preload.

    .venv/bin/python tests/notebooks/kernel_test.py [--once]

`--once` skips the second kernel start. Timings are printed; they fail the
test only beyond generous bounds (a loaded machine is slow), see LIMITS.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbkernel import NOTEBOOKS, ROOT, Kernel, cell_text, check_kernelspec, new_notebook  # noqa: E402

# Seconds. The targets are 90 s (first cell, new machine), 5 s (first
# cell, warm cache) and about 1 s (a model cell in a warm session); these
# bounds are looser so that a busy shared machine does not fail the test, and
# the measured times are printed next to the targets (`make bench` measures
# them). In the first session on a new machine, the first cell with a `let`
# (the model cell) also waits for evcxr's rust-analyzer to read kerust's
# dependency tree, about 5 s once (docs/evcxr.md): no target there.
LIMITS = {"first cell, warm": 60.0, "model cell": 20.0, "model cell, warm start": 20.0}
TARGETS = {"first cell, cold": 90.0, "first cell, warm": 5.0, "model cell, warm start": 1.0}
VERSION = next(
    line.split('"')[1] for line in (ROOT / "Cargo.toml").read_text().splitlines() if line.startswith("version")
)

FIRST = f""":dep kerust = {{ path = {json.dumps(str(ROOT))} }}
use kerust::prelude::*;"""

CELLS = {
    "first": FIRST,
    "model": """let mut model = Sequential::new();
model.add(Dense::new(2).input_shape([3]).activation("relu"))?;
model.add(Dense::new(1))?;
model.summary();
model""",
    "bad_activation": """model.add(Dense::new(4).activation("relux"))?;""",
    "still_there": """model.count_params()""",
    "missing_file": """let other = load_model("no_such_model.kerust")?;""",
    "still_there_2": """let n = model.count_params() + 1;
println!("params plus one: {n}");""",
    "imshow": """let digit = Array2::<u8>::from_shape_fn((28, 28), |(i, j)| ((i * 9 + j * 3) % 256) as u8);
plot::imshow(digit.view()).cmap("binary")""",
    "row": """let probabilities = array![0.1f32, 0.7, 0.2];
plot::row(&[&plot::imshow(digit.view()).cmap("binary"), &plot::bar(&probabilities).true_label(2u8)])""",
    "charts": """let curve = plot::line(vec![3.0f32, 2.0, 1.5]).label("loss").line(vec![3.2f32, 2.4, 2.2]).label("val_loss");
plot::row(&[&curve, &plot::hist(&digit).bins(8)])""",
    "history": """model.compile(SGD::new(0.1), "mse", NO_METRICS)?;
let x = array![[0.0f32, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0], [1.0, 1.0, 1.0]];
let y = array![[1.0f32], [0.0], [1.0], [0.5]];
let history = model.fit(&x, &y, Fit::epochs(3).batch_size(2).verbose(0))?;
history""",
    "after_history": """println!("{}", n);""",
    "bad_shape": """let wrong = model.predict(&array![[1.0f32, 2.0, 3.0, 4.0]])?;""",
    "unknown_loss": """model.compile("adam", "msee", ["accuracy"])?;""",
    "after_all": """println!("still {} params, n = {n}", model.count_params());""",
}


class Failures(list):
    def check(self, ok: bool, what: str):
        print(("  ok    " if ok else "  FAIL  ") + what, flush=True)
        if not ok:
            self.append(what)


def stderr_or_error(cell) -> bool:
    """evcxr shows a failed `?` as text on stderr; compile errors and panics
    as error outputs."""
    m = mimes(cell)
    return "stream/stderr" in m or "error" in m


def mimes(cell) -> set[str]:
    found = set()
    for out in cell.outputs:
        found.update(out.get("data", {}).keys())
        if out.get("output_type") == "stream":
            found.add("stream/" + out.get("name", ""))
        if out.get("output_type") == "error":
            found.add("error")
    return found


def describe(cell) -> str:
    text = cell_text(cell)
    if len(text) > 600:
        text = text[:600] + " ..."
    return f"mime types {sorted(mimes(cell))}, output:\n      " + text.replace("\n", "\n      ")


def warm_start(fails: Failures, times: dict[str, float]) -> None:
    """A second kernel start: the slot now holds a fresh kerust build, so
    scripts/kernel.sh preloads kerust while the kernel starts; the first
    cell and a model cell are then quick."""
    nb = new_notebook([FIRST, CELLS["model"], "kerust_version"])
    with Kernel(nb, cwd=NOTEBOOKS) as k:
        times["kernel start, warm (kerust preloaded)"] = k.start_seconds
        times["first cell, warm"] = k.run(0)
        times["model cell, warm start"] = k.run(1)
        k.run(2)
    for i, what in enumerate(["the first cell", "the model cell"]):
        c = nb.cells[i]
        fails.check("error" not in mimes(c), f"second start: {what} runs without an error: " + describe(c))
    c = nb.cells[2]
    fails.check(
        VERSION in cell_text(c),
        f"second start: kerust was preloaded while the kernel started (kerust_version is {VERSION!r}): " + describe(c),
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--once", action="store_true", help="do not measure a second (warm) kernel start")
    args = ap.parse_args()
    check_kernelspec()
    NOTEBOOKS.mkdir(exist_ok=True)  # the kernel's cwd, as for the real notebooks
    fails = Failures()
    times: dict[str, float] = {}

    names = list(CELLS)
    nb = new_notebook([CELLS[n] for n in names])
    cell = {n: nb.cells[i] for i, n in enumerate(names)}
    print("kernel test: starting the kerust kernel (cwd notebooks/)", flush=True)
    with Kernel(nb, cwd=NOTEBOOKS) as k:
        for i, name in enumerate(names):
            seconds = k.run(i)
            print(f"  cell {name!r}: {seconds:.1f} s", flush=True)
            if name == "first":
                times["first cell, first start"] = seconds
            if name == "model":
                times["model cell"] = seconds

    c = cell["first"]
    fails.check("error" not in mimes(c), "first cell (:dep kerust + use prelude) runs: " + describe(c))

    c = cell["model"]
    fails.check("error" not in mimes(c), "model cell runs")
    fails.check("text/html" in mimes(c), "a model as last expression shows as text/html: " + describe(c))
    fails.check("Total params: 11" in cell_text(c), "summary() prints 'Total params: 11'")

    c = cell["bad_activation"]
    fails.check(stderr_or_error(c), "a wrong activation name makes the `?` cell fail: " + describe(c))
    fails.check("relux" in cell_text(c), "its error message names the wrong activation 'relux'")

    c = cell["still_there"]
    fails.check("error" not in mimes(c) and "11" in cell_text(c), "the model survives the failed cell (count_params() is 11): " + describe(c))

    c = cell["missing_file"]
    fails.check(stderr_or_error(c), "load_model on a missing file fails: " + describe(c))
    fails.check("no_such_model.kerust" in cell_text(c), "its error message names the file")

    c = cell["still_there_2"]
    fails.check("params plus one: 12" in cell_text(c), "variables survive the second failure: " + describe(c))

    c = cell["imshow"]
    fails.check("image/png" in mimes(c), "plot::imshow shows as image/png: " + describe(c))

    c = cell["row"]
    fails.check("image/png" in mimes(c), "plot::row of an imshow and a bar chart shows as image/png: " + describe(c))

    c = cell["charts"]
    fails.check("image/png" in mimes(c), "plot::line and plot::hist in a row show as image/png: " + describe(c))

    c = cell["history"]
    fails.check("image/png" in mimes(c), "a History as last expression shows as image/png: " + describe(c))

    c = cell["after_history"]
    fails.check("12" in cell_text(c), "a variable from before the failures is still usable at the end: " + describe(c))

    c = cell["bad_shape"]
    fails.check(stderr_or_error(c), "predict on a wrong shape fails: " + describe(c))
    fails.check("expects x of shape (None, 3) but got (None, 4)" in cell_text(c), "its message says what was expected and what came")

    c = cell["unknown_loss"]
    fails.check(stderr_or_error(c), "an unknown loss makes compile fail: " + describe(c))
    fails.check("did you mean 'mse'" in cell_text(c), "its message suggests the closest loss")

    c = cell["after_all"]
    fails.check("still 11 params, n = 12" in cell_text(c), "every variable survives the failed cells: " + describe(c))

    if not args.once:
        print("kernel test: second kernel start (warm build slot)", flush=True)
        warm_start(fails, times)

    print("kernel test timings (target in parentheses):")
    for name, seconds in times.items():
        target = TARGETS.get(name) or (TARGETS["first cell, cold"] if name.startswith("first cell, first") else None)
        print(f"  {name}: {seconds:.1f} s" + (f"  (target {target:g} s)" if target else ""))
        limit = LIMITS.get(name)
        if limit is not None:
            fails.check(seconds <= limit, f"{name} within {limit:g} s")

    if fails:
        print(f"kernel test: {len(fails)} checks FAILED")
        return 1
    print("kernel test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
