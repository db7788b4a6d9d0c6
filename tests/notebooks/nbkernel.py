"""Shared helpers for the notebook tests: find the repository, make sure the
kerust kernelspec from the project's venv is the one Jupyter uses, and run
notebook cells in that kernel with nbclient."""

from __future__ import annotations

import os
import queue
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "kerust"
# The kernels' stdout/stderr (cargo output) is appended to target/notebook-tests/kernel.log.
LOG_DIR = ROOT / "target" / "notebook-tests"

# Jupyter looks for kernelspecs in JUPYTER_PATH first, then in the user's
# data dir, then in the venv. Put the venv's dir first, so that a kerust
# kernelspec installed elsewhere (an older checkout) cannot shadow ours.
_venv_share = Path(sys.prefix) / "share" / "jupyter"
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    p for p in [str(_venv_share), os.environ.get("JUPYTER_PATH", "")] if p
)
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

import nbformat  # noqa: E402
from jupyter_core.utils import run_sync  # noqa: E402
from nbclient import NotebookClient  # noqa: E402


def check_kernelspec() -> None:
    """Fails with a readable message when the kerust kernel is not installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        sys.exit(
            f"error: the '{KERNEL_NAME}' Jupyter kernel is not installed in {sys.prefix}; "
            "run 'make setup' (or scripts/install_kernel.sh)"
        )
    exe = spec.argv[0]
    if not os.path.exists(exe):
        sys.exit(f"error: the kerust kernelspec runs {exe}, which does not exist; run 'make setup'")


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def output_text(out) -> str:
    """The text a student sees for one output (stream, result or error),
    without terminal colour codes."""
    return ANSI.sub("", _output_text(out))


def _output_text(out) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        return out.get("text", "")
    if kind == "error":
        return f"{out.get('ename', '')}: {out.get('evalue', '')}\n" + "\n".join(
            out.get("traceback", [])
        )
    data = out.get("data", {})
    return "\n".join(
        str(data[m]) for m in ("text/plain", "text/html") if m in data
    )


def cell_text(cell) -> str:
    return "".join(output_text(o) for o in cell.get("outputs", []))


class Kernel:
    """A running kerust kernel for a notebook object, executing one cell at a
    time (so callers can time cells), with cwd = `cwd`."""

    def __init__(self, nb, cwd: Path, timeout: int = 600, allow_errors: bool = True):
        nb.metadata["kernelspec"] = {
            "name": KERNEL_NAME,
            "display_name": "Rust (kerust)",
            "language": "rust",
        }
        self.nb = nb
        self.client = NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            timeout=timeout,
            # The kernel answers after its preload (scripts/kernel.sh):
            # 15 s on a quiet machine, over a minute on a busy one.
            startup_timeout=300,
            allow_errors=allow_errors,
            record_timing=False,
            resources={"metadata": {"path": str(cwd)}},
        )
        self._ctx = None
        self._log = None

    def __enter__(self):
        # The kernel's own output (cargo's "Compiling ..." lines, evcxr's
        # messages) goes to a log file, not into the test's output.
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self._log = open(LOG_DIR / "kernel.log", "a")
        self._log.write(f"\n==== kernel start {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        self._log.flush()
        self._ctx = self.client.setup_kernel(stdout=self._log, stderr=self._log)
        start = time.monotonic()
        self._ctx.__enter__()
        # Until the kernel answers: evcxr runs its init (with kerust's
        # preload, see scripts/kernel.sh) before it does.
        self.start_seconds = time.monotonic() - start
        return self

    def __exit__(self, *exc):
        try:
            return self._ctx.__exit__(*exc)
        finally:
            self._log.close()

    def run(self, index: int) -> float:
        """Executes cell `index`; returns its wall time in seconds."""
        return self.run_cell(self.nb.cells[index], index)

    def run_cell(self, cell, index: int) -> float:
        """Executes `cell` (a cell of the notebook or a changed copy of
        cell `index`); returns its wall time in seconds."""
        start = time.monotonic()
        original = self.nb.cells[index]
        self.client.execute_cell(cell, index)
        # nbclient stores the executed cell at `index`: keep the notebook's
        # own cell there when a changed copy ran.
        self.nb.cells[index] = original
        seconds = time.monotonic() - start
        self._drain(cell, index)
        return seconds

    def _drain(self, cell, index: int, quiet: float = 0.2, limit: float = 2.0) -> None:
        """evcxr forwards the kernel's stderr (where a failed `?` prints its
        message) on a separate thread, so that text can arrive after the cell
        has finished. Jupyter Lab still shows it in the right cell (it routes
        by parent message); nbclient has stopped listening by then. Collect
        stream messages until the kernel has been quiet for `quiet` seconds,
        before the next cell is sent."""
        kc = self.client.kc
        get = run_sync(kc.iopub_channel.get_msg)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                msg = get(timeout=quiet)
            except queue.Empty:
                return
            if msg.get("msg_type") == "stream":
                self.client.process_message(msg, cell, index)


def new_notebook(sources):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(s) for s in sources]
    )
    return nb
