#!/usr/bin/env node
'use strict';
/*
 * Chooses the annotated documents, the test part and the second-pass documents, by seed, and writes
 * documents.json and second-pass.json beside the tools. Run once, before annotating:
 *   node corpus/emr-relations/tools/select.js [--seed 20] [--per-folder 25] [--test-per-folder 10] [--second-pass 30]
 * Per folder: the document names are shuffled with the seeded generator of @emr-re/tokenize (mulberry32), those
 * without a single allowed entity pair of the paper schema are skipped, the first `per-folder` are taken and the
 * first `test-per-folder` of these are the test part. The second pass takes half its documents from the test part
 * and half from the rest, each half a seeded shuffle of its part cut to size.
 */
const path = require('node:path');
const { tokenize, CORPUS, FOLDERS, documentNames, loadDocument, allowedPairs } = require('./common');

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const seed = flag('seed', 20);
const perFolder = flag('per-folder', 25);
const testPerFolder = flag('test-per-folder', 10);
const secondPass = flag('second-pass', 30);

const documents = [];
FOLDERS.forEach((folder, f) => {
  const rng = new tokenize.SeededRandom(seed + f);
  const chosen = rng
    .shuffle(documentNames(folder))
    .map((name) => `${folder}/${name}`)
    .filter((record) => allowedPairs(loadDocument(record)).length > 0)
    .slice(0, perFolder);
  chosen.forEach((record, i) => documents.push({ record, split: i < testPerFolder ? 'test' : 'train' }));
});

const rng = new tokenize.SeededRandom(seed + 100);
const half = Math.floor(secondPass / 2);
const pick = (split, n) => rng.shuffle(documents.filter((d) => d.split === split).map((d) => d.record)).slice(0, n);
const second = [...pick('test', secondPass - half), ...pick('train', half)];

const write = (file, obj) => tokenize.writeFileAtomicSync(path.join(CORPUS, file), JSON.stringify(obj, null, 2) + '\n');
write('documents.json', {
  version: 1,
  seed,
  perFolder,
  testPerFolder,
  rule: 'per folder: seeded shuffle (SeededRandom(seed + folder index)), documents with no allowed pair skipped, first perFolder taken, first testPerFolder of them are test',
  documents,
});
write('second-pass.json', {
  version: 1,
  seed: seed + 100,
  rule: 'seeded shuffle (SeededRandom(seed + 100)) of the test documents, then of the train documents; first 15 of each',
  documents: second,
});
console.log(
  JSON.stringify({
    documents: documents.length,
    test: documents.filter((d) => d.split === 'test').length,
    secondPass: second.length,
  }),
);
