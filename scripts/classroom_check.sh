#!/usr/bin/env bash
# Checks the classroom files as far as a machine without a container engine
# can:
#   1. hadolint on the Dockerfile;
#   2. repo2docker --no-build --no-run: the Binder build that mybinder.org
#      would run is generated from binder/ without errors, and it runs
#      binder/postBuild and binder/start;
#   3. yamllint on deploy/jupyterhub/values.yaml (no registry package ships
#      the Zero to JupyterHub chart's values schema);
#   4. the rehearsal: binder/postBuild on this host in a fresh HOME, ending
#      with a first cell under 5 s in a fresh kernel (scripts/rehearse_postbuild.sh).
#
#   scripts/classroom_check.sh          # make test: the rehearsal may be skipped (it says why)
#   scripts/classroom_check.sh --full   # make classroom-check: the rehearsal always runs
#
# The tools (requirements-classroom.txt) go into target/classroom/venv.
# Every step runs even when one fails; the exit status says if any did.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/target/classroom/venv"
stamp="$venv/.stamp-requirements"
cd "$root" || exit 1

if [ ! -f "$stamp" ] || [ "$root/requirements-classroom.txt" -nt "$stamp" ]; then
    echo "classroom: installing the check tools into $venv"
    { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } &&
        "$venv/bin/python" -m pip install --disable-pip-version-check -q -r requirements-classroom.txt &&
        touch "$stamp" || { echo "classroom: FAILED: cannot install requirements-classroom.txt" >&2; exit 1; }
fi

passed=0
failed=0
skipped=0
# step NAME CMD...: exit status 0 passed, 3 skipped (the command said why), else failed.
step() {
    local name="$1" rc=0
    shift
    echo "classroom: $name"
    "$@" || rc=$?
    case "$rc" in
        0) echo "classroom: $name: ok"; passed=$((passed + 1)) ;;
        3) echo "classroom: $name: skipped"; skipped=$((skipped + 1)) ;;
        *) echo "classroom: $name: FAILED" >&2; failed=$((failed + 1)) ;;
    esac
}

binder_dry_run() {
    local out err
    out="$(mktemp)" err="$(mktemp)"
    if ! "$venv/bin/repo2docker" --no-build --no-run --debug --user-id 1000 --user-name jovyan . >"$out" 2>"$err"; then
        cat "$err" >&2
        rm -f "$out" "$err"
        return 1
    fi
    local ok=0 want
    # What the generated Dockerfile must do with binder/.
    for want in 'build-essential' 'pip install --no-cache-dir -r "binder/requirements.txt"' \
        'RUN ./binder/postBuild' 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"'; do
        if ! grep -qF -- "$want" "$out"; then
            echo "repo2docker's Dockerfile lacks: $want" >&2
            ok=1
        fi
    done
    if grep -qiE 'warning|error' "$err"; then
        grep -iE 'warning|error' "$err" >&2
        ok=1
    fi
    [ "$ok" = 0 ] && echo "  $(grep -m1 '^FROM' "$out"), $(grep -ci '^RUN' "$out") RUN steps, python $(grep -oE 'python=[0-9.]+' "$err" | head -n 1 | cut -d= -f2)"
    rm -f "$out" "$err"
    return "$ok"
}

step "hadolint Dockerfile" "$venv/bin/hadolint" Dockerfile
step "repo2docker dry run (binder/)" binder_dry_run
step "yamllint deploy/jupyterhub/values.yaml" "$venv/bin/yamllint" -s \
    -d '{extends: default, rules: {line-length: {max: 100}}}' deploy/jupyterhub/values.yaml
step "rehearsal of binder/postBuild in a fresh HOME" scripts/rehearse_postbuild.sh "$@"

echo "classroom: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
