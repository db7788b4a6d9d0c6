#!/usr/bin/env bash
# The classroom rehearsal: runs binder/postBuild on this host the way
# mybinder.org runs it (no container engine here), in a fresh HOME, and
# ends with a first cell under 5 s in a fresh kernel plus one student's
# measured memory and disk (scripts/classroom_measure.py).
#
#   scripts/rehearse_postbuild.sh          # as in `make test`
#   scripts/rehearse_postbuild.sh --full   # as in `make classroom-check`: never skipped
#
# What is fresh: HOME (so ~/.cargo with its crate registry, ~/.keras,
# ~/.npm, ~/.local are new and empty; the user's own are not touched), a
# copy of the repository as $HOME (repo2docker puts it there), and a new
# Python environment with binder/requirements.txt (what repo2docker
# installs before postBuild; kept between rehearsals in
# target/classroom/binder-env, as it is not postBuild's work). What is the
# host's: the Rust toolchain (rustup's, through
# RUSTUP_HOME, used read-only) and, when it is installed, evcxr_jupyter:
# postBuild reuses what is on PATH, as it would on a Binder base image that
# had them. Without an evcxr_jupyter, postBuild compiles one (7 to 11
# minutes on 2 cores) and the whole rehearsal takes over 15 minutes: then
# `make test` skips it with a message (so does a machine whose last
# rehearsal took over 15 minutes) and `make classroom-check` runs it.
#
# Exit status: 0 passed, 3 skipped (with the reason printed), else failed.
# Work directory: $KERUST_REHEARSAL_DIR or $TMPDIR/kerust-rehearsal (emptied
# first, kept afterwards for inspection); measurements in its report.json.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
full=0
[ "${1:-}" = "--full" ] && full=1
work="${KERUST_REHEARSAL_DIR:-${TMPDIR:-/tmp}/kerust-rehearsal}"
limit=900
last_file="$root/target/classroom/last-rehearsal-seconds"

say() { echo "rehearsal: $*"; }
fail() { echo "rehearsal: FAILED: $*" >&2; exit 1; }

host_cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
find_tool() { command -v "$1" 2>/dev/null || { [ -x "$host_cargo_bin/$1" ] && echo "$host_cargo_bin/$1"; } || true; }
cargo="$(find_tool cargo)"
rustc="$(find_tool rustc)"
evcxr="$(find_tool evcxr_jupyter)"
[ -n "$cargo" ] && [ -n "$rustc" ] || fail "no cargo/rustc on PATH or in $host_cargo_bin (the rehearsal uses the host's Rust toolchain)"

if [ "$full" = 0 ]; then
    if [ -z "$evcxr" ]; then
        say "SKIPPED: evcxr_jupyter is not installed, so postBuild would compile it (7 to 11 minutes) and the fresh-HOME build would take over 15 minutes; run 'make classroom-check' to rehearse it alone"
        exit 3
    fi
    if [ -f "$last_file" ] && [ "$(cat "$last_file")" -gt "$limit" ]; then
        say "SKIPPED: the last rehearsal on this machine took $(cat "$last_file") s (over 15 minutes); run 'make classroom-check' to rehearse it alone"
        exit 3
    fi
fi

t0=$SECONDS
say "fresh HOME in $work/home"
rm -rf "$work"
mkdir -p "$work/home" "$work/tmp" "$work/host-bin" "$(dirname "$last_file")"

# The repository as repo2docker sees it: the files git would commit (tracked
# and new, not ignored), copied into HOME.
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf -) | tar -xf - -C "$work/home"

# The host's toolchain only (not the rest of ~/.cargo/bin): cargo, rustc,
# rustdoc (rustup proxies pick the tool by name) and evcxr_jupyter.
for tool in cargo rustc rustdoc; do
    t="$(find_tool "$tool")"
    [ -n "$t" ] && ln -s "$t" "$work/host-bin/$tool"
done
[ -n "$evcxr" ] && ln -s "$evcxr" "$work/host-bin/evcxr_jupyter"

# The environment a Binder build has: nothing of this shell's but the basics.
fresh_env=(env -i HOME="$work/home" USER="${USER:-$(id -un)}" LANG=C.UTF-8 TMPDIR="$work/tmp"
    RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
    PATH="$root/target/classroom/binder-env/bin:$work/home/.cargo/bin:$work/host-bin:/usr/local/bin:/usr/bin:/bin")

# repo2docker's own step before postBuild: a Python environment with
# binder/requirements.txt. Kept between rehearsals (target/classroom/binder-env,
# remade when the requirements change): it is not postBuild's work.
env_dir="$root/target/classroom/binder-env"
env_key="$(cat "$root/binder/requirements.txt" "$root/requirements-notebooks.txt" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$env_dir/.requirements-sha256" 2>/dev/null)" != "$env_key" ]; then
    say "Python environment with binder/requirements.txt (repo2docker's step)"
    rm -rf "$env_dir"
    python3 -m venv "$env_dir"
    (cd "$work/home" && "${fresh_env[@]}" "$env_dir/bin/pip" install --disable-pip-version-check -q -r binder/requirements.txt) ||
        fail "pip install -r binder/requirements.txt"
    echo "$env_key" >"$env_dir/.requirements-sha256"
else
    say "Python environment with binder/requirements.txt: kept from the last rehearsal ($env_dir)"
fi
rm -rf "$env_dir/share/jupyter/kernels/kerust"   # postBuild installs it

say "binder/postBuild"
t1=$SECONDS
(cd "$work/home" && "${fresh_env[@]}" ./binder/postBuild) || fail "binder/postBuild failed (see above)"
build_s=$((SECONDS - t1))
say "postBuild took $build_s s"

# What a student's server runs: binder/start, then Jupyter, then the
# kernel. Offline: the warm state must need no download.
say "a fresh kernel, offline (CARGO_NET_OFFLINE=true)"
(cd "$work/home" && "${fresh_env[@]}" CARGO_NET_OFFLINE=true ./binder/start \
    python scripts/classroom_measure.py --json "$work/report.json") || fail "the fresh kernel check failed (see above)"

total=$((SECONDS - t0))
echo "$total" >"$last_file"
say "passed in $total s (postBuild $build_s s); report: $work/report.json"
