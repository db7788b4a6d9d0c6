"""Starts Jupyter Lab from .venv for the browser test: a free port, a random
token, its own settings and workspaces (under target/browser/), the server
options of `make lab` (LAB_SERVER_ARGS in the Makefile, passed in the
environment), and stops it again."""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "browser"

# JupyterLab settings for the test. windowingMode none: JupyterLab 4.6
# renders only the cells in view by default, so a test could not see them
# all. No autosave: the lessons' files are never written (the test clears
# and reruns their outputs in the browser only). No news or update checks
# (no internet).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, root_dir: Path = ROOT):
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.root_dir = root_dir
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def api(self, method: str, path: str, body=None):
        req = urllib.request.Request(
            f"{self.base}/api/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read()
        return json.loads(text) if text else None

    def __enter__(self):
        settings = OUT / "lab-settings"
        for name, value in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        # A fresh workspace: no tabs left open by an earlier run.
        shutil.rmtree(OUT / "lab-workspaces", ignore_errors=True)
        (OUT / "lab-workspaces").mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(OUT / "lab-workspaces")
        args = [
            str(ROOT / ".venv" / "bin" / "jupyter"), "lab", "--no-browser",
            f"--port={self.port}", "--ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            # window.jupyterapp: the test runs a few commands directly.
            "--LabApp.expose_app_in_browser=True",
            *os.environ.get("LAB_SERVER_ARGS", "").split(),
        ]
        if os.geteuid() == 0:
            args.append("--allow-root")
        self.log = open(OUT / "lab.log", "w")
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"jupyter lab ended with {self.proc.returncode}: see {OUT / 'lab.log'}")
            try:
                self.api("GET", "status")
                return self
            except OSError:
                time.sleep(0.5)
        sys.exit(f"jupyter lab did not answer within 60 s: see {OUT / 'lab.log'}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            try:
                for k in self.api("GET", "kernels") or []:
                    self.api("DELETE", f"kernels/{k['id']}")
            except OSError:
                pass
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
