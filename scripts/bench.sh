#!/usr/bin/env bash
# `make bench` (issue 6): kerust (release) against TF-Keras on the same work;
# prints the table and writes target/bench.json. See scripts/bench.py.
#
# Installs TF-Keras (requirements-bench.txt) into .venv-tf when it is missing.
# Case 5 (the notebook kernel) needs `make setup` (.venv with Jupyter and the
# kerust kernel); without it that case reports an error and the rest runs.
#
# Usage: scripts/bench.sh [--quick] [--cases mlp,seed001,cnn,predict,notebook]
#        (BENCH_QUICK=1 = --quick: 2,000 images, to try the harness out)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV_TF:-$root/.venv-tf}"
if ! "$venv/bin/python" -c "import tensorflow, keras" >/dev/null 2>&1; then
    echo "bench: installing TF-Keras into $venv (requirements-bench.txt)" >&2
    [ -x "$venv/bin/python" ] || "${PY:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$root/requirements-bench.txt"
fi
exec "$venv/bin/python" "$root/scripts/bench.py" "$@"
