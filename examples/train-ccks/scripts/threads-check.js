#!/usr/bin/env node
/*
 * Which thread counts change the example's numbers (issue 20 item 6), each case in fresh processes:
 *   word2vec    the example's character word2vec (dim 64, 3 epochs, seed 1) on all CMeIE and CCKS 2017 text, twice on
 *               each thread count: wall seconds and a SHA-256 of the vectors (equal hashes = the same bytes);
 *   wasm        ResGRU-Att, PCNN (small preset, 2 epochs, seed 1; 300 CMeIE records, paper schema, record windows)
 *               and BiGRU-CRF (small, 1 epoch, 60 CCKS 一般项目 sections) on the wasm backend with 1 and 2 threads:
 *               a SHA-256 of the dev probabilities (100 further records) / of the recognised entities.
 * Usage: node examples/train-ccks/scripts/threads-check.js [--data ../shared/data] [--only word2vec|wasm]
 * Prints one JSON line per process. Needs the built packages (npm run build).
 */
'use strict';
const crypto = require('node:crypto');
const { Buffer } = require('node:buffer');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data') },
    only: { type: 'string' },
    case: { type: 'string' },
    threads: { type: 'string' },
  },
});

const sha = (chunks) => {
  const h = crypto.createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex').slice(0, 16);
};
const f32 = (row) => Buffer.from(row.buffer, row.byteOffset, row.byteLength);

async function word2vec(data, threads) {
  const { trainWord2Vec } = require('@emr-re/embeddings');
  const tok = require('@emr-re/tokenize');
  const schema = await tok.loadSchema('paper');
  const cmeie = await tok.readAllRecords(tok.openCorpus(path.join(data, 'cmeie', 'train.jsonl'), 'cmeie', { schema }));
  const ccks = await tok.readAllRecords(
    tok.openCorpus(path.join(data, 'ccks2017-cner'), 'ccks2017', { schema, skipInvalid: true }),
  );
  const texts = [...cmeie, ...ccks].map((r) => r.text);
  const start = Date.now();
  const table = await trainWord2Vec(texts, { dim: 64, epochs: 3, seed: 1, threads });
  const seconds = (Date.now() - start) / 1000;
  const rows = [];
  for (let i = 0; i < table.size; i++) rows.push(f32(table.row(i)));
  return { seconds, hash: sha(rows) };
}

async function relation(data, threads, arch) {
  const re = require('@emr-re/resgru-att');
  const tok = require('@emr-re/tokenize');
  await re.selectBackend({ backend: 'wasm', threads });
  const schema = await tok.loadSchema('paper');
  const records = (
    await tok.readAllRecords(tok.openCorpus(path.join(data, 'cmeie', 'train.jsonl'), 'cmeie', { schema }))
  ).slice(0, 400);
  const train = re.toCandidates(records.slice(0, 300), schema, true);
  const dev = re.toCandidates(records.slice(300), schema, true);
  const vocabulary = tok.CharVocabulary.build(new Set(train.map((c) => c.sentence.text)));
  const model = await re.createRelationModel({
    config: re.configFor(arch, 'small', { epochs: 2, seed: 1 }),
    schema,
    vocabulary,
  });
  const start = Date.now();
  await model.fit(train, {});
  const hash = sha((await model.predictProba(dev)).map(f32));
  model.dispose();
  return { seconds: (Date.now() - start) / 1000, hash };
}

async function ner(data, threads) {
  const re = require('@emr-re/resgru-att');
  const tok = require('@emr-re/tokenize');
  const nerPkg = require('@emr-re/ner');
  await re.selectBackend({ backend: 'wasm', threads });
  const schema = await tok.loadSchema('paper');
  const records = (
    await tok.readAllRecords(
      tok.openCorpus(path.join(data, 'ccks2017-cner', '一般项目'), 'ccks2017', { schema, skipInvalid: true }),
    )
  ).slice(0, 80);
  const start = Date.now();
  const model = await nerPkg.trainNer(
    records.slice(0, 60),
    nerPkg.nerConfigFor('bigru-crf', 'small', { epochs: 1, seed: 1 }),
    {
      types: nerPkg.nerTypes(records),
    },
  );
  const found = await model.recognize(records.slice(60).map((r) => ({ id: r.id, text: r.text })));
  model.dispose();
  return { seconds: (Date.now() - start) / 1000, hash: sha([JSON.stringify(found)]) };
}

async function child() {
  const threads = Number(values.threads);
  const run = { word2vec: () => word2vec(values.data, threads), ner: () => ner(values.data, threads) };
  const result = run[values.case] ? await run[values.case]() : await relation(values.data, threads, values.case);
  process.stdout.write(JSON.stringify({ case: values.case, threads, ...result }) + '\n');
}

function main() {
  const cases = [];
  if (values.only !== 'wasm') for (const t of [1, 1, 2, 2]) cases.push(['word2vec', t]);
  if (values.only !== 'word2vec')
    for (const c of ['resgru-att', 'pcnn', 'ner']) for (const t of [1, 2]) cases.push([c, t]);
  for (const [c, t] of cases) {
    const out = execFileSync(
      process.execPath,
      [path.join(__dirname, 'threads-check.js'), '--case', c, '--threads', String(t), '--data', values.data],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    process.stdout.write(out);
  }
}

if (values.case !== undefined) {
  child().catch((err) => {
    process.stderr.write(`threads-check: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
} else {
  main();
}
