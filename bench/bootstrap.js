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
 * Training rule (the same at every iteration, for seed-only and for the fully supervised reference):
 *   --dev-fraction F carves a dev split of F × the seed records out of the seed (they are not trained on); every
 *   fit then early-stops on its dev macro-F1 (--patience epochs without improvement, best epoch restored) within
 *   at most --epochs epochs, so seed-only is trained to convergence too. Without it (the default, F = 0), every fit
 *   runs exactly --epochs epochs, as in the first results.
 *
 * Selection (recorded in every row):
 *   --quotas proportional|none|JSON   per-class caps (default proportional)
 *   --calibrate P [--min-support 5]   per-class thresholds with held-out precision ≥ P, calibrated on the dev split
 *   --agree ARCH                      a partner classifier of architecture ARCH must predict the same label
 *   --pseudo-weight W|probability     loss weight of moved items (seed items 1; default 1)
 *   --no-unknown                      do not move items predicted unknown
 *   --warm-start, --dev-drop TOL      the other guards of @emr-re/bootstrap
 *   --steps-control                   also train seed-only for as many gradient steps as the accepted iteration's
 *                                     model took (to its restored best epoch), without early stopping
 *   --supervised reuse|run|skip       reuse a fully supervised result of the same arch, split and training rule
 *                                     from --out (default reuse) or train it again
 *
 * Usage:
 *   node bench/bootstrap.js --arch resgru-att --pool cmeie|ccks [--schema cmeie|paper] [--epochs 3] [--limit 500]
 *                           [--per-iteration N] [--max-iterations 3] [--lambda 0.7] [--seed 42]
 *                           [--dev-fraction 0.25 --patience 3] [selection flags above]
 *                           [--backend wasm] [--runs DIR] --out results.jsonl
 *   node bench/bootstrap.js --tables results.jsonl[,more.jsonl]   prints the Markdown tables of BENCHMARKS.md
 * F1 is candidate-level micro F1 over the relation classes (`unknown` is the negative class), as in
 * bench/models.js. Needs the built packages (npm run build). The data are read in place, never copied.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { pkg, CMEIE, CCKS, shuffled } = require('./common');
const { readResults } = require('./results');

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
    'train-seed': { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    'dev-fraction': { type: 'string', default: '0' },
    patience: { type: 'string' },
    quotas: { type: 'string', default: 'proportional' },
    calibrate: { type: 'string' },
    'min-support': { type: 'string' },
    agree: { type: 'string' },
    'pseudo-weight': { type: 'string' },
    'no-unknown': { type: 'boolean', default: false },
    'warm-start': { type: 'boolean', default: false },
    'dev-drop': { type: 'string' },
    supervised: { type: 'string', default: 'reuse' },
    'steps-control': { type: 'boolean', default: false },
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

/** The selection and training options of this run, as recorded in its result row. */
function runOptions() {
  const quotas =
    values.quotas === 'none'
      ? undefined
      : values.quotas === 'proportional'
        ? 'proportional'
        : JSON.parse(values.quotas);
  const devFraction = Number(values['dev-fraction']);
  if (!(devFraction >= 0 && devFraction < 1)) throw new Error('--dev-fraction is in [0, 1)');
  if (!['reuse', 'run', 'skip'].includes(values.supervised)) throw new Error('--supervised is reuse, run or skip');
  const calibration =
    values.calibrate === undefined
      ? undefined
      : {
          targetPrecision: Number(values.calibrate),
          minSupport: values['min-support'] === undefined ? 5 : Number(values['min-support']),
        };
  if (calibration && devFraction === 0) throw new Error('--calibrate needs a dev split (--dev-fraction)');
  return {
    quotas,
    devFraction,
    patience: values.patience === undefined ? undefined : Number(values.patience),
    calibration,
    agree: values.agree,
    pseudoWeight:
      values['pseudo-weight'] === undefined || values['pseudo-weight'] === 'probability'
        ? values['pseudo-weight']
        : Number(values['pseudo-weight']),
    includeUnknown: !values['no-unknown'],
    warmStart: values['warm-start'],
    devDropTolerance: values['dev-drop'] === undefined ? undefined : Number(values['dev-drop']),
  };
}

/** A short, file-name-safe name of the selection options (part of the run directory's name). */
function selectionTag(opt) {
  const parts = [];
  if (opt.devFraction > 0) parts.push(`dev${opt.devFraction}-p${opt.patience ?? 'cfg'}`);
  parts.push(
    opt.quotas === undefined
      ? 'q-none'
      : opt.quotas === 'proportional'
        ? 'q-prop'
        : `q-${JSON.stringify(opt.quotas).replace(/[^\w.]+/g, '_')}`,
  );
  if (opt.calibration) parts.push(`cal${opt.calibration.targetPrecision}-m${opt.calibration.minSupport}`);
  if (opt.agree) parts.push(`agree-${opt.agree}`);
  if (opt.pseudoWeight !== undefined) parts.push(`pw-${opt.pseudoWeight}`);
  if (!opt.includeUnknown) parts.push('no-unk');
  if (opt.warmStart) parts.push('warm');
  if (opt.devDropTolerance !== undefined) parts.push(`drop${opt.devDropTolerance}`);
  return parts.join('-');
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
  if (values.agree !== undefined && !ra.ARCHITECTURES.includes(values.agree))
    throw new Error(`unknown arch ${values.agree}`);
  if (values.pool !== 'cmeie' && values.pool !== 'ccks') throw new Error('--pool is cmeie or ccks');
  const opt = runOptions();
  const schemaName = values.schema ?? (values.pool === 'ccks' ? 'paper' : 'cmeie');
  const seedNumber = Number(values.seed);
  // The model's seed (weights, batch order, dropout); by default the split seed, as in the first results.
  const trainSeed = values['train-seed'] === undefined ? seedNumber : Number(values['train-seed']);
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
  // The dev split is carved out of the seed records: the labelled budget stays 20 % of the non-test records.
  const devCut = Math.round(seedCut * opt.devFraction);
  const devRecords = rest.slice(0, devCut);
  const seedRecords = rest.slice(devCut, seedCut);
  const test = ra.toCandidates(testRecords, schema, true);
  const seed = ra.toCandidates(seedRecords, schema, true);
  const dev = devCut > 0 ? ra.toCandidates(devRecords, schema, true) : undefined;
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
  const overrides = { epochs, seed: trainSeed, crossSentence: true };
  if (opt.patience !== undefined) overrides.patience = opt.patience;
  const config = ra.configFor(values.arch, 'small', overrides);
  const vocabulary = tok.CharVocabulary.build([...seedRecords, ...poolRecords].map((r) => r.text));
  const makeFactory = (arch) => {
    const c = arch === values.arch ? config : ra.configFor(arch, 'small', overrides);
    return async () => ra.createRelationModel({ config: c, schema, vocabulary });
  };
  const createClassifier = makeFactory(values.arch);
  const fitOptions = { epochs, seed: trainSeed };
  if (dev) fitOptions.dev = dev;
  const score = async (model) => {
    const predictions = await model.predict(test);
    return metricsToJSON(scorePairs(predictions.map((p) => ({ gold: p.candidate.label, pred: p.label }))));
  };
  const brief = (m) => ({ micro: m.micro, macro: m.macro });
  const trainingRule = {
    devFraction: opt.devFraction,
    maxEpochs: epochs,
    patience: dev ? config.patience : null,
    earlyStopping: dev !== undefined,
  };
  log(
    `${values.arch} pool=${values.pool} schema=${schemaName}: test ${test.length} seed ${seed.length} dev ${dev?.length ?? 0} ` +
      `pool ${pool.length} candidates; N=${perIteration} λ=${lambda} epochs≤${epochs} ${selectionTag(opt)}`,
  );

  const legacy = opt.devFraction === 0 && selectionTag(opt) === 'q-prop';
  const name =
    `${values.pool}-${schemaName}-${values.arch}-s${seedNumber}${trainSeed !== seedNumber ? `-t${trainSeed}` : ''}` +
    `-n${values.limit}-e${epochs}-l${lambda}-N${perIteration}` +
    (legacy ? '' : `-${selectionTag(opt)}`);
  const outDir = path.join(values.runs, name);
  const result = await runBootstrap({
    seed,
    pool,
    poolGold,
    dev,
    createClassifier,
    lambda,
    perIteration,
    maxIterations,
    classQuotas: opt.quotas,
    includeUnknown: opt.includeUnknown,
    warmStart: opt.warmStart,
    devDropTolerance: opt.devDropTolerance,
    calibration: opt.calibration,
    agreement: opt.agree ? { name: `${opt.agree}/small`, createClassifier: makeFactory(opt.agree) } : undefined,
    pseudoLabelWeight: opt.pseudoWeight,
    fitOptions,
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
  result.partner?.dispose();
  const bootstrapSeconds = (Date.now() - started) / 1000;

  // Test F1 of every iteration's classifier (iteration 0 = seed only), reloaded from the run directory.
  const seedRecord = JSON.parse(fs.readFileSync(path.join(outDir, 'iteration-0', 'metrics.json'), 'utf8'));
  const iterations = [seedRecord, ...result.iterations];
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
      passed: it.passed,
      passedAlone: it.passedAlone,
      thresholds: it.thresholds,
      partnerThresholds: it.partnerThresholds,
      fitEpochs: it.fit?.epochs,
      bestEpoch: it.fit?.bestEpoch,
      dev: it.dev ? brief(it.dev) : undefined,
      partnerDev: it.partnerDev ? brief(it.partnerDev) : undefined,
      test: brief(test),
    });
    log(
      `${values.arch} iteration ${it.iteration}: test micro F1 ${pct(test.micro.f1)} macro F1 ${pct(test.macro.f1)} ` +
        `added ${it.added} wrong ${it.wrongAdded ?? '-'} epochs ${it.fit?.epochs}`,
    );
  }

  // Fully supervised reference: seed + pool with their gold labels, same model and training rule.
  const sameRun = (r) =>
    r.pool === values.pool &&
    r.schema === schemaName &&
    r.arch === values.arch &&
    r.seed === seedNumber &&
    (r.trainSeed ?? r.seed) === trainSeed &&
    r.limit === Number(values.limit) &&
    JSON.stringify(r.trainingRule) === JSON.stringify(trainingRule);
  let supervised;
  if (values.pool === 'cmeie' && values.supervised !== 'skip') {
    const previous =
      values.supervised === 'reuse' && fs.existsSync(values.out)
        ? fs
            .readFileSync(values.out, 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l))
            .find((r) => sameRun(r) && r.supervised && !r.supervised.reused)
        : undefined;
    if (previous) {
      supervised = { ...previous.supervised, reused: previous.runDir };
    } else {
      const t0 = Date.now();
      const model = await createClassifier();
      const report = await model.fit([...seed, ...poolLabelled], fitOptions);
      supervised = {
        test: brief(await score(model)),
        labelled: seed.length + poolLabelled.length,
        fitEpochs: report.epochs,
        seconds: (Date.now() - t0) / 1000,
      };
      model.dispose();
    }
    log(
      `${values.arch} fully supervised${supervised.reused ? ' (reused)' : ''}: test micro F1 ${pct(supervised.test.micro.f1)} macro F1 ${pct(supervised.test.macro.f1)}`,
    );
  }

  // Control for "more gradient steps": seed-only, fixed epochs, as many steps as the accepted model took.
  let stepsControl;
  if (values['steps-control'] && result.acceptedIteration > 0) {
    const last = result.iterations.find((it) => it.iteration === result.acceptedIteration);
    const stepsPerEpoch = (n) => Math.ceil(n / config.batchSize);
    const stepsOf = (it) => (it.fit.bestEpoch ?? it.fit.epochs) * stepsPerEpoch(it.labelled);
    // A warm-started model carries the steps of every accepted iteration before it (and the seed training's).
    const seedFit = JSON.parse(fs.readFileSync(path.join(outDir, 'iteration-0', 'metrics.json'), 'utf8'));
    const chain = opt.warmStart
      ? [seedFit, ...result.iterations.filter((it) => !it.rolledBack && it.iteration <= last.iteration)]
      : [last];
    const steps = chain.reduce((n, it) => n + stepsOf(it), 0);
    const controlEpochs = Math.max(1, Math.round(steps / stepsPerEpoch(seed.length)));
    const model = await createClassifier();
    await model.fit(seed, { epochs: controlEpochs, seed: trainSeed });
    stepsControl = { steps, epochs: controlEpochs, test: brief(await score(model)) };
    model.dispose();
    log(
      `${values.arch} seed-only at ${steps} steps (${controlEpochs} epochs): test micro F1 ${pct(stepsControl.test.micro.f1)}`,
    );
  }

  const row = {
    pool: values.pool,
    schema: schemaName,
    arch: values.arch,
    preset: 'small',
    limit: Number(values.limit),
    epochs,
    trainingRule,
    lambda,
    perIteration,
    maxIterations,
    classQuotas: opt.quotas ?? null,
    includeUnknown: opt.includeUnknown,
    calibration: opt.calibration ?? null,
    agreement: opt.agree ?? null,
    pseudoLabelWeight: opt.pseudoWeight ?? null,
    warmStart: opt.warmStart,
    devDropTolerance: opt.devDropTolerance ?? null,
    selection: selectionTag(opt),
    seed: seedNumber,
    trainSeed,
    backend: values.backend,
    records: { test: testRecords.length, seed: seedRecords.length, dev: devRecords.length, pool: poolRecords.length },
    candidates: { test: test.length, seed: seed.length, dev: dev?.length ?? 0, pool: pool.length },
    labelMix: { seed: counts(seed.map((c) => c.label)), poolGold: poolGold ? counts(poolGold) : undefined },
    stopReason: result.stopReason,
    iterations: rows,
    supervised,
    stepsControl,
    acceptedIteration: result.acceptedIteration,
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

/** A row of the converged-training runs (`--dev-fraction` > 0): `arch split/trainSeed selection`. */
const runName2 = (r) =>
  `${r.arch} ${r.seed}${r.trainSeed !== undefined && r.trainSeed !== r.seed ? `/t${r.trainSeed}` : ''} ` +
  `${selectionName(r)}`;

/** The selection options of a row in words: quotas, λ, calibration, agreement, guards. */
function selectionName(r) {
  const parts = [];
  parts.push(
    r.classQuotas === null ? 'no quotas' : r.classQuotas === 'proportional' ? 'prop' : JSON.stringify(r.classQuotas),
  );
  parts.push(`λ ${r.lambda}`);
  if (r.calibration) parts.push(`cal ${r.calibration.targetPrecision}/${r.calibration.minSupport}`);
  if (r.agreement) parts.push(`agree ${r.agreement}`);
  if (r.pseudoLabelWeight !== null && r.pseudoLabelWeight !== undefined) parts.push(`pseudo × ${r.pseudoLabelWeight}`);
  if (!r.includeUnknown) parts.push('no unknown');
  if (r.warmStart) parts.push('warm');
  if (r.devDropTolerance !== null && r.devDropTolerance !== undefined) parts.push(`drop ${r.devDropTolerance}`);
  if (r.trainingRule && r.trainingRule.earlyStopping) parts.push(`patience ${r.trainingRule.patience}`);
  return parts.join(', ');
}

function printTables(files) {
  const rows = readResults(files);
  const out = (s) => process.stdout.write(s + '\n');
  const converged = rows.filter((r) => r.pool === 'cmeie' && r.trainingRule && r.trainingRule.earlyStopping);
  const cmeie = rows.filter((r) => r.pool === 'cmeie' && !(r.trainingRule && r.trainingRule.earlyStopping));
  if (converged.length > 0) printConverged(converged, out);
  if (cmeie.length > 0) {
    const maxIt = Math.max(...cmeie.map((r) => r.iterations.length - 1));
    const head = ['Model (split seed[, λ][, epochs])', 'seed only (it. 0)'];
    for (let k = 1; k <= maxIt; k++) head.push(`it. ${k}`);
    head.push('fully supervised', 'last − seed');
    out('Test micro F1 (macro F1 in brackets) after each iteration, CMeIE pool:\n');
    out(tableHead(head));
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

/** A Markdown table head: the header row and an alignment row (first column left, the others right). */
function tableHead(head) {
  return `| ${head.join(' | ')} |\n|:--|${head
    .slice(1)
    .map(() => '--:')
    .join('|')}|`;
}

/** The tables of the runs trained with early stopping on a dev split carved from the seed. */
function printConverged(rows, out) {
  const maxIt = Math.max(...rows.map((r) => r.iterations.length - 1));
  const f1 = (m) => `${pct(m.micro.f1)} (${pct(m.macro.f1)})`;
  const head = ['Model split[/train seed] selection', 'seed only (it. 0)'];
  for (let k = 1; k <= maxIt; k++) head.push(`it. ${k}`);
  head.push('fully supervised', 'seed only, matched steps', 'last − seed');
  out('Test micro F1 (macro F1 in brackets) after each iteration; every model early-stopped on the dev split:\n');
  out(tableHead(head));
  for (const r of rows) {
    const cells = [runName2(r)];
    for (let k = 0; k <= maxIt; k++) {
      const it = r.iterations[k];
      cells.push(it ? `${f1(it.test)}${it.rolledBack ? ' rb' : ''}` : '-');
    }
    cells.push(r.supervised ? f1(r.supervised.test) : '-');
    cells.push(r.stepsControl ? `${f1(r.stepsControl.test)} @${r.stepsControl.steps}` : '-');
    cells.push(r.iterations.length > 1 ? delta(r) : '-');
    out('| ' + cells.join(' | ') + ' |');
  }

  out(
    '\nMoved labels per iteration (wrong = moved label ≠ hidden gold label); passed = items clearing the rule before N and quotas:\n',
  );
  out(
    '| Model split selection | it. | added | wrong | moved as relation: wrong / all | moved as unknown: gold relation / all | passed | relation classes with a threshold | epochs (best) |',
  );
  out('|:--|--:|--:|--:|--:|--:|--:|:--|--:|');
  for (const r of rows) {
    for (const it of r.iterations) {
      if (it.iteration === 0) {
        out(`| ${runName2(r)} | 0 | - | - | - | - | - | - | ${it.fitEpochs} (${it.bestEpoch ?? '-'}) |`);
        continue;
      }
      const split = movedSplit(r, it.iteration);
      const thresholds = it.thresholds
        ? Object.entries(it.thresholds)
            .filter(([l, t]) => l !== 'unknown' && t !== null)
            .map(([l, t]) => `${l} ${t.toFixed(2)}`)
            .join(', ') || 'none'
        : '-';
      out(
        `| ${runName2(r)} | ${it.iteration}${it.rolledBack ? ' rb' : ''} | ${it.added} | ${it.wrongAdded} | ` +
          `${split ? `${split.relWrong} / ${split.rel}` : '-'} | ${split ? `${split.unkWrong} / ${split.unk}` : '-'} | ` +
          `${it.passed ?? '-'}${it.passedAlone !== undefined ? ` of ${it.passedAlone}` : ''} | ${thresholds} | ${it.fitEpochs} (${it.bestEpoch ?? '-'}) |`,
      );
    }
  }

  // One line per model and selection: the mean over splits and training seeds.
  const groups = new Map();
  for (const r of rows) {
    if (r.iterations.length < 2) continue;
    const key = `${r.arch} | ${selectionName(r)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  out('\nSummary over splits (and training seeds): test micro F1 of the last iteration minus seed-only:\n');
  out(
    '| Model | selection | runs | mean seed only | mean last | mean last − seed | min / max last − seed | mean last − matched steps | moved relations wrong |',
  );
  out('|:--|:--|--:|--:|--:|--:|--:|--:|--:|');
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [key, rs] of groups) {
    const ds = rs.map((r) => lastMicro(r) - r.iterations[0].test.micro.f1);
    const steps = rs.filter((r) => r.stepsControl).map((r) => lastMicro(r) - r.stepsControl.test.micro.f1);
    let rel = 0;
    let relWrong = 0;
    for (const r of rs)
      for (const it of r.iterations.slice(1)) {
        const split = movedSplit(r, it.iteration);
        if (split) {
          rel += split.rel;
          relWrong += split.relWrong;
        }
      }
    out(
      `| ${key} | ${rs.length} | ${pct(mean(rs.map((r) => r.iterations[0].test.micro.f1)))} | ${pct(mean(rs.map(lastMicro)))} | ` +
        `${(mean(ds) * 100).toFixed(2)} | ${(Math.min(...ds) * 100).toFixed(2)} / ${(Math.max(...ds) * 100).toFixed(2)} | ` +
        `${steps.length ? (mean(steps) * 100).toFixed(2) : '-'} | ${relWrong} / ${rel} (${rel ? pct(relWrong / rel) : '-'} %) |`,
    );
  }
}

/** Test micro F1 of the accepted classifier at the end of a run (the last iteration not rolled back). */
function lastMicro(r) {
  const kept = r.iterations.filter((it) => !it.rolledBack);
  return kept[kept.length - 1].test.micro.f1;
}

const delta = (r) => ((lastMicro(r) - r.iterations[0].test.micro.f1) * 100).toFixed(2);

main().catch((err) => {
  process.stderr.write(`bench/bootstrap.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
