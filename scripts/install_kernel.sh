#!/usr/bin/env bash
# Installs the kerust kernelspec (the repository's kernel.json, with its
# absolute paths filled in) into the project's virtual environment:
#   .venv/share/jupyter/kernels/kerust/kernel.json
# Nothing is written outside the repository. Jupyter started from .venv/bin
# finds the kernel there.
#
# Usage: scripts/install_kernel.sh [VENV_DIR]   (default: .venv)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$root/.venv}"
python="$venv/bin/python"
if [ ! -x "$python" ]; then
    echo "install_kernel.sh: no Python at $python; run 'make setup' first" >&2
    exit 1
fi

evcxr="$(command -v evcxr_jupyter || true)"
if [ -z "$evcxr" ] && [ -x "$HOME/.cargo/bin/evcxr_jupyter" ]; then
    evcxr="$HOME/.cargo/bin/evcxr_jupyter"
fi
if [ -z "$evcxr" ]; then
    echo "install_kernel.sh: evcxr_jupyter not found on PATH or in ~/.cargo/bin; run 'make setup' first" >&2
    exit 1
fi

dest="$venv/share/jupyter/kernels/kerust"
mkdir -p "$dest"
# New notebooks start the kerust kernel. Jupyter's default kernel
# (make lab: --MappingKernelManager.default_kernel_name=kerust) is used by
# JupyterLab only with autoStartDefaultKernel; without it File > New >
# Notebook asks, preselecting the first kernel by name ("Python 3
# (ipykernel)", the venv's own, under which `:dep` is a SyntaxError). This
# is a default of the venv's JupyterLab (overrides.json); a student's own
# setting still wins.
overrides="$venv/share/jupyter/lab/settings/overrides.json"
want='{"@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": true}}'
if [ "$(cat "$overrides" 2>/dev/null)" != "$want" ]; then
    mkdir -p "$(dirname "$overrides")"
    printf '%s\n' "$want" >"$overrides"
    echo "JupyterLab: new notebooks start the default kernel ($overrides)"
fi

if "$python" - "$root" "$evcxr" "$dest" <<'PY'
import json, os, sys
root, evcxr, dest = sys.argv[1:4]
with open(os.path.join(root, "kernel.json")) as f:
    text = f.read()
spec = json.loads(text)
spec["argv"] = [a.replace("@EVCXR_JUPYTER@", evcxr).replace("@KERUST_ROOT@", root) for a in spec["argv"]]
spec["env"] = {k: v.replace("@KERUST_ROOT@", root).replace("@EVCXR_JUPYTER@", evcxr) for k, v in spec["env"].items()}
spec.get("metadata", {}).pop("kerust", None)
text = json.dumps(spec, indent=2) + "\n"
target = os.path.join(dest, "kernel.json")
try:
    with open(target) as f:
        unchanged = f.read() == text
except OSError:
    unchanged = False
if unchanged:
    print(f"kerust kernel: already installed in {dest}")
    sys.exit(3)
tmp = target + ".tmp"
with open(tmp, "w") as f:
    f.write(text)
os.replace(tmp, target)
PY
then :; else
    rc=$?
    [ "$rc" -eq 3 ] && exit 0
    exit "$rc"
fi

# The Rust logo that evcxr ships, for the launcher tile (optional).
for size in 32x32 64x64; do
    logo="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/evcxr_jupyter-0.22*/third_party/rust/rust-logo-$size.png 2>/dev/null | head -n 1 || true)"
    if [ -n "$logo" ]; then
        cp "$logo" "$dest/logo-$size.png"
    fi
done
echo "Installed the kerust kernel: $dest/kernel.json"
