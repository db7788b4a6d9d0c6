#!/usr/bin/env bash
# Puts the kerust course into the student's home at every server start
# (Zero to JupyterHub: singleuser.lifecycleHooks.postStart, see
# deploy/jupyterhub/values.yaml). The home volume hides the image's
# /home/jovyan, and the image's warm kernel build is keyed by kerust's
# absolute path, so the course goes back exactly to $KERUST_ROOT:
#
# - the crate (src/, Cargo.toml, Cargo.lock, evcxr/, scripts/, assets/,
#   kernel.json) is refreshed from the image every time, with its file times
#   (cp -a): it is what the image's build slots were built from, so the
#   kernel finds kerust fresh and the first cell returns in seconds;
# - everything else (the notebooks, the student's own files) is copied only
#   where missing: a student's work is never overwritten.
#
# Usage: kerust-course-home [SEED] [DEST]   (default /opt/kerust/course, $KERUST_ROOT)
set -euo pipefail
seed="${1:-/opt/kerust/course}"
dest="${2:-${KERUST_ROOT:-/home/jovyan/kerust}}"
[ -d "$seed" ] || { echo "kerust-course-home: no course at $seed" >&2; exit 1; }
mkdir -p "$dest"
for part in src Cargo.toml Cargo.lock evcxr scripts assets kernel.json; do
    [ -e "$seed/$part" ] || continue
    rm -rf "$dest/.$part.new"
    cp -a "$seed/$part" "$dest/.$part.new"
    rm -rf "$dest/$part"
    mv "$dest/.$part.new" "$dest/$part"
done
cp -a -n "$seed/." "$dest/"
