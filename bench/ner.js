#!/usr/bin/env node
/*
 * NER benchmark: the @emr-re/ner taggers trained on a seeded 80/20 split and scored with strict span matching
 * (`scoreEntities` of @emr-re/metrics: same record, start, end and type), with wall time and characters per second.
 *
 *   --data ccks   ../shared/data/ccks2017-cner (the tokenize CCKS 2017 reader), split by record number: the four
 *                 sections of record N (一般项目-N, 病史特点-N, 诊疗经过-N, 出院情况-N) fall on the same side.
 *   --data cmeie  ../shared/data/cmeie/train.jsonl under the CMeIE schema, split by sentence; besides NER, an
 *                 end-to-end run NER → ResGRU-Att (trained on the gold entities of the same 80 %, as bench/models.js
 *                 trains it) scored with `scoreTriples` in both matchings ('offsets' and CBLUE's 'text'), the
 *                 relation model on the gold entities beside it, and the gold mentions a flat tagger cannot hold
 *                 (nested in or crossing another mention) counted.
 *
 * Every model trains for exactly --epochs epochs (no dev, no early stopping: both sides of the --torch comparison
 * do the same) and the last epoch's weights are scored. Characters/s: training = characters of the training texts
 * × epochs / training seconds; inference = characters of the test texts / seconds of `recognize` (Viterbi plus the
 * CRF marginals of the entity scores) on them.
 *
 * Usage:
 *   node bench/ner.js [--data ccks|cmeie] [--archs bigru-crf,bilstm-crf,resgru-crf] [--preset small|paper]
 *                     [--epochs N] [--seed S] [--model-seed M] [--learning-rate LR] [--batch-size B]
 *                     [--limit N] [--backend wasm|cpu]
 *                     [--torch] [--torch-archs bilstm-crf,bigru-crf] [--torch-threads T]
 *                     [--re-epochs N] [--re-archs resgru-att,pcnn] [--out results.jsonl] [--json]
 *       --seed fixes the split (default 42); --model-seed the taggers' config.seed (default the preset's);
 *       --learning-rate and --batch-size override the preset's (both sides of --torch);
 *       --epochs defaults to the preset's; --limit keeps the first N record numbers (ccks) / sentences (cmeie) after
 *       the shuffle (a quick check); --torch also trains the same BiLSTM-CRF / BiGRU-CRF in PyTorch
 *       (bench/ner_torch.py, /usr/bin/python3) on the same split, read from the same files (the split's file names
 *       go to it in a temporary JSON), and scores its predictions here with the same function; --re-epochs the
 *       epochs of the relation model in the cmeie mode (default 3; early stopping on the 10 % dev with the preset's
 *       patience); --re-archs the relation models of the cmeie mode (default resgru-att; small preset, whole-record
 *       candidates; an empty list trains none): the first one's end-to-end scores go on each NER row, the others' on rows
 *       of their own. --out appends one JSON line per model run;
 *       --json prints all rows as one JSON array on stdout at the end. Progress goes to stderr.
 *   node bench/ner.js --stats [--data ccks|cmeie] [--seed S] [--limit N]
 *       prints the split's sizes and its gold mentions (nested in / crossing another) as JSON, trains nothing.
 *   node bench/ner.js --tables results.jsonl[,more.jsonl]
 *       prints the Markdown tables of BENCHMARKS.md ("NER") from --out files.
 * Needs the built packages (npm run build). The data are read in place, never copied.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { parseArgs } = require('node:util');

const { pkg, CMEIE, CCKS, shuffled } = require('./common');

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'ccks' },
    archs: { type: 'string', default: 'bigru-crf,bilstm-crf,resgru-crf' },
    preset: { type: 'string', default: 'small' },
    epochs: { type: 'string' },
    seed: { type: 'string', default: '42' },
    'model-seed': { type: 'string' },
    'learning-rate': { type: 'string' },
    'batch-size': { type: 'string' },
    limit: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    torch: { type: 'boolean', default: false },
    'torch-archs': { type: 'string', default: 'bilstm-crf,bigru-crf' },
    'torch-threads': { type: 'string', default: '2' },
    're-epochs': { type: 'string', default: '3' },
    're-archs': { type: 'string', default: 'resgru-att' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    tables: { type: 'string' },
    stats: { type: 'boolean', default: false },
  },
});

const log = (line) => process.stderr.write(line + '\n');
const pct = (x) => (x * 100).toFixed(2);
const chars = (records) => records.reduce((n, r) => n + r.text.length, 0);

/** `ccks2017-<folder>-<folder>-<N>` → `N` (the record number shared by the four sections). */
function recordNumber(id) {
  const m = /-(\d+)$/.exec(id);
  if (!m) throw new Error(`record id without a number: ${id}`);
  return Number(m[1]);
}

/** CCKS 2017 split by record number: 80 / 20 of the shuffled numbers, all sections of a number on one side. */
function splitCcks(records, seed, limit) {
  const numbers = [...new Set(records.map((r) => recordNumber(r.id)))].sort((a, b) => a - b);
  let order = shuffled(numbers, seed);
  if (limit) order = order.slice(0, limit);
  const cut = Math.round(order.length * 0.8);
  const trainSet = new Set(order.slice(0, cut));
  const testSet = new Set(order.slice(cut));
  return {
    train: records.filter((r) => trainSet.has(recordNumber(r.id))),
    test: records.filter((r) => testSet.has(recordNumber(r.id))),
    units: { train: trainSet.size, test: testSet.size, name: 'record numbers' },
  };
}

/**
 * Gold mentions a flat (one tag per character) tagger cannot hold: those nested in another mention of the record
 * and those crossing one (overlapping without either containing the other). A mention is counted once.
 */
function overlapStats(records) {
  let mentions = 0;
  let nested = 0;
  let crossing = 0;
  for (const r of records) {
    const es = r.entities;
    mentions += es.length;
    for (const e of es) {
      let isNested = false;
      let isCrossing = false;
      for (const o of es) {
        if (o === e || o.end <= e.start || e.end <= o.start) continue;
        if (o.start <= e.start && e.end <= o.end && (o.end - o.start > e.end - e.start || o.start !== e.start))
          isNested = true;
        else if (!(e.start <= o.start && o.end <= e.end)) isCrossing = true;
      }
      if (isNested) nested++;
      else if (isCrossing) crossing++;
    }
  }
  return { mentions, nested, crossing };
}

/** Per-type rows of a strict report, compact: {type: {p, r, f1, support}}. */
function perTypeOf(report) {
  const out = {};
  for (const [type, m] of Object.entries(report.perType))
    out[type] = { precision: m.precision, recall: m.recall, f1: m.f1, support: m.support };
  return out;
}

function entityScores(metrics, gold, pred, types) {
  const report = metrics.scoreEntities(gold, pred, { types });
  return { micro: report.micro, macro: report.macro, relaxed: report.relaxed, perType: perTypeOf(report) };
}

/** Runs bench/ner_torch.py on `spec` (a JSON file) and returns its JSON lines. */
function runTorch(specFile) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [path.join(__dirname, 'ner_torch.py'), specFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench/ner_torch.py exited with ${code}`));
      resolve(
        out
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l)),
      );
    });
  });
}

/** The records of the torch side's predictions ({id: [[start, end, type], ...]}) for scoreEntities. */
function torchRecords(test, predictions) {
  return test.map((r) => ({
    id: r.id,
    text: r.text,
    entities: (predictions[r.id] || []).map(([start, end, type], n) => ({
      id: `e${n}`,
      type,
      start,
      end,
      text: r.text.slice(start, end),
    })),
    relations: [],
  }));
}

async function trainOurs(ner, arch, train, types, overrides) {
  const config = ner.nerConfigFor(arch, values.preset, overrides);
  const started = Date.now();
  const model = await ner.trainNer(train, config, {
    types,
    onProgress: (e) => {
      if (e.phase === 'ner-epoch')
        log(
          `${arch} epoch ${e.done}/${e.total} loss ${e.values.loss.toFixed(3)} ${((Date.now() - started) / 1000).toFixed(0)}s`,
        );
    },
  });
  return { model, config, trainSeconds: (Date.now() - started) / 1000 };
}

async function recognizeTimed(model, test) {
  const started = Date.now();
  const predicted = await model.recognize(test.map((r) => ({ id: r.id, text: r.text })));
  return { predicted, seconds: (Date.now() - started) / 1000 };
}

async function main() {
  if (values.tables) return printTables(values.tables.split(','));
  const tok = pkg('tokenize');
  const ner = pkg('ner');
  const metrics = pkg('metrics');
  await pkg('engine').selectBackend({ backend: values.backend });
  const seed = Number(values.seed);
  const limit = values.limit ? Number(values.limit) : undefined;
  const archs = values.archs.split(',').filter(Boolean);
  const overrides = {};
  if (values.epochs) overrides.epochs = Number(values.epochs);
  if (values['model-seed']) overrides.seed = Number(values['model-seed']);
  if (values['learning-rate']) overrides.learningRate = Number(values['learning-rate']);
  if (values['batch-size']) overrides.batchSize = Number(values['batch-size']);
  const command = 'node bench/ner.js ' + process.argv.slice(2).join(' ');

  let train;
  let test;
  let units;
  let schema;
  if (values.data === 'ccks') {
    const all = await tok.readAllRecords(tok.openCorpus(CCKS, 'ccks2017'));
    ({ train, test, units } = splitCcks(all, seed, limit));
  } else if (values.data === 'cmeie') {
    schema = await tok.loadSchema('cmeie');
    const all = await tok.readAllRecords(tok.openCorpus(CMEIE, 'cmeie', { schema }));
    let records = shuffled(all, seed);
    if (limit) records = records.slice(0, limit);
    const cut = Math.round(records.length * 0.8);
    train = records.slice(0, cut);
    test = records.slice(cut);
    units = { train: train.length, test: test.length, name: 'sentences' };
  } else throw new Error(`--data must be ccks or cmeie, got ${values.data}`);
  const types = ner.nerTypes(train, schema);
  const data = {
    data: values.data,
    seed,
    limit,
    split: units,
    records: { train: train.length, test: test.length },
    characters: { train: chars(train), test: chars(test) },
    goldEntities: { train: overlapStats(train), test: overlapStats(test) },
    types,
  };
  log(
    `${values.data}: train ${train.length} records (${data.characters.train} chars), test ${test.length} records ` +
      `(${data.characters.test} chars), ${types.length} types; ${units.train}/${units.test} ${units.name}`,
  );
  if (values.stats) {
    process.stdout.write(JSON.stringify(data) + '\n');
    return;
  }
  const rows = [];
  const emit = (row) => {
    const full = { ...data, ...row, load: os.loadavg(), command, finishedAt: new Date().toISOString() };
    rows.push(full);
    if (values.out) fs.appendFileSync(values.out, JSON.stringify(full) + '\n');
    const s = full.ner;
    if (s) log(`${full.side} ${full.arch}: strict micro-F1 ${pct(s.micro.f1)} (${full.trainSeconds.toFixed(0)} s)`);
    if (full.triples)
      log(
        `${full.side} ${full.arch}: triples offsets ${pct(full.triples.offsets.micro.f1)} text ${pct(full.triples.text.micro.f1)}`,
      );
  };

  const reArchs = values['re-archs'].split(',').filter(Boolean);
  const relationModels = [];
  for (const arch of archs) {
    const { model, config, trainSeconds } = await trainOurs(ner, arch, train, types, overrides);
    const { predicted, seconds } = await recognizeTimed(model, test);
    const row = {
      side: 'emr-re',
      arch,
      preset: values.preset,
      config,
      backend: values.backend,
      fit: model.lastTrainReport,
      trainSeconds,
      inferSeconds: seconds,
      trainCharsPerSecond: (data.characters.train * model.lastTrainReport.epochs) / trainSeconds,
      inferCharsPerSecond: data.characters.test / seconds,
      ner: entityScores(metrics, test, predicted, types),
    };
    model.dispose();
    if (values.data !== 'cmeie' || reArchs.length === 0) {
      emit(row);
      continue;
    }
    if (relationModels.length === 0)
      for (const reArch of reArchs) relationModels.push(await trainRelations(schema, train, reArch));
    for (const [n, relationModel] of relationModels.entries()) {
      const triples = await endToEnd(metrics, relationModel.extractor, test, predicted);
      if (n === 0) emit({ ...row, relationModel: relationModel.info, triples });
      else emit({ side: 'emr-re', arch, relationModel: relationModel.info, triples });
    }
  }
  // Each relation model on the gold entities: the ceiling the NER errors take the end-to-end figures down from.
  const gold = test.map((r) => ({ id: r.id, text: r.text, entities: r.entities }));
  for (const relationModel of relationModels) {
    emit({
      side: 'emr-re',
      arch: 'gold entities',
      relationModel: relationModel.info,
      triples: await endToEnd(metrics, relationModel.extractor, test, gold),
    });
    relationModel.extractor.dispose();
  }

  if (values.torch) {
    if (values.data !== 'ccks') throw new Error('--torch is implemented for --data ccks');
    const torchArchs = values['torch-archs'].split(',').filter(Boolean);
    const config = ner.nerConfigFor('bilstm-crf', values.preset, overrides);
    const fileOf = (id) => {
      const [, folder, ...rest] = id.split('-');
      return `${folder}/${rest.join('-')}`;
    };
    const spec = {
      dir: CCKS,
      train: train.map((r) => ({ id: r.id, file: fileOf(r.id) })),
      test: test.map((r) => ({ id: r.id, file: fileOf(r.id) })),
      types,
      archs: torchArchs,
      threads: Number(values['torch-threads']),
      config,
    };
    const specFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ner-bench-')), 'split.json');
    fs.writeFileSync(specFile, JSON.stringify(spec));
    try {
      for (const result of await runTorch(specFile)) {
        emit({
          side: 'pytorch',
          arch: result.arch,
          preset: values.preset,
          config,
          torch: { version: result.torchVersion, threads: result.threads, loss: result.loss },
          fit: { epochs: result.epochs },
          trainSeconds: result.trainSeconds,
          inferSeconds: result.inferSeconds,
          trainCharsPerSecond: (data.characters.train * result.epochs) / result.trainSeconds,
          inferCharsPerSecond: data.characters.test / result.inferSeconds,
          ner: entityScores(metrics, test, torchRecords(test, result.predictions), types),
        });
      }
    } finally {
      fs.rmSync(path.dirname(specFile), { recursive: true, force: true });
    }
  }
  if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
}

/** `reArch` (small preset, --re-epochs, whole-record candidates) on the gold entities of `train` (90 / 10 dev). */
async function trainRelations(schema, train, reArch) {
  const ra = pkg('resgru-att');
  const config = ra.configFor(reArch, 'small', { crossSentence: true, epochs: Number(values['re-epochs']) });
  const cut = Math.round(train.length * 0.9);
  const started = Date.now();
  const model = await ra.train(train.slice(0, cut), config, {
    schema,
    dev: train.slice(cut),
    onProgress: (e) => {
      if (e.phase === 'epoch')
        log(`${reArch} epoch ${e.done}/${e.total ?? '?'} ${((Date.now() - started) / 1000).toFixed(0)}s`);
    },
  });
  return {
    extractor: new ra.RelationExtractor(model),
    info: {
      arch: reArch,
      preset: 'small',
      epochs: config.epochs,
      epochsRun: model.lastFitReport && model.lastFitReport.epochs,
      bestEpoch: model.lastFitReport && model.lastFitReport.bestEpoch,
      trainSeconds: (Date.now() - started) / 1000,
    },
  };
}

/** Relations predicted between `withEntities`' entities, scored against `gold` in both matchings. */
async function endToEnd(metrics, extractor, gold, withEntities) {
  const started = Date.now();
  const predicted = await extractor.predict(withEntities);
  const seconds = (Date.now() - started) / 1000;
  const score = (match) => {
    const r = metrics.scoreTriples(gold, predicted, { match });
    return { micro: r.micro, support: r.support };
  };
  return { offsets: score('offsets'), text: score('text'), seconds };
}

function readRows(files) {
  const rows = [];
  for (const file of files)
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.trim()) rows.push(JSON.parse(line));
  return rows;
}

/** Markdown: per run strict micro/macro/relaxed F1, per-type F1, speed; end-to-end triples where present. */
function printTables(files) {
  const rows = readRows(files);
  const nerRows = rows.filter((r) => r.ner);
  const types = [...new Set(nerRows.flatMap((r) => Object.keys(r.ner.perType)))];
  const support = (t) => Math.max(...nerRows.map((r) => (r.ner.perType[t] ? r.ner.perType[t].support : 0)));
  const name = (r) => `${r.side} ${r.arch}`;
  const out = [];
  out.push(
    `| model | data | epochs | micro P | micro R | micro F1 | macro F1 | relaxed F1 | ${types.map((t) => `${t} (${support(t)})`).join(' | ')} |`,
  );
  out.push(`|:--|:--|--:|--:|--:|--:|--:|--:|${types.map(() => '--:').join('|')}|`);
  for (const r of nerRows) {
    const m = r.ner.micro;
    out.push(
      `| ${name(r)} | ${r.data} | ${r.fit.epochs} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} | ${pct(r.ner.macro.f1)} | ` +
        `${pct(r.ner.relaxed.f1)} | ${types.map((t) => (r.ner.perType[t] ? pct(r.ner.perType[t].f1) : '-')).join(' | ')} |`,
    );
  }
  out.push('');
  out.push('| model | data | train s | train chars/s | inference s | inference chars/s | load (1/5/15 min) at end |');
  out.push('|:--|:--|--:|--:|--:|--:|:--|');
  for (const r of nerRows)
    out.push(
      `| ${name(r)} | ${r.data} | ${r.trainSeconds.toFixed(0)} | ${r.trainCharsPerSecond.toFixed(0)} | ${r.inferSeconds.toFixed(1)} | ` +
        `${r.inferCharsPerSecond.toFixed(0)} | ${r.load.map((x) => x.toFixed(2)).join(' / ')} |`,
    );
  const e2e = rows.filter((r) => r.triples);
  if (e2e.length > 0) {
    out.push('');
    out.push(
      '| entities from | triple F1, offsets (P / R) | triple F1, text (P / R) | gold triples | relation model |',
    );
    out.push('|:--|--:|--:|--:|:--|');
    for (const r of e2e) {
      const o = r.triples.offsets.micro;
      const t = r.triples.text.micro;
      out.push(
        `| ${r.arch === 'gold entities' ? 'gold entities' : name(r)} | ${pct(o.f1)} (${pct(o.precision)} / ${pct(o.recall)}) | ` +
          `${pct(t.f1)} (${pct(t.precision)} / ${pct(t.recall)}) | ${r.triples.offsets.support} | ` +
          `${r.relationModel.arch} ${r.relationModel.preset}, ${r.relationModel.epochs} epochs (best ${r.relationModel.bestEpoch ?? '-'}) |`,
      );
    }
  }
  const first = rows[0];
  if (first) {
    out.push('');
    for (const side of ['train', 'test']) {
      const g = first.goldEntities[side];
      out.push(
        `- ${first.data} ${side}: ${first.records[side]} records, ${first.characters[side]} characters, ${g.mentions} gold mentions, ` +
          `${g.nested} nested in another, ${g.crossing} crossing another (a flat tagger cannot hold them)`,
      );
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err) => {
  process.stderr.write(`bench/ner.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
