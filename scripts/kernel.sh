#!/usr/bin/env bash
# Starts evcxr_jupyter for the kerust kernel (kernel.json runs this script).
#
# evcxr builds each session in a fresh temporary directory by default, so
# kerust and all its dependencies would be compiled again at every kernel
# start: a minute or more. Instead each kernel gets a persistent build
# directory ("slot") under target/evcxr-kernels/, locked while the kernel
# runs so that two notebooks open at the same time never share one. Cargo
# then finds everything already built and the first cell takes seconds.
# Without flock(1), or with all slots busy, evcxr's default temporary
# directory is used (and the build settings of evcxr/cargo-config.toml do
# not apply).
#
# evcxr's own build cache (`:cache N`) stays off (evcxr/init.evcxr): it keys
# a crate's build by its compiler arguments only, and serves serde_core's
# dep-info with the build-script directory of whichever slot built it
# first. Once that directory is gone, cargo rebuilds serde_core in every
# kernel start, gets the same stale copy back, and kerust then fails with
# "can't find crate for `serde_json`". The slots make the cache unneeded.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evcxr="${KERUST_EVCXR_JUPYTER:-evcxr_jupyter}"
slots="${KERUST_KERNEL_SLOTS:-6}"
base="${KERUST_KERNEL_DIR:-$root/target/evcxr-kernels}"

# try_slot N WAIT: takes slot N if its lock is free (waiting up to WAIT seconds).
try_slot() {
    exec {lock}>"$base/slot-$1.lock" || return 1
    if flock -w "$2" "$lock"; then
        # The lock stays held by evcxr_jupyter, which inherits the descriptor.
        mkdir -p "$base/slot-$1"
        export EVCXR_TMPDIR="$base/slot-$1"
        return 0
    fi
    exec {lock}>&-
    return 1
}

if [ -z "${EVCXR_TMPDIR:-}" ] && command -v flock >/dev/null 2>&1 && mkdir -p "$base/.cargo" 2>/dev/null; then
    # Cargo reads this from every slot's parent dir: build settings of
    # kerust and its dependencies in the kernel (see evcxr/cargo-config.toml).
    if ! cmp -s "$root/evcxr/cargo-config.toml" "$base/.cargo/config.toml"; then
        cp "$root/evcxr/cargo-config.toml" "$base/.cargo/config.toml.$$" &&
            mv -f "$base/.cargo/config.toml.$$" "$base/.cargo/config.toml"
    fi
    # Prefer a slot that has been built in (warm); a kernel that was just
    # restarted may take a moment to let go of its slot, so wait a little
    # for the first one before taking a new, cold slot.
    # Warm: kerust has been built in it (a directory alone may be a slot
    # whose kernel never built anything).
    found="" warm=()
    for ((i = 0; i < slots; i++)); do
        if ls "$base/slot-$i"/target/*/debug/deps/libkerust-*.rlib >/dev/null 2>&1; then warm+=("$i"); fi
    done
    for i in "${warm[@]}"; do
        if try_slot "$i" 0; then found=1; break; fi
    done
    if [ -z "$found" ] && [ "${#warm[@]}" -gt 0 ] && try_slot "${warm[0]}" 5; then found=1; fi
    if [ -z "$found" ]; then
        for ((i = 0; i < slots; i++)); do
            if try_slot "$i" 0; then break; fi
        done
    fi
fi

# Preload: when this slot already holds a kerust build that is newer than
# kerust's sources, the kernel loads kerust while it starts (evcxr runs
# init.evcxr before it answers Jupyter). evcxr's rust-analyzer then reads
# kerust and its dependencies during the start (about 13 s, while the
# student reads the notebook's introduction) instead of in the first cells:
# the notebook's own `:dep kerust = { path = ".." }` names the same crate and
# returns at once, and the first cell that builds a model takes under a
# second instead of six. The warm-up line uses `?` so that evcxr turns on
# its support for `?` now: it does so only after rustc has rejected a first
# compile of a cell with `?` (docs/evcxr.md). A failing init would stop the kernel, so only a
# build that cargo finds fresh is preloaded (nothing to compile, nothing
# that can fail), and the warm-up line uses only the API's fixed names.
# KERUST_PRELOAD=0 turns it off.
preload_config() {
    [ "${KERUST_PRELOAD:-1}" != 0 ] && [ -n "${EVCXR_TMPDIR:-}" ] || return 1
    case "$root" in *'"'* | *'\'* | *$'\n'*) return 1 ;; esac
    # Fresh: the slot's last session depended on this kerust, and its last
    # cell was built (kerust with it) after kerust's sources last changed.
    local built
    built="$(ls -t "$EVCXR_TMPDIR"/target/*/debug/libctx.so "$EVCXR_TMPDIR"/target/*/debug/libcode_*.so 2>/dev/null | head -n 1)"
    [ -n "$built" ] && ls "$EVCXR_TMPDIR"/target/*/debug/deps/libkerust-*.rlib >/dev/null 2>&1 || return 1
    grep -qF "kerust = { path = \"$root\" }" "$EVCXR_TMPDIR/Cargo.toml" 2>/dev/null || return 1
    if [ -n "$(find "$root/src" "$root/Cargo.toml" "$root/Cargo.lock" -newer "$built" -print -quit 2>/dev/null)" ]; then
        return 1
    fi
    local dir="$EVCXR_TMPDIR.config"
    mkdir -p "$dir" || return 1
    {
        cat "$root/evcxr/init.evcxr"
        printf ':dep kerust = { path = "%s" }\n' "$root"
        printf 'let kerust_version = Ok::<_, kerust::Error>({ let _ = kerust::model::Sequential::add::<kerust::layers::Dense>; kerust::VERSION })?;\n'
    } >"$dir/init.evcxr.$$" && mv -f "$dir/init.evcxr.$$" "$dir/init.evcxr" || return 1
    export EVCXR_CONFIG_DIR="$dir"
    preload_on=1
}
preload_config || true

# Cold slot (no kerust build in it yet): the first build of kerust takes
# about 70 s with no word from evcxr, so the kernel starts a watcher in the
# cell process that tells the running cell about it on stderr
# (evcxr/cold-build-notice.rs). Not when the preload above is on (warm).
cold_notice_config() {
    [ -n "${EVCXR_TMPDIR:-}" ] && [ -z "${preload_on:-}" ] && [ -d /proc ] || return 1
    if ls "$EVCXR_TMPDIR"/target/*/debug/deps/libkerust-*.rlib >/dev/null 2>&1; then return 1; fi
    local dir="$EVCXR_TMPDIR.config"
    mkdir -p "$dir" || return 1
    cat "$root/evcxr/init.evcxr" "$root/evcxr/cold-build-notice.rs" >"$dir/init.evcxr.$$" &&
        mv -f "$dir/init.evcxr.$$" "$dir/init.evcxr" || return 1
    export EVCXR_CONFIG_DIR="$dir"
}
cold_notice_config || true

# The stop button. kernel.json's "interrupt_mode": "signal" makes Jupyter
# send SIGINT to this kernel's process group (jupyter_client killpg()s the
# group it started with start_new_session) instead of evcxr's
# interrupt_request, which evcxr answers by killing the process that runs
# the cells (every variable lost). SIGINT is ignored here, and an ignored
# signal stays ignored across exec and fork: evcxr_jupyter, cargo and rustc
# go on. The cell process inherits it too; kerust gives it back its default
# action when a cell's library loads (src/interrupt.rs, on
# KERUST_KERNEL_SIGINT=1), so a runaway cell is still stopped (and evcxr
# restarts the cell process), while fit, evaluate and predict catch SIGINT
# while they run and stop at the end of a batch, keeping every variable.
export KERUST_KERNEL_SIGINT=1
# fit's autosave of its last finished epoch (restore_autosave()), one per
# build slot so that two open notebooks do not share it.
if [ -z "${KERUST_AUTOSAVE_DIR:-}" ]; then
    if [ -n "${EVCXR_TMPDIR:-}" ]; then
        export KERUST_AUTOSAVE_DIR="$EVCXR_TMPDIR.autosave"
    else
        export KERUST_AUTOSAVE_DIR="${TMPDIR:-/tmp}/kerust-autosave-$$"
    fi
fi
trap '' INT
exec "$evcxr" "$@"
