#!/usr/bin/env node
/*
 * Bootstrapping benchmark (the shape of the paper's Table 4) with @emr-re/bootstrap's runBootstrap.
 *
 * --pool cmeie: a seeded split of the first --limit records of ../shared/data/cmeie/train.jsonl (after a seeded
 *   shuffle): test 20 %; of the rest, 20 % seed (labelled) and 80 % pool (labels hidden from training, passed as
 *   poolGold only to count wrongly moved labels). Per run: seed-only test F1 (iteration 0), test F1 of every
 *   iteration's classifier (each iteration's saved classifier/ is reloaded from the run directory and scored on
 *   the test split), fully supervised test F1 (seed + pool with gold labels, same model and epochs), wrong moved
 *   labels per iteration, added items by class.
 * --pool ccks: seed = 20 % of the non-test CMeIE records (all of train.jsonl, under --schema, default paper),
 *   pool = the within-sentence candidates of a seeded sample of --limit CCKS 2017 EMR sections (no relation labels, so no drift count and no fully supervised row),
 *   test = the CMeIE test split. Reports added items per iteration and their class mix, plus CMeIE test F1.
 *
 * Usage:
 *   node bench/bootstrap.js --arch resgru-att --pool cmeie|ccks [--schema cmeie|paper] [--epochs 3] [--limit 500]
 *                           [--per-iteration N] [--max-iterations 3] [--lambda 0.7] [--seed 42]
 *                           [--backend wasm] [--runs DIR] --out results.jsonl
 *   node bench/bootstrap.js --tables results.jsonl      prints the Markdown tables of BENCHMARKS.md
 * F1 is candidate-level micro F1 over the relation classes (`unknown` is the negative class), as in
 * bench/models.js. Needs the built packages (npm run build). The data are read in place, never copied.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { pkg, CMEIE, CCKS, shuffled } = require('./common');

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'resgru-att' },
    pool: { type: 'string', default: 'cmeie' },
    schema: { type: 'string' },
    epochs: { type: 'string', default: '3' },
    limit: { type: 'string', default: '500' },
    'per-iteration': { type: 'string' },
    'max-iterations': { type: 'string' },
    lambda: { type: 'string', default: '0.7' },
    seed: { type: 'string', default: '42' },
    backend: { type: 'string', default: 'wasm' },
    runs: { type: 'string', default: path.join(__dirname, '..', 'runs', 'bench-bootstrap') },
    out: { type: 'string' },
    tables: { type: 'string' },
  },
});

const log = (msg) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const pct = (x) => (x === undefined || x === null ? '-' : (x * 100).toFixed(2));

function counts(labels) {
  const out = {};
  for (const l of labels) out[l] = (out[l] ?? 0) + 1;
  return out;
}

async function main() {
  if (values.tables) return printTables(values.tables.split(','));
  if (!values.out) throw new Error('--out FILE is required (or --tables FILE)');
  const tok = pkg('tokenize');
  const ra = pkg('resgru-att');
  const { runBootstrap } = pkg('bootstrap');
  const { scorePairs, metricsToJSON } = pkg('metrics');
  ra.selectBackend({ backend: values.backend });
  if (!ra.ARCHITECTURES.includes(values.arch)) throw new Error(`unknown arch ${values.arch}`);
  if (values.pool !== 'cmeie' && values.pool !== 'ccks') throw new Error('--pool is cmeie or ccks');
  const schemaName = values.schema ?? (values.pool === 'ccks' ? 'paper' : 'cmeie');
  const seedNumber = Number(values.seed);
  const epochs = Number(values.epochs);
  const lambda = Number(values.lambda);
  const started = Date.now();
  const schema = await tok.loadSchema(schemaName);
  const all = shuffled(await tok.readAllRecords(tok.openCorpus(CMEIE, 'cmeie', { schema })), seedNumber);
  const records = values.pool === 'cmeie' ? all.slice(0, Number(values.limit)) : all;
  const testCut = Math.round(records.length * 0.2);
  const testRecords = records.slice(0, testCut);
  const rest = records.slice(testCut);
  const seedCut = Math.round(rest.length * 0.2);
  const seedRecords = rest.slice(0, seedCut);
  const test = ra.toCandidates(testRecords, schema, true);
  const seed = ra.toCandidates(seedRecords, schema, true);
  let poolLabelled;
  let poolRecords;
  if (values.pool === 'cmeie') {
    poolRecords = rest.slice(seedCut);
    poolLabelled = ra.toCandidates(poolRecords, schema, true);
  } else {
    // A seeded sample of --limit CCKS records; candidates within one sentence only (cross-sentence pairs of
    // the long EMR sections number ~514,000 over the corpus, ~52,600 within sentences).
    const ccks = shuffled(await tok.readAllRecords(tok.openCorpus(CCKS, 'ccks2017', { schema })), seedNumber);
    poolRecords = ccks.slice(0, Number(values.limit));
    poolLabelled = ra.toCandidates(poolRecords, schema, false);
  }
  const pool = poolLabelled.map((c) => ({ ...c, label: tok.UNKNOWN_LABEL }));
  const poolGold = values.pool === 'cmeie' ? poolLabelled.map((c) => c.label) : undefined;
  const perIteration = values['per-iteration']
    ? Number(values['per-iteration'])
    : Math.max(1, Math.round(pool.length / 4));
  const maxIterations = values['max-iterations'] ? Number(values['max-iterations']) : values.pool === 'ccks' ? 2 : 3;
  const config = ra.configFor(values.arch, 'small', { epochs, seed: seedNumber, crossSentence: true });
  const vocabulary = tok.CharVocabulary.build([...seedRecords, ...poolRecords].map((r) => r.text));
  const createClassifier = async () => ra.createRelationModel({ config, schema, vocabulary });
  const score = async (model) => {
    const predictions = await model.predict(test);
    return metricsToJSON(scorePairs(predictions.map((p) => ({ gold: p.candidate.label, pred: p.label }))));
  };
  const brief = (m) => ({ micro: m.micro, macro: m.macro });
  log(
    `${values.arch} pool=${values.pool} schema=${schemaName}: test ${test.length} seed ${seed.length} pool ${pool.length} ` +
      `candidates; N=${perIteration} λ=${lambda} epochs=${epochs}`,
  );

  const name = `${values.pool}-${schemaName}-${values.arch}-s${seedNumber}-n${values.limit}-e${epochs}-l${lambda}-N${perIteration}`;
  const outDir = path.join(values.runs, name);
  const result = await runBootstrap({
    seed,
    pool,
    poolGold,
    createClassifier,
    lambda,
    perIteration,
    maxIterations,
    classQuotas: 'proportional',
    fitOptions: { epochs, seed: seedNumber },
    outDir,
    resume: true,
    onProgress: (e) => {
      if (e.phase === 'bootstrap')
        log(`${values.arch} bootstrap ${e.done}: ${e.message} ${JSON.stringify(e.values ?? {})}`);
      else if (e.phase === 'epoch')
        log(`${values.arch} epoch ${e.done}/${e.total ?? '?'} ${JSON.stringify(e.values ?? {})}`);
    },
  });
  result.classifier?.dispose();
  const bootstrapSeconds = (Date.now() - started) / 1000;

  // Test F1 of every iteration's classifier (iteration 0 = seed only), reloaded from the run directory.
  const iterations = [
    { iteration: 0, added: 0, poolLeft: pool.length, labelled: seed.length, addedByClass: {} },
    ...result.iterations,
  ];
  const rows = [];
  for (const it of iterations) {
    const model = await createClassifier();
    await model.load(path.join(outDir, `iteration-${it.iteration}`, 'classifier'));
    const test = await score(model);
    model.dispose();
    rows.push({
      iteration: it.iteration,
      added: it.added,
      poolLeft: it.poolLeft,
      labelled: it.labelled,
      addedByClass: it.addedByClass,
      wrongAdded: it.wrongAdded,
      rolledBack: it.rolledBack,
      test: brief(test),
    });
    log(
      `${values.arch} iteration ${it.iteration}: test micro F1 ${pct(test.micro.f1)} macro F1 ${pct(test.macro.f1)} added ${it.added} wrong ${it.wrongAdded ?? '-'}`,
    );
  }

  // Fully supervised reference: seed + pool with their gold labels, same model, epochs and seed.
  let supervised;
  if (values.pool === 'cmeie') {
    const t0 = Date.now();
    const model = await createClassifier();
    await model.fit([...seed, ...poolLabelled], { epochs, seed: seedNumber });
    supervised = {
      test: brief(await score(model)),
      labelled: seed.length + poolLabelled.length,
      seconds: (Date.now() - t0) / 1000,
    };
    model.dispose();
    log(
      `${values.arch} fully supervised: test micro F1 ${pct(supervised.test.micro.f1)} macro F1 ${pct(supervised.test.macro.f1)}`,
    );
  }

  const row = {
    pool: values.pool,
    schema: schemaName,
    arch: values.arch,
    preset: 'small',
    epochs,
    lambda,
    perIteration,
    maxIterations,
    classQuotas: 'proportional',
    includeUnknown: true,
    seed: seedNumber,
    backend: values.backend,
    records: { test: testRecords.length, seed: seedRecords.length, pool: poolRecords.length },
    candidates: { test: test.length, seed: seed.length, pool: pool.length },
    labelMix: { seed: counts(seed.map((c) => c.label)), poolGold: poolGold ? counts(poolGold) : undefined },
    stopReason: result.stopReason,
    iterations: rows,
    supervised,
    bootstrapSeconds,
    wallSeconds: (Date.now() - started) / 1000,
    runDir: path.relative(path.join(__dirname, '..'), outDir),
    command: 'node bench/bootstrap.js ' + process.argv.slice(2).join(' '),
    finishedAt: new Date().toISOString(),
  };
  fs.appendFileSync(values.out, JSON.stringify(row) + '\n');
  log(`${values.arch} done in ${row.wallSeconds.toFixed(0)}s`);
}

/** Splits an iteration's moved items (iteration-K/added.jsonl of the run directory, which holds the hidden gold) by predicted label. */
function movedSplit(row, iteration) {
  const file = path.join(__dirname, '..', row.runDir, `iteration-${iteration}`, 'added.jsonl');
  if (!fs.existsSync(file)) return undefined;
  const s = { rel: 0, relWrong: 0, unk: 0, unkWrong: 0 };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const item = JSON.parse(line);
    if (item.label === 'unknown') {
      s.unk++;
      if (item.gold !== item.label) s.unkWrong++;
    } else {
      s.rel++;
      if (item.gold !== item.label) s.relWrong++;
    }
  }
  return s;
}

/** `arch (split seed[, λ][, epochs])` for the table rows. */
const runName = (r) =>
  `${r.arch} (${r.seed}${r.lambda !== 0.7 ? `, λ ${r.lambda}` : ''}${r.epochs !== 3 ? `, ${r.epochs} epochs` : ''})`;

function printTables(files) {
  const rows = [];
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.trim()) rows.push(JSON.parse(line));
  }
  const out = (s) => process.stdout.write(s + '\n');
  const cmeie = rows.filter((r) => r.pool === 'cmeie');
  if (cmeie.length > 0) {
    const maxIt = Math.max(...cmeie.map((r) => r.iterations.length - 1));
    const head = ['Model (split seed[, λ][, epochs])', 'seed only (it. 0)'];
    for (let k = 1; k <= maxIt; k++) head.push(`it. ${k}`);
    head.push('fully supervised', 'last − seed');
    out('Test micro F1 (macro F1 in brackets) after each iteration, CMeIE pool:\n');
    out('| ' + head.join(' | ') + ' |');
    out(
      '|:--|' +
        head
          .slice(1)
          .map(() => '--:')
          .join('|') +
        '|',
    );
    for (const r of cmeie) {
      const cells = [runName(r)];
      for (let k = 0; k <= maxIt; k++) {
        const it = r.iterations[k];
        cells.push(it ? `${pct(it.test.micro.f1)} (${pct(it.test.macro.f1)})${it.rolledBack ? ' rb' : ''}` : '-');
      }
      cells.push(r.supervised ? `${pct(r.supervised.test.micro.f1)} (${pct(r.supervised.test.macro.f1)})` : '-');
      const s0 = r.iterations[0].test.micro.f1;
      const last = r.iterations[r.iterations.length - 1].test.micro.f1;
      cells.push(r.iterations.length > 1 ? ((last - s0) * 100).toFixed(2) : '-');
      out('| ' + cells.join(' | ') + ' |');
    }
    out('\nMoved labels per iteration (wrong = predicted label differs from the hidden gold label):\n');
    out(
      '| Model (split seed[, λ][, epochs]) | it. | added | wrong | wrong % | moved as relation: wrong / all | moved as unknown: gold relation / all | pool left | top added classes |',
    );
    out('|:--|--:|--:|--:|--:|--:|--:|--:|:--|');
    for (const r of cmeie) {
      for (const it of r.iterations.slice(1)) {
        const split = movedSplit(r, it.iteration);
        const top = Object.entries(it.addedByClass)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([l, n]) => `${l} ${n}`)
          .join(', ');
        out(
          `| ${runName(r)} | ${it.iteration} | ${it.added} | ${it.wrongAdded} | ${pct(it.wrongAdded / it.added)} | ` +
            `${split ? `${split.relWrong} / ${split.rel}` : '-'} | ${split ? `${split.unkWrong} / ${split.unk}` : '-'} | ${it.poolLeft} | ${top} |`,
        );
      }
    }
  }
  const ccks = rows.filter((r) => r.pool === 'ccks');
  for (const r of ccks) {
    out(
      `\nCCKS 2017 pool, ${r.arch}, schema ${r.schema} (${r.candidates.pool} pool candidates; seed ${r.candidates.seed}, test ${r.candidates.test} CMeIE candidates):\n`,
    );
    out('| it. | added | class mix of added | pool left | CMeIE test micro F1 (macro) |');
    out('|--:|--:|:--|--:|--:|');
    for (const it of r.iterations) {
      const mix =
        Object.entries(it.addedByClass)
          .sort((a, b) => b[1] - a[1])
          .map(([l, n]) => `${l} ${n}`)
          .join(', ') || '-';
      out(
        `| ${it.iteration} | ${it.added} | ${mix} | ${it.poolLeft} | ${pct(it.test.micro.f1)} (${pct(it.test.macro.f1)}) |`,
      );
    }
  }
}

main().catch((err) => {
  process.stderr.write(`bench/bootstrap.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
