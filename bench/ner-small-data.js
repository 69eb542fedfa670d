#!/usr/bin/env node
/*
 * Little-data NER check (BENCHMARKS.md "NER", "Small-data defaults"): does the `small` preset learn from a few
 * hundred sentences in one or two epochs, and what does a learning rate / batch change do on CCKS?
 *
 *   --data cmeie   the first --n lines of ../shared/data/cmeie/train.jsonl (CMeIE schema), scored on its last 50
 *                  (the contract's `extract` section trains on the first 300 and extracts from the last 50)
 *   --data ccks    CCKS 2017 record numbers 1..--n (all four sections), scored on record numbers 241..300
 *
 * Usage: node bench/ner-small-data.js [--data cmeie|ccks] [--n N] [--epochs E] [--lr LR] [--batch B] [--seed S]
 * Defaults: cmeie, n 300 (ccks: 60), the small preset's epochs / learning rate / batch unless given, seed 1.
 * Prints one JSON line: the configuration used, losses per epoch, entities found, strict micro P/R/F1 (%), seconds.
 */
'use strict';
const { parseArgs } = require('node:util');
const { pkg, CMEIE, CCKS } = require('./common');

const { values: v } = parseArgs({
  options: {
    data: { type: 'string', default: 'cmeie' },
    n: { type: 'string' },
    epochs: { type: 'string', default: '1' },
    lr: { type: 'string' },
    batch: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

async function main() {
  const tok = pkg('tokenize');
  const ner = pkg('ner');
  const metrics = pkg('metrics');
  await pkg('engine').selectBackend({ backend: 'wasm' });
  let train;
  let test;
  let schema;
  if (v.data === 'cmeie') {
    schema = await tok.loadSchema('cmeie');
    const all = await tok.readAllRecords(tok.openCorpus(CMEIE, 'cmeie', { schema }));
    train = all.slice(0, Number(v.n ?? 300));
    test = all.slice(all.length - 50);
  } else if (v.data === 'ccks') {
    const all = await tok.readAllRecords(tok.openCorpus(CCKS, 'ccks2017'));
    const number = (r) => Number(/-(\d+)$/.exec(r.id)[1]);
    const last = Number(v.n ?? 60);
    train = all.filter((r) => number(r) <= last);
    test = all.filter((r) => number(r) >= 241);
  } else throw new Error(`--data must be cmeie or ccks, got ${v.data}`);
  const overrides = { epochs: Number(v.epochs), seed: Number(v.seed) };
  if (v.lr) overrides.learningRate = Number(v.lr);
  if (v.batch) overrides.batchSize = Number(v.batch);
  const config = ner.nerConfigFor('bigru-crf', 'small', overrides);
  const started = Date.now();
  const model = await ner.trainNer(train, config, { schema });
  const seconds = (Date.now() - started) / 1000;
  const predicted = await model.recognize(test.map((r) => ({ id: r.id, text: r.text })));
  const { micro } = metrics.scoreEntities(test, predicted);
  const pct = (x) => Math.round(x * 10000) / 100;
  const row = {
    data: v.data,
    trainRecords: train.length,
    testRecords: test.length,
    learningRate: config.learningRate,
    batchSize: config.batchSize,
    epochs: config.epochs,
    seed: config.seed,
    loss: model.lastTrainReport.loss.map((x) => Math.round(x * 100) / 100),
    entities: predicted.reduce((n, r) => n + r.entities.length, 0),
    precision: pct(micro.precision),
    recall: pct(micro.recall),
    f1: pct(micro.f1),
    trainSeconds: seconds,
    load: require('node:os').loadavg(),
  };
  model.dispose();
  process.stdout.write(JSON.stringify(row) + '\n');
}

main().catch((err) => {
  process.stderr.write(`bench/ner-small-data.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
