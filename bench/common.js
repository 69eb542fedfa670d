'use strict';
/* What the benchmark scripts share: the built packages, the data paths and a seeded shuffle. */
const path = require('node:path');

/** A built package of this repository (run `npm run build` first). */
const pkg = (name) => require(path.join(__dirname, '..', 'packages', name, 'dist', 'index.js'));

const DATA = path.join(__dirname, '..', '..', 'shared', 'data');
const CMEIE = path.join(DATA, 'cmeie', 'train.jsonl');
const CCKS = path.join(DATA, 'ccks2017-cner');

/** mulberry32: a small seeded generator in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher–Yates shuffle (copy). */
function shuffled(items, seed) {
  const rand = mulberry32(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

module.exports = { pkg, DATA, CMEIE, CCKS, mulberry32, shuffled };
