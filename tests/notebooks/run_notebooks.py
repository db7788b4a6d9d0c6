#!/usr/bin/env python3
"""Runs the tutorial notebooks top to bottom in the kerust kernel and checks
them against their saved outputs.

    .venv/bin/python tests/notebooks/run_notebooks.py            # all notebooks/*.ipynb
    .venv/bin/python tests/notebooks/run_notebooks.py notebooks/03_mnist.ipynb
    .venv/bin/python tests/notebooks/run_notebooks.py --update   # save the new outputs

A notebook fails when a cell errors, when a cell's text output differs from
the saved one (after masking timings and losses), when a saved picture is
missing, when an `assert` directive does not hold, when a cell's source
mentions nbtest, when the saved execution counts do not run 1, 2, 3, ...,
when an exercise cell is not blank, or when an exercise's check, fed each
answer of the exercise cell's metadata, does not say what it should. The
conventions (directives in the cells' metadata, `"nbtest": ["skip-compare"]`)
are documented in tests/notebooks/README.md.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import html
import operator
import re
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbformat  # noqa: E402

from nbkernel import NOTEBOOKS, ROOT, Kernel, check_kernelspec, output_text  # noqa: E402

IMAGE_MIMES = ("image/png", "image/svg+xml", "image/jpeg")
TEXT_MIMES = ("text/html", "text/plain")

# ---------------------------------------------------------------------------
# Masking: what may differ between runs.

NUM = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
# Durations: "2s", "13ms", "0.8 s", "120us/step", "1m 3s".
DURATION = re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|us|µs|ns|s|sec|min|m|h)(?:/step|/epoch|/sample)?\b")
# Loss and metric values in Keras-style lines: "loss: 0.2600", "val_accuracy: 0.9234".
METRIC = re.compile(
    r"\b((?:val_)?(?:loss|acc|accuracy|mse|mae|[a-z_]*crossentropy|[a-z_]*accuracy|auc|precision|recall))"
    r"(\s*[:=]\s*)" + NUM
)
# A per-epoch or per-step line: "1875/1875 - 2s - loss: ...", also with "━━━" bars.
PROGRESS = re.compile(r"^\s*\d+/\d+\b.*( - |━)")


def mask_line(line: str, extra: list[re.Pattern], floats: bool) -> str:
    for pat in extra:
        line = pat.sub("<masked>", line)
    progress = PROGRESS.match(line) and re.match(r"^(\s*\d+/\d+)(.*)$", line)
    if progress:
        # Keep the "1875/1875" step counter; the rest is timings and losses.
        rest = DURATION.sub("<t>", progress.group(2))
        line = progress.group(1) + re.sub(NUM, "<n>", rest)
    else:
        line = DURATION.sub("<t>", line) if re.search(r"\b(took|elapsed|in|time|ETA)\b", line, re.I) else line
        line = METRIC.sub(lambda m: m.group(1) + m.group(2) + "<n>", line)
    if floats:
        line = re.sub(r"[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?", "<f>", line)
    # Memory addresses and temporary paths are never reproducible.
    line = re.sub(r"0x[0-9a-fA-F]{6,}", "0x<addr>", line)
    line = re.sub(r"/tmp/\.tmp\w+", "/tmp/<tmp>", line)
    return line.rstrip()


def mask(text: str, extra: list[re.Pattern], floats: bool) -> list[str]:
    return [mask_line(line, extra, floats) for line in text.splitlines()]


# ---------------------------------------------------------------------------
# Cell directives: a list of strings in the cell's metadata, "nbtest".

ASSERT = re.compile(r"^assert\s+(first\s+|last\s+)?([A-Za-z_][\w]*)\s*(>=|<=|==|>|<)\s*(" + NUM + r")$")
OPS = {">=": operator.ge, "<=": operator.le, "==": operator.eq, ">": operator.gt, "<": operator.lt}


def directives_of(cell) -> list[str]:
    d = cell.get("metadata", {}).get("nbtest", [])
    return [d] if isinstance(d, str) else list(d)


class Directives:
    def __init__(self, cell, where: str):
        self.skip_compare = False
        self.expect_error = False
        self.allow_stderr = False
        self.mask_floats = False
        self.exercise = False
        self.check = False
        self.masks: list[re.Pattern] = []
        self.asserts: list[tuple[str, str, str, float, str]] = []
        for d in directives_of(cell):
            d = d.strip()
            if d == "skip-compare":
                self.skip_compare = True
            elif d == "expect-error":
                self.expect_error = True
            elif d == "allow-stderr":
                self.allow_stderr = True
            elif d == "mask-floats":
                self.mask_floats = True
            elif d == "exercise":
                self.exercise = True
            elif d == "check":
                self.check = True
            elif d.startswith("mask "):
                pat = d[len("mask "):].strip()
                if len(pat) >= 2 and pat[0] == pat[-1] == "/":
                    pat = pat[1:-1]
                self.masks.append(re.compile(pat))
            elif ASSERT.match(d):
                m = ASSERT.match(d)
                which = (m.group(1) or "first").strip()
                self.asserts.append((which, m.group(2), m.group(3), float(m.group(4)), d))
            else:
                raise SystemExit(f"{where}: unknown directive {d!r} in metadata.nbtest (see tests/notebooks/README.md)")
        # An exercise is blank until the student writes it, and its check
        # then fails: neither is run as saved nor compared.
        if self.exercise or self.check:
            self.skip_compare = True


def find_value(text: str, which: str, name: str) -> float | None:
    """The first (or last) number written right after the word `name`
    ("accuracy: 0.97", "accuracy = 0.97", "accuracy 0.97")."""
    pat = re.compile(r"(?<![\w])" + re.escape(name) + r"(?![\w])[^\w\n]{0,4}(" + NUM + r")")
    found = pat.findall(text)
    if not found:
        return None
    return float(found[0] if which == "first" else found[-1])


# ---------------------------------------------------------------------------
# Comparing outputs.


def signature(outputs, d: Directives) -> list[str]:
    """The comparable lines of a cell's outputs: stdout text (chunks joined,
    since streaming splits it differently each run), rich text, errors, and a
    placeholder for each picture. stderr (compiler warnings, timing) is not
    compared."""
    lines: list[str] = []
    stdout = ""

    def flush():
        nonlocal stdout
        if stdout:
            lines.extend(mask(stdout, d.masks, d.mask_floats))
            stdout = ""

    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            if out.get("name") == "stdout":
                stdout += out.get("text", "")
            elif d.expect_error:
                flush()
                lines.extend("stderr: " + x for x in mask(out.get("text", ""), d.masks, d.mask_floats))
            continue
        flush()
        if kind == "error":
            lines.extend(mask("error: " + output_text(out).split("\n")[0], d.masks, d.mask_floats))
            continue
        data = out.get("data", {})
        images = [m for m in IMAGE_MIMES if m in data]
        if images:
            lines.append(f"<{images[0]} picture>")
        for m in TEXT_MIMES:
            if m in data:
                lines.append(f"<{m}>")
                lines.extend(mask(str(data[m]), d.masks, d.mask_floats))
                break
    flush()
    return lines


def cell_label(nb_path: Path, index: int, cell) -> str:
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"{nb_path.name} cell {index + 1} ({first[:50]!r})"


def check_cell(nb_path, index, saved, executed, update: bool) -> list[str]:
    problems = []
    where = cell_label(nb_path, index, executed)
    d = Directives(executed, where)
    if d.check:
        return []
    # evcxr shows a failed `?` as text on stderr (the cell still "succeeds"),
    # a compile error or a panic as an error output: both fail the notebook.
    errors = [o for o in executed.outputs if o.get("output_type") == "error"]
    if not d.allow_stderr:
        errors += [o for o in executed.outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    if errors and not d.expect_error:
        text = "".join(output_text(o) for o in errors).strip()
        problems.append(f"{where}: failed:\n    " + text.replace("\n", "\n    "))
    if d.expect_error and not errors:
        problems.append(f"{where}: marked 'expect-error' but ran without an error")

    text = "".join(output_text(o) for o in executed.outputs)
    for which, name, op, bound, raw in d.asserts:
        value = find_value(text, which, name)
        if value is None:
            problems.append(f"{where}: '{raw}': no number after '{name}' in the cell's output")
        elif not OPS[op](value, bound):
            problems.append(f"{where}: '{raw}' does not hold: {name} = {value}")

    if update or d.skip_compare:
        return problems
    want = signature(saved.get("outputs", []), d)
    got = signature(executed.outputs, d)
    if want != got:
        diff = "\n".join(
            "    " + line
            for line in difflib.unified_diff(want, got, "saved", "executed", lineterm="", n=2)
        )
        problems.append(f"{where}: output differs from the saved one (masked; '-' saved, '+' now):\n{diff}")
    return problems


def merge_streams(outputs):
    """Joins consecutive stdout (or stderr) chunks into one output, as
    Jupyter shows them, so that saved notebooks stay small and diff well."""
    merged = []
    for out in outputs:
        if (
            out.get("output_type") == "stream"
            and merged
            and merged[-1].get("output_type") == "stream"
            and merged[-1].get("name") == out.get("name")
        ):
            merged[-1]["text"] += out.get("text", "")
        else:
            merged.append(out)
    return merged


def is_blank(source: str) -> bool:
    """Only comments and whitespace: what an exercise cell holds until the
    student writes in it."""
    return all(not line.strip() or line.strip().startswith("//") for line in source.splitlines())


def static_problems(path: Path, nb, update: bool) -> list[str]:
    """What the saved notebook itself must satisfy, before anything runs."""
    problems = []
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for i, cell in enumerate(nb.cells):
        if "nbtest" in cell.source:
            problems.append(f"{cell_label(path, i, cell)}: the cell's source mentions nbtest; test directives belong in its metadata")
    for k, (i, cell) in enumerate(code):
        d = Directives(cell, cell_label(path, i, cell))
        if d.exercise:
            if not is_blank(cell.source):
                problems.append(f"{cell_label(path, i, cell)}: an exercise cell must be blank (comments only) in the saved notebook")
            answers = cell.metadata.get("nbtest_answers", [])
            if not any("right!" in a.get("expect", "") for a in answers):
                problems.append(f"{cell_label(path, i, cell)}: an exercise needs metadata.nbtest_answers with at least one right answer (expect 'right!')")
            nxt = code[k + 1][1] if k + 1 < len(code) else None
            if nxt is None or "check" not in directives_of(nxt):
                problems.append(f"{cell_label(path, i, cell)}: an exercise must be followed by a code cell marked 'check'")
    if not update:
        counts = [c.get("execution_count") for _, c in code]
        ran = [n for n in counts if n is not None]
        if ran != list(range(1, len(ran) + 1)):
            problems.append(f"{path.name}: saved execution counts are {ran}, not 1, 2, 3, ... in order")
    return problems


# kerust keeps its session state (layer name counts, the random seed) in
# the environment variable KERUST_SESSION (src/session.rs).
SAVE_SESSION = (
    "let nbtest_session: Vec<(String, String)> = std::env::vars()"
    '.filter(|(k, _)| k.starts_with("KERUST_SESSION")).collect();'
)
RESTORE_SESSION = (
    'for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("KERUST_SESSION")) '
    "{ #[allow(unused_unsafe)] unsafe { std::env::remove_var(k) } }\n"
    "for (k, v) in &nbtest_session { #[allow(unused_unsafe)] unsafe { std::env::set_var(k, v) } }"
)


def hidden(kernel, index: int, source: str, what: str) -> list[str]:
    """Runs a cell that is not in the notebook; returns a problem if it fails."""
    cell = nbformat.v4.new_code_cell(source)
    kernel.run_cell(cell, index)
    errors = [o for o in cell.outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    if errors:
        return [f"cell {index + 1}: {what} failed: " + "".join(output_text(o) for o in errors)[:400]]
    return []


def run_answers(path: Path, kernel, nb, index: int) -> list[str]:
    """Feeds each answer in the exercise cell's metadata to the exercise and
    runs the check cell after it: its output must contain the expected text
    (the diagnosis of a wrong answer, 'right!' for a right one)."""
    problems = []
    exercise = nb.cells[index]
    check_index = next(j for j in range(index + 1, len(nb.cells)) if nb.cells[j].cell_type == "code")
    answers = exercise.metadata.get("nbtest_answers", [])
    # Every answer but the last runs "off the record": the session's layer
    # names and random numbers are put back afterwards, so the cells after
    # the exercise see what a student who answered once sees.
    problems += hidden(kernel, index, SAVE_SESSION, "saving the session state")
    for k, answer in enumerate(answers):
        trial = copy.deepcopy(exercise)
        trial.source = answer["source"]
        trial.outputs = []
        kernel.run_cell(trial, index)
        check = copy.deepcopy(nb.cells[check_index])
        check.outputs = []
        kernel.run_cell(check, check_index)
        said = "".join(output_text(o) for o in trial.outputs + check.outputs)
        said = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<br>", "\n", said)))
        if k + 1 < len(answers):
            problems += hidden(kernel, index, RESTORE_SESSION, "restoring the session state")
        if answer["expect"] not in said:
            first = answer["source"].strip().splitlines()[-1][:60] if answer["source"].strip() else ""
            problems.append(
                f"{cell_label(path, index, exercise)}: with the answer ending {first!r} the check should say "
                f"{answer['expect']!r}; it said:\n    " + said.strip().replace("\n", "\n    ")
            )
    return problems


def run_notebook(path: Path, timeout: int, update: bool) -> tuple[list[str], float]:
    saved = nbformat.read(path, as_version=4)
    executed = nbformat.read(path, as_version=4)
    problems: list[str] = static_problems(path, saved, update)
    start = time.monotonic()
    with Kernel(executed, cwd=path.parent, timeout=timeout) as kernel:
        for i, cell in enumerate(executed.cells):
            if cell.cell_type != "code":
                continue
            try:
                seconds = kernel.run(i)
                d = Directives(cell, cell_label(path, i, cell))
                # After an exercise's check: try the answers.
                prev = next((j for j in range(i - 1, -1, -1) if executed.cells[j].cell_type == "code"), None)
                if d.check and prev is not None and "exercise" in directives_of(executed.cells[prev]):
                    problems += run_answers(path, kernel, executed, prev)
            except Exception as exc:  # timeouts, a dead kernel
                problems.append(f"{cell_label(path, i, cell)}: {type(exc).__name__}: {exc}")
                break
            if seconds > 10:
                print(f"  {cell_label(path, i, cell)}: {seconds:.1f} s", flush=True)
            problems += check_cell(path, i, saved.cells[i], cell, update)
    elapsed = time.monotonic() - start
    if update:
        if problems:
            print(f"  not saving {path.name}: it has problems")
        else:
            count = 0
            for cell in executed.cells:
                if cell.cell_type != "code":
                    continue
                d = directives_of(cell)
                if "exercise" in d or "check" in d:
                    # Saved as the student finds them: not yet run.
                    cell.outputs = []
                    cell.execution_count = None
                    continue
                cell.outputs = merge_streams(cell.outputs)
                # Counts 1, 2, 3, ...: the kernel numbers the first cell 2
                # (not yet traced; most likely the start-up preload).
                count += 1
                cell.execution_count = count
                for out in cell.outputs:
                    if "execution_count" in out:
                        out["execution_count"] = count
            nbformat.write(executed, path)
            print(f"  saved the outputs of {path.name}")
    return problems, elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    ap.add_argument("--update", action="store_true", help="write the executed outputs back into the notebooks")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = ap.parse_args()

    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        print(f"run_notebooks: no notebooks in {NOTEBOOKS.relative_to(ROOT)}/, nothing to run")
        return 0
    check_kernelspec()
    failed = 0
    total = time.monotonic()
    for path in paths:
        print(f"running {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ...", flush=True)
        problems, seconds = run_notebook(path, args.timeout, args.update)
        status = "ok" if not problems else f"FAILED ({len(problems)} problems)"
        print(f"  {path.name}: {status} in {seconds:.0f} s", flush=True)
        for p in problems:
            print("  - " + p)
        failed += bool(problems)
    print(f"run_notebooks: {len(paths) - failed} of {len(paths)} notebooks passed in {time.monotonic() - total:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
