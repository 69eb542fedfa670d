'use strict';
/* What the benchmark scripts share: the built packages, the data paths and a seeded shuffle. */
const path = require('node:path');

/** A built package of this repository (run `npm run build` first). */
const pkg = (name) => require(path.join(__dirname, '..', 'packages', name, 'dist', 'index.js'));

const DATA = path.join(__dirname, '..', '..', 'shared', 'data');
const CMEIE = path.join(DATA, 'cmeie', 'train.jsonl');
const CCKS = path.join(DATA, 'ccks2017-cner');

/** The one seeded generator of emr-re (mulberry32, `seededRandom` of @emr-re/tokenize): floats in [0, 1). */
const seededRandom = (seed) => pkg('tokenize').seededRandom(seed);

/** A seeded Fisher–Yates shuffle (copy), with the same generator. */
const shuffled = (items, seed) => new (pkg('tokenize').SeededRandom)(seed).shuffle(items.slice());

module.exports = { pkg, DATA, CMEIE, CCKS, seededRandom, shuffled };
