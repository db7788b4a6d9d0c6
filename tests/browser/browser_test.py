"""The student's browser: JupyterLab in headless Chromium, used as a student
uses it (tests/browser/README.md says what is checked).

    .venv/bin/python tests/browser/browser_test.py        # or: make browser-test

Needs Debian's chromium (CHROMIUM, default /usr/bin/chromium) and the
playwright package (requirements-browser.txt); `playwright install` is never
run. Screenshots and the Lab log go to target/browser/.
"""

import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lab import OUT, ROOT, Lab  # noqa: E402

from playwright.sync_api import Page, sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LESSON = "notebooks/03_mnist.ipynb"
EXERCISES = "notebooks/04_counting_parameters.ipynb"
SCRATCH = OUT / "scratch"
# A first build of kerust in a new kernel slot takes minutes on 2 cores.
RUN_ALL_TIMEOUT = 900
CELL_TIMEOUT = 300
# Lines the kernel writes on stderr that are not errors.
BENIGN_STDERR = re.compile(r"^kerust: (building|still building|built in)")

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(("  ok: " if ok else "  FAILED: ") + what, flush=True)
    if not ok:
        failures.append(what)


def step(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.time()


# ----- the notebook in the page --------------------------------------------

NB = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
CELLS = f"{NB} .jp-WindowedPanel-viewport"
STOP = ".jp-NotebookPanel:not(.lm-mod-hidden) jp-button[data-command='notebook:interrupt-kernel']"


def cells(page: Page):
    return page.locator(f"{CELLS} > .jp-Cell")


def code_cells(page: Page):
    return page.locator(f"{CELLS} > .jp-CodeCell")


def prompts(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        f"{CELLS} > .jp-CodeCell .jp-InputArea-prompt", "els => els.map(e => e.innerText.trim())"
    )


def command(page: Page, name: str, args: dict | None = None) -> None:
    page.evaluate("([n, a]) => window.jupyterapp.commands.execute(n, a)", [name, args or {}])


def wait_idle(page: Page, timeout: float) -> None:
    """Until the kernel is idle and no code cell is waiting ([*])."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = page.locator(".jp-StatusBar-Widget:has-text('Rust (kerust) |')").first
        text = status.inner_text() if status.count() else ""
        if "Idle" in text and not any("*" in p for p in prompts(page)):
            return
        time.sleep(0.5)
    raise TimeoutError(f"kernel not idle after {timeout} s (prompts {prompts(page)})")


def open_notebook(page: Page, lab: Lab, path: str) -> None:
    """Opens `path` alone: earlier notebooks are closed and their kernels
    shut down, so the new kernel gets a warm build slot (scripts/kernel.sh)."""
    close_all(page, lab)
    page.goto(lab.url(f"lab/tree/{path}"))
    page.wait_for_selector(f"{CELLS} > .jp-CodeCell", timeout=60_000)
    page.wait_for_selector(".jp-StatusBar-Widget:has-text('Rust (kerust) | Idle')", timeout=180_000)


def close_all(page: Page, lab: Lab) -> None:
    if page.url.startswith(lab.base):
        command(page, "application:close-all")
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            # A kernel still starting can make the server answer 500: again.
            if not lab.api("GET", "kernels"):
                break
            for sess in lab.api("GET", "sessions"):
                lab.api("DELETE", f"sessions/{sess['id']}")
        except OSError:
            pass
        time.sleep(1)


def output_text(cell) -> str:
    return cell.locator(".jp-OutputArea").inner_text()


def stderr_texts(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        f"{NB} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        f"{NB} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']",
        "els => els.map(e => e.innerText)",
    )


def exercise_names(lesson: str) -> set[str]:
    """The variables the lesson's exercises ask the student to define
    (`let mut small = ...` in an exercise cell's comment)."""
    nb = json.loads((ROOT / lesson).read_text())
    names = set()
    for cell in nb["cells"]:
        if "exercise" in cell.get("metadata", {}).get("nbtest", []):
            text = "".join(cell["source"])
            names |= {a or b for a, b in re.findall(r"let (?:mut )?(\w+)|called `(\w+)`", text)}
    return names


def real_errors(page: Page) -> list[str]:
    """Error outputs on the page, except the one error Run All must show in
    a lesson whose exercises are still blank: the cells after an exercise
    cannot find the variable the student has not defined yet."""
    unanswered = exercise_names(LESSON)
    out = []
    for text in stderr_texts(page):
        lines = [ln for ln in text.splitlines() if ln.strip() and not BENIGN_STDERR.match(ln)]
        missing = re.search(r"cannot find value `(\w+)` in this scope", text)
        if lines and not (missing and missing.group(1) in unanswered):
            out.append("\n".join(lines))
    return out


def type_into(page: Page, cell, code: str) -> None:
    """Replaces the cell's text as a student would: click, select all, type."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def run_new_cell(page: Page, code: str, wait: bool = True):
    """Adds a cell at the end, types `code`, runs it (Shift+Enter)."""
    n = cells(page).count()
    cells(page).nth(n - 1).locator(".jp-InputPrompt").click()
    command(page, "notebook:insert-cell-below")
    cell = cells(page).nth(n)
    type_into(page, cell, code)
    page.keyboard.press("Shift+Enter")
    if wait:
        wait_cell(page, cell, CELL_TIMEOUT)
    return cell


def wait_cell(page: Page, cell, timeout: float) -> None:
    deadline = time.time() + timeout
    time.sleep(0.3)
    while time.time() < deadline:
        p = cell.locator(".jp-InputArea-prompt").inner_text().strip()
        if re.fullmatch(r"\[\d+\]:", p):
            return
        time.sleep(0.3)
    raise TimeoutError(f"cell did not finish within {timeout} s")


def shot_whole_notebook(page: Page, path: Path) -> None:
    """The whole notebook in one picture: the window made as tall as it."""
    height = page.evaluate(
        f"() => document.querySelector('{NB} .jp-WindowedPanel-outer').scrollHeight"
    )
    old = page.viewport_size
    page.set_viewport_size({"width": old["width"], "height": min(int(height) + 200, 16000)})
    time.sleep(0.5)
    page.screenshot(path=str(path))
    page.set_viewport_size(old)


# ----- the steps ------------------------------------------------------------


def launcher_and_new_notebook(page: Page, lab: Lab) -> None:
    step("launcher and File > New > Notebook")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    close_all(page, lab)
    page.goto(lab.url("lab/tree/target/browser/scratch"))
    page.wait_for_selector(".jp-FileBrowser", timeout=60_000)
    time.sleep(2)
    if not page.locator(".jp-LauncherCard").count():
        command(page, "launcher:create")
    page.wait_for_selector(".jp-LauncherCard", timeout=60_000)
    notebook_cards = page.eval_on_selector_all(
        ".jp-Launcher-section:has(.jp-Launcher-sectionTitle:text-is('Notebook')) .jp-LauncherCard",
        "els => els.map(e => e.innerText.trim())",
    )
    check("Rust (kerust)" in notebook_cards, f"launcher shows Rust (kerust): {notebook_cards}")
    check(notebook_cards[:1] == ["Rust (kerust)"], "Rust (kerust) is the launcher's first notebook kernel")
    page.screenshot(path=str(OUT / "launcher.png"))
    page.click(".lm-MenuBar-itemLabel:text-is('File')")
    page.hover(".lm-Menu-itemLabel:text-is('New')")
    page.click(".lm-Menu-itemLabel:text-is('Notebook')")
    time.sleep(2)
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        chosen = dialog.locator("select").evaluate("s => s.options[s.selectedIndex].text")
        check(False, f"File > New > Notebook starts the kerust kernel (it asks, preselecting {chosen!r})")
        page.keyboard.press("Escape")
        return
    try:
        page.wait_for_selector(".jp-StatusBar-Widget:has-text('Rust (kerust)')", timeout=30_000)
        ok = True
    except Exception:
        ok = False
    check(ok, "File > New > Notebook starts the kerust kernel (no dialog)")


def run_all_lesson(page: Page, lab: Lab) -> None:
    t0 = step(f"{LESSON}: clear outputs, Run All")
    open_notebook(page, lab, LESSON)
    command(page, "notebook:clear-all-cell-outputs")
    check(page.locator(f"{NB} .jp-OutputArea-output").count() == 0, "outputs cleared")
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    time.sleep(1)
    wait_idle(page, RUN_ALL_TIMEOUT)
    print(f"  Run All took {time.time() - t0:.0f} s", flush=True)
    ps = prompts(page)
    check(all(re.fullmatch(r"\[\d+\]:", p) for p in ps), f"every code cell ran ({len(ps)} cells)")
    imgs = page.locator(f"{NB} .jp-OutputArea-output img[src^='data:image/png']")
    check(imgs.count() >= 3, f"digit images and figures on the page ({imgs.count()} PNG images)")
    tables = page.locator(f"{NB} .jp-OutputArea-output table")
    check(tables.count() >= 1, f"the model's HTML table on the page ({tables.count()} tables)")
    text = page.locator(NB).inner_text()
    check("Epoch 1/3" in text, "the training's Epoch lines are on the page")
    check(
        re.search(r"\d+/\d+ - \d+m?s - loss: \d\.\d{4} - accuracy: \d\.\d{4}", text) is not None,
        "the training lines (steps, time, loss, accuracy) are on the page",
    )
    errors = real_errors(page)
    check(not errors, f"no error output ({errors[:2]})")
    shot_whole_notebook(page, OUT / "notebook.png")
    imgs.first.scroll_into_view_if_needed()
    imgs.first.screenshot(path=str(OUT / "first-figure.png"))
    tables.first.scroll_into_view_if_needed()
    page.locator(f"{NB} .jp-OutputArea-output:has(table)").first.screenshot(
        path=str(OUT / "first-table.png")
    )


def stop_button(page: Page) -> None:
    step("the stop button during a long fit")
    cell = run_new_cell(page, "model.fit(&x_train, &y_train, Fit::epochs(20))?;", wait=False)
    deadline = time.time() + CELL_TIMEOUT
    while "Epoch 3/20" not in output_text(cell) and time.time() < deadline:
        time.sleep(0.3)
    check("Epoch 3/20" in output_text(cell), "fit trains (two epochs done)")
    page.click(STOP)
    t0 = time.time()
    wait_cell(page, cell, 60)
    out = output_text(cell)
    print(f"  stopped {time.time() - t0:.1f} s after the click; the cell shows:\n    "
          + "\n    ".join(out.strip().splitlines()[-3:]), flush=True)
    cell.screenshot(path=str(OUT / "stop-button.png"))
    check("fit was interrupted" in out, "the cell says fit was interrupted")
    check("SIGKILL" not in out and "Subprocess terminated" not in out, "the cell process was not killed")
    losses = [float(v) for v in re.findall(r" - loss: (\d+\.\d+)", out)]
    kept = run_new_cell(
        page,
        'println!("x_train {:?}, epochs kept {}", x_train.shape(), model.history().map_or(0, |h| h.epoch.len()));',
    )
    text = output_text(kept)
    check("x_train [60000, 28, 28]" in text, f"x_train survived the stop button: {text.strip()!r}")
    m = re.search(r"epochs kept (\d+)", text)
    check(m is not None and int(m.group(1)) == len(losses) and len(losses) >= 2,
          f"model.history() keeps the {len(losses)} finished epochs")
    again = run_new_cell(page, "model.fit(&x_train, &y_train, Fit::epochs(1))?;")
    new = [float(v) for v in re.findall(r" - loss: (\d+\.\d+)", output_text(again))]
    check(bool(losses) and len(new) == 1 and new[0] <= max(losses[-1] * 1.25, losses[-1] + 0.01),
          f"training goes on from where it stopped (last loss {losses[-1:]} then {new})")
    others = [e for e in real_errors(page) if not e.startswith("fit was interrupted")]
    check(not others, f"no other error output after the stop ({others[:2]})")


def runaway_loop(page: Page) -> None:
    step("the stop button on a runaway loop, then restore_autosave()")
    cell = run_new_cell(page, "let mut spins = 0u64;\nloop { spins = spins.wrapping_add(1); }", wait=False)
    deadline = time.time() + CELL_TIMEOUT
    # Running (not compiling) once the kernel has loaded the cell: give it time.
    while "[*]" not in cell.locator(".jp-InputArea-prompt").inner_text() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(8)
    page.click(STOP)
    wait_cell(page, cell, 60)
    out = output_text(cell)
    print("  the cell shows:\n    " + "\n    ".join(out.strip().splitlines()), flush=True)
    cell.screenshot(path=str(OUT / "stop-runaway.png"))
    check("kerust: stopped." in out, "the runaway cell is stopped with a word on what to re-run")
    restored = run_new_cell(page, "let mut model = restore_autosave()?;\nmodel.history().map_or(0, |h| h.epoch.len())")
    text = output_text(restored)
    check("Restored sequential" in text, f"restore_autosave() brings the model back: {text.strip()[:160]!r}")


def exercise(page: Page, lab: Lab) -> None:
    step(f"{EXERCISES}: a wrong answer in an exercise")
    open_notebook(page, lab, EXERCISES)
    command(page, "notebook:clear-all-cell-outputs")
    first = code_cells(page).first
    first.locator(".jp-InputPrompt").click()
    command(page, "notebook:run-cell")
    wait_cell(page, first, RUN_ALL_TIMEOUT)
    sources = code_cells(page).evaluate_all(
        "els => els.map(e => e.querySelector('.cm-content').innerText)"
    )
    # The exercise cell: the one before the first check of Practice 1, or
    # one saying "Your turn"; else a new cell at the end.
    check_i = next((i for i, s in enumerate(sources) if "exercises::practice1(&model1)" in s), None)
    turn_i = check_i - 1 if check_i and sources[check_i - 1].lstrip().startswith("// Practice 1") else None
    wrong = (
        "let mut model1 = Sequential::new();\n"
        'model1.add(Dense::new(8).input_shape([2]).activation("relu"))?;\n'
        "model1.add(Dense::new(1))?;\n"
    )
    if turn_i is not None and check_i is not None and turn_i < check_i:
        cell = code_cells(page).nth(turn_i)
        type_into(page, cell, wrong)
        page.keyboard.press("Shift+Enter")
        wait_cell(page, cell, CELL_TIMEOUT)
        target = code_cells(page).nth(check_i)
        target.locator(".jp-InputPrompt").click()
        command(page, "notebook:run-cell")
        wait_cell(page, target, CELL_TIMEOUT)
    else:
        print("  no exercise cell found: using a new cell", flush=True)
        target = run_new_cell(page, wrong + "exercises::practice1(&model)")
    out = output_text(target)
    print("  the check says:\n    " + "\n    ".join(out.strip().splitlines()), flush=True)
    target.screenshot(path=str(OUT / "exercise.png"))
    check("not yet" in out and "10" in out and "8" in out, "the check's diagnosis (8 units where the picture shows 10)")


def failing_cell_run_all(page: Page, lab: Lab) -> None:
    step("Run All over a failing cell")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    src = [
        f':dep kerust = {{ path = "{ROOT}" }}\nuse kerust::prelude::*;',
        "let x = 41;",
        'let mut model = Sequential::new();\nmodel.add(Dense::new(2).input_shape([3]).activation("relux"))?;\nprintln!("after the error");',
        'println!("the next cell ran: x = {}", x + 1);',
        'let y: u8 = "not a number";',
        'println!("the cell after the compile error ran");',
    ]
    nb = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s}
            for s in src
        ],
        "metadata": {"kernelspec": {"display_name": "Rust (kerust)", "language": "rust", "name": "kerust"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (SCRATCH / "failing.ipynb").write_text(json.dumps(nb, indent=1))
    open_notebook(page, lab, "target/browser/scratch/failing.ipynb")
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    time.sleep(1)
    wait_idle(page, RUN_ALL_TIMEOUT)
    outs = [output_text(code_cells(page).nth(i)) for i in range(len(src))]
    ps = prompts(page)
    print("  what the student sees, cell by cell:", flush=True)
    for i, o in enumerate(outs):
        print(f"    {ps[i]} {o.strip()[:300]!r}", flush=True)
    shot_whole_notebook(page, OUT / "failing-run-all.png")
    check("unknown activation 'relux'" in outs[2] and "relu" in outs[2],
          "the error shows under the cell that failed")
    check("after the error" not in outs[2], "the failing cell stops at the error")
    check(all("relux" not in o for i, o in enumerate(outs) if i != 2), "the error shows nowhere else")
    check("the next cell ran: x = 42" in outs[3], "Run All goes on after it (evcxr: a failed ? is stderr)")
    check("mismatched types" in outs[4], "a compile error shows under its cell")
    # evcxr 0.22 does not stop Run All at a compile error either.
    check("the cell after the compile error ran" in outs[5], "Run All goes on after a compile error too")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        sys.exit(f"no Chromium at {CHROMIUM}: make chromium (apt-get install chromium fonts-liberation)")
    t0 = time.time()
    with Lab() as lab, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        steps = sys.argv[1:] or ["lesson", "stop", "runaway", "exercise", "failing", "launcher"]
        try:
            # The new notebook's kernel comes last: it would take the warm
            # build slot that the lessons' kernels should get.
            # (`browser_test.py failing launcher` runs only those steps.)
            if "lesson" in steps:
                run_all_lesson(page, lab)
            if "stop" in steps:
                stop_button(page)
            if "runaway" in steps:
                runaway_loop(page)
            if "exercise" in steps:
                exercise(page, lab)
            if "failing" in steps:
                failing_cell_run_all(page, lab)
            if "launcher" in steps:
                launcher_and_new_notebook(page, lab)
        except Exception as exc:  # a step that cannot go on: keep a picture
            page.screenshot(path=str(OUT / "failure.png"))
            failures.append(f"{type(exc).__name__}: {exc}")
            print(f"  FAILED: {type(exc).__name__}: {exc}", flush=True)
        finally:
            browser.close()
            for path in SCRATCH.glob("Untitled*.ipynb"):
                path.unlink()
    print(f"\nbrowser test: {time.time() - t0:.0f} s; screenshots in {OUT}")
    if failures:
        print("browser test FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("browser test: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
