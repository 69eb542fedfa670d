#!/usr/bin/env node
/*
 * Relations on real EMRs (issue 20): relation P/R/F1 per relation and micro (`unknown` excluded, @emr-re/metrics) on
 * the 40 test documents of corpus/emr-relations (read with ../shared/data/ccks2017-cner by readEmrCorpus; every
 * allowed pair of gold entities is labelled, so every pair the model does not relate is scored as `unknown`), for
 * a sequence of steps, each adding one thing to the one before:
 *   0 recipe       ResGRU-Att (small preset) trained on CMeIE under the paper schema only (its own seeded 90/10
 *                  train/dev split, record windows, early stopping on the CMeIE dev), record windows on the EMRs,
 *                  no assertions, raw scores, default threshold (the top label, minScore 0)
 *   1 assertions   + the detected assertions (detectAssertions on the gold entities, gold assertions removed) and
 *                  the pipeline's default dropAbsentRelations (SNAP kept: NEGATED_LABELS), as `emr-re extract` does
 *   2 windows      + sentence or item windows: the one with the higher micro-F1 on the 60 train documents
 *   3 calibration  + temperature fitted on the CMeIE dev split (model.calibrate), ECE before/after; the threshold is
 *                  a probability, the one of 0, 0.05, …, 0.95 with the highest micro-F1 on the 60 train documents
 *   4 emr-train    + trained on CMeIE train + 44 of the 60 EMR train documents (the other 16, 4 per section type,
 *                  seeded, are the EMR dev set: with the CMeIE dev split they early-stop and calibrate; the threshold
 *                  is chosen on the 16 alone); CMeIE candidates in record windows, EMR candidates in the step-2 window
 *   5 bootstrap    + runBootstrap (@emr-re/bootstrap; λ, N per iteration, proportional class quotas, as the example)
 *                  over the unlabelled CCKS 2017 pool (every section but the 100 corpus documents), step 4's
 *                  training set as seed; step 4 is its iteration 0. One row per iteration (the paper's Table 4).
 *   6 recogniser   (only when asked: --steps 6) the iteration with the highest micro-F1 on the EMR dev documents,
 *                  on the entities of a BiGRU-CRF (small preset, --ner-epochs, default 5) trained on every CCKS 2017
 *                  section but the 40 test documents, instead of the gold entities; scored as triples (scoreTriples,
 *                  same spans, types and label), assertions detected on the recognised entities.
 * Gold entities are the input of steps 0-5. The 40 test documents are only predicted and scored: every choice
 * (window, temperature, threshold, early stopping) is made on CMeIE dev or the 60 train documents.
 *
 * Per step also: the graph's edges on the test documents at the step's threshold — edge precision (predicted
 * relations that are gold relations, same head, tail and label / predicted relations; = micro precision), pair
 * precision (the ordered pair carries some gold relation), and the share of edges touching an entity whose gold
 * assertion is absent (all, and without SNAP, whose symptom is absent by definition).
 *
 * Usage:
 *   EMR_RE_WASM_THREADS=1 node bench/emr-relations.js --out runs/bench-emr-relations/results.jsonl
 *       [--arch resgru-att] [--seed 1] [--epochs 10] [--patience 3] [--steps 0,1,2,3,4,5]
 *       [--lambda 0.7] [--per-iteration 1000] [--max-iterations 2] [--window sentence|item] [--runs DIR]
 *   --window overrides the step-2 choice (to measure the other window; the row records it as forced).
 *   node bench/emr-relations.js --tables results.jsonl   prints the Markdown tables of BENCHMARKS.md
 * One JSON line per step (per bootstrap iteration for step 5) is appended to --out. Models and the bootstrap run are
 * kept under --runs (default runs/bench-emr-relations) and reused by a re-run with the same settings.
 * Needs the built packages (npm run build). The data are read in place, never copied.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { pkg, CMEIE, CCKS, shuffled } = require('./common');

const ANNOTATIONS = path.join(__dirname, '..', 'corpus', 'emr-relations', 'annotations.jsonl');
const THRESHOLDS = Array.from({ length: 20 }, (_, i) => i / 20);
const EMR_DEV_PER_SECTION = 4;

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'resgru-att' },
    seed: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '10' },
    patience: { type: 'string', default: '3' },
    steps: { type: 'string', default: '0,1,2,3,4,5' },
    lambda: { type: 'string', default: '0.7' },
    'per-iteration': { type: 'string', default: '1000' },
    'max-iterations': { type: 'string', default: '2' },
    backend: { type: 'string', default: 'wasm' },
    window: { type: 'string' },
    'ner-epochs': { type: 'string', default: '5' },
    runs: { type: 'string', default: path.join(__dirname, '..', 'runs', 'bench-emr-relations') },
    out: { type: 'string' },
    tables: { type: 'string' },
  },
});

const log = (msg) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** A whole number flag ≥ min, or exit 2 naming the flag. */
function intFlag(name, min) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number ≥ ${min} (got ${values[name]})`);
    process.exit(2);
  }
  return n;
}

/** The records without their relations and entity assertions: what a pipeline sees. */
function bare(record) {
  return {
    ...record,
    relations: [],
    entities: record.entities.map((e) => {
      const copy = { ...e };
      delete copy.assertion;
      return copy;
    }),
  };
}

/** Scoring context of a set of annotated documents under a window: candidates, gold pairs, detected assertions. */
function prepareDocs(tok, ner, schema, docs, window) {
  const records = docs.map((d) => d.record);
  const candidates = records.flatMap((r) => tok.generateCandidates(r, schema, { window }));
  // every allowed pair of the record with its gold label (record window): pairs a window cuts count as misses
  const gold = records.map((r) =>
    tok
      .generateCandidates(r, schema, { window: 'record' })
      .map((c) => ({ head: c.head.id, tail: c.tail.id, label: c.label })),
  );
  const detected = records.map((r) => ner.detectAssertions(bare(r)));
  return { records, candidates, gold, detected, window };
}

/**
 * Predicted relations of each record from probability rows over `labels`: the top label when it is not `unknown`
 * and its probability ≥ threshold; with `assertions`, the detected assertions and dropAbsentRelations.
 */
function decode(ctx, rows, labels, { threshold, assertions }, ner) {
  const byRecord = new Map(ctx.records.map((r) => [r.id, []]));
  ctx.candidates.forEach((c, i) => {
    const row = rows[i];
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
    if (labels[best] === 'unknown' || row[best] < threshold) return;
    byRecord.get(c.recordId).push({ head: c.head.id, tail: c.tail.id, label: labels[best], score: row[best] });
  });
  return ctx.records.map((r, i) => {
    const predicted = { ...ctx.detected[i], relations: byRecord.get(r.id) };
    return assertions ? ner.dropAbsentRelations(predicted).relations : predicted.relations;
  });
}

/** Micro/macro/per-relation scores of predicted relations against every allowed gold pair, and the edge figures. */
function score(ctx, predicted, relationLabels, metrics) {
  const pairs = [];
  const edges = { predicted: 0, correct: 0, pairCorrect: 0, absent: 0, absentWithoutSnap: 0 };
  ctx.records.forEach((record, i) => {
    const pred = new Map(predicted[i].map((r) => [`${r.head}\u0000${r.tail}`, r.label]));
    const goldOf = new Map(ctx.gold[i].map((g) => [`${g.head}\u0000${g.tail}`, g.label]));
    for (const g of ctx.gold[i]) pairs.push({ gold: g.label, pred: pred.get(`${g.head}\u0000${g.tail}`) ?? 'unknown' });
    const absent = new Set(record.entities.filter((e) => e.assertion === 'absent').map((e) => e.id));
    for (const r of predicted[i]) {
      const g = goldOf.get(`${r.head}\u0000${r.tail}`);
      edges.predicted++;
      if (g === r.label) edges.correct++;
      if (g !== undefined && g !== 'unknown') edges.pairCorrect++;
      if (absent.has(r.head) || absent.has(r.tail)) {
        edges.absent++;
        if (r.label !== 'SNAP') edges.absentWithoutSnap++;
      }
    }
  });
  const m = metrics.metricsToJSON(metrics.scorePairs(pairs, { labels: relationLabels }));
  const share = (k) => (edges.predicted > 0 ? k / edges.predicted : null);
  return {
    micro: m.micro,
    macro: m.macro,
    perClass: m.perClass,
    support: m.support,
    edges: {
      ...edges,
      precision: share(edges.correct),
      pairPrecision: share(edges.pairCorrect),
      absentShare: share(edges.absent),
      absentShareWithoutSnap: share(edges.absentWithoutSnap),
    },
  };
}

/** ECE (10 bins, @emr-re/metrics calibrationReport) of the top label's probability on labelled candidates. */
function eceOf(candidates, rows, labels, metrics) {
  const confidence = [];
  const correct = [];
  candidates.forEach((c, i) => {
    const row = rows[i];
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
    confidence.push(Math.min(1, Math.max(0, row[best])));
    correct.push(labels[best] === c.label);
  });
  return metrics.calibrationReport(confidence, correct, 10).ece;
}

/** The threshold of THRESHOLDS with the highest micro-F1 (ties: the lowest), and the lowest reaching precision 0.85. */
function chooseThreshold(ctx, rows, labels, relationLabels, ner, metrics) {
  let best;
  let precise = null;
  for (const t of THRESHOLDS) {
    const s = score(ctx, decode(ctx, rows, labels, { threshold: t, assertions: true }, ner), relationLabels, metrics);
    if (best === undefined || s.micro.f1 > best.f1 + 1e-12)
      best = { threshold: t, f1: s.micro.f1, precision: s.micro.precision };
    if (precise === null && s.edges.predicted > 0 && s.micro.precision >= 0.85)
      precise = { threshold: t, f1: s.micro.f1, precision: s.micro.precision };
  }
  return { best, precise };
}

async function main() {
  if (values.tables) return printTables(values.tables);
  if (!values.out) {
    console.error('--out FILE.jsonl is required (or --tables FILE)');
    process.exit(2);
  }
  const tok = pkg('tokenize');
  const ra = pkg('resgru-att');
  const ner = pkg('ner');
  const metrics = pkg('metrics');
  const { runBootstrap } = pkg('bootstrap');
  if (!ra.ARCHITECTURES.includes(values.arch)) {
    console.error(`--arch must be one of ${ra.ARCHITECTURES.join(', ')} (got ${values.arch})`);
    process.exit(2);
  }
  const steps = new Set(values.steps.split(',').map((s) => Number(s.trim())));
  for (const s of steps)
    if (!(Number.isInteger(s) && s >= 0 && s <= 6)) {
      console.error(`--steps lists step numbers 0-6 (got ${values.steps})`);
      process.exit(2);
    }
  const seed = intFlag('seed', 0);
  const epochs = intFlag('epochs', 1);
  const patience = intFlag('patience', 1);
  const perIteration = intFlag('per-iteration', 1);
  const maxIterations = intFlag('max-iterations', 0);
  if (values.window !== undefined && !['sentence', 'item'].includes(values.window)) {
    console.error(`--window must be sentence or item (got ${values.window})`);
    process.exit(2);
  }
  const lambda = Number(values.lambda);
  if (!(lambda >= 0 && lambda < 1)) {
    console.error(`--lambda must be in [0, 1) (got ${values.lambda})`);
    process.exit(2);
  }
  await ra.selectBackend({ backend: values.backend });
  fs.mkdirSync(values.runs, { recursive: true });
  const started = Date.now();
  const schema = await tok.loadSchema('paper');
  const labelsOf = (model) => model.labels;
  const relationLabels = tok.schemaLabels(schema).filter((l) => l !== tok.UNKNOWN_LABEL);
  const config = ra.configFor(values.arch, 'small', { epochs, patience, seed, crossSentence: true });

  // CMeIE under the paper schema, its own seeded 90/10 train/dev split (no CMeIE test: the test is the EMRs).
  const cmeie = shuffled(await tok.readAllRecords(tok.openCorpus(CMEIE, 'cmeie', { schema })), seed);
  const cmeieDevCut = Math.round(cmeie.length * 0.1);
  const cmeieDev = ra.toCandidates(cmeie.slice(0, cmeieDevCut), schema, true);
  const cmeieTrainRecords = cmeie.slice(cmeieDevCut);
  const cmeieTrain = ra.toCandidates(cmeieTrainRecords, schema, true);

  // The EMR corpus: 60 train documents (16 of them, 4 per section type, the EMR dev set of steps 4-5), 40 test.
  const allDocs = await tok.readEmrCorpus(ANNOTATIONS, CCKS, { schema });
  const trainDocs = allDocs.filter((d) => d.split === 'train');
  const testDocs = allDocs.filter((d) => d.split === 'test');
  const emrDevIds = new Set();
  for (const folder of [...new Set(trainDocs.map((d) => d.source.split('/')[0]))].sort()) {
    const inFolder = trainDocs.filter((d) => d.source.startsWith(`${folder}/`)).map((d) => d.record.id);
    for (const id of shuffled(inFolder.sort(), seed).slice(0, EMR_DEV_PER_SECTION)) emrDevIds.add(id);
  }
  const emrDevDocs = trainDocs.filter((d) => emrDevIds.has(d.record.id));
  const emrFitDocs = trainDocs.filter((d) => !emrDevIds.has(d.record.id));
  log(
    `${values.arch}: CMeIE train ${cmeieTrain.length} / dev ${cmeieDev.length} candidates; EMR train ${trainDocs.length} ` +
      `(fit ${emrFitDocs.length}, dev ${emrDevDocs.length}) test ${testDocs.length} documents`,
  );

  const tag = `${values.arch}-s${seed}-e${epochs}-p${patience}`;
  const common = {
    arch: values.arch,
    preset: 'small',
    schema: 'paper',
    classes: relationLabels.length,
    seed,
    epochs,
    patience,
    backend: values.backend,
    entities: 'gold',
    windowForced: values.window ?? null,
    testDocuments: testDocs.length,
    testGoldRelations: testDocs.reduce((n, d) => n + d.record.relations.length, 0),
  };
  const write = (row) => {
    const full = {
      ...common,
      ...row,
      loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
      wallSeconds: (Date.now() - started) / 1000,
      command: 'node bench/emr-relations.js ' + process.argv.slice(2).join(' '),
      finishedAt: new Date().toISOString(),
    };
    fs.appendFileSync(values.out, JSON.stringify(full) + '\n');
    log(
      `step ${row.step} ${row.name}${row.iteration !== undefined ? ` it ${row.iteration}` : ''}: test micro P/R/F1 ` +
        `${(100 * row.test.micro.precision).toFixed(1)}/${(100 * row.test.micro.recall).toFixed(1)}/` +
        `${(100 * row.test.micro.f1).toFixed(1)} edges ${row.test.edges.predicted} absent ${row.test.edges.absent}`,
    );
  };
  const onProgress = (e) => {
    if (e.phase === 'epoch') log(`  epoch ${e.done}/${e.total ?? '?'} ${JSON.stringify(e.values ?? {})}`);
    else if (e.phase === 'bootstrap')
      log(`  bootstrap ${e.done}: ${e.message ?? ''} ${JSON.stringify(e.values ?? {})}`);
  };

  // ---- steps 0-3: the CMeIE-only model ----
  let window = 'record';
  if (steps.size > 0) {
    const dir = path.join(values.runs, `cmeie-${tag}`);
    let model;
    if (fs.existsSync(path.join(dir, 'manifest.json')) && (await ra.isModelDirectory(dir))) {
      model = await ra.loadRelationModel(dir);
      log(`reused ${path.relative(process.cwd(), dir)}`);
    } else {
      const t0 = Date.now();
      model = await ra.train(cmeieTrainRecords, config, { schema, dev: cmeieDev, calibrate: false, onProgress });
      await model.save(dir);
      log(`trained CMeIE model in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    const fit = model.lastFitReport ?? null;
    const labels = labelsOf(model);
    const test = {};
    const train = {};
    const rows = {};
    for (const w of ['record', 'sentence', 'item']) {
      test[w] = prepareDocs(tok, ner, schema, testDocs, w);
      train[w] = prepareDocs(tok, ner, schema, trainDocs, w);
      rows[`test-${w}`] = await model.predictProba(test[w].candidates);
      rows[`train-${w}`] = await model.predictProba(train[w].candidates);
    }
    const run = (ctx, r, opts) => score(ctx, decode(ctx, r, labels, opts, ner), relationLabels, metrics);
    const trainedOn = { cmeieTrainCandidates: cmeieTrain.length, cmeieDevCandidates: cmeieDev.length, emrDocuments: 0 };
    if (steps.has(0))
      write({
        step: 0,
        name: 'recipe',
        window: 'record',
        assertions: false,
        temperature: 1,
        threshold: 0,
        trainedOn,
        fit,
        test: run(test.record, rows['test-record'], { threshold: 0, assertions: false }),
      });
    if (steps.has(1))
      write({
        step: 1,
        name: 'assertions',
        window: 'record',
        assertions: true,
        temperature: 1,
        threshold: 0,
        trainedOn,
        test: run(test.record, rows['test-record'], { threshold: 0, assertions: true }),
      });
    // step 2: the window with the higher micro-F1 on the 60 train documents (never trained on by this model)
    const choice = {};
    for (const w of ['sentence', 'item'])
      choice[w] = run(train[w], rows[`train-${w}`], { threshold: 0, assertions: true }).micro;
    window = choice.item.f1 >= choice.sentence.f1 ? 'item' : 'sentence';
    log(`window chosen on the 60 train documents: ${window} (${JSON.stringify(choice)})`);
    if (values.window !== undefined) {
      window = values.window;
      log(`steps 2-5 use --window ${window}`);
    }
    if (steps.has(2))
      write({
        step: 2,
        name: 'windows',
        window,
        windowChoice: {
          on: '60 train documents',
          sentence: choice.sentence,
          item: choice.item,
          forced: values.window ?? null,
        },
        assertions: true,
        temperature: 1,
        threshold: 0,
        trainedOn,
        test: run(test[window], rows[`test-${window}`], { threshold: 0, assertions: true }),
      });
    if (steps.has(3)) {
      const cal = await model.calibrate(cmeieDev);
      const testRows = await model.predictProba(test[window].candidates);
      const trainRows = await model.predictProba(train[window].candidates);
      const chosen = chooseThreshold(train[window], trainRows, labels, relationLabels, ner, metrics);
      const atPrecise = chosen.precise
        ? run(test[window], testRows, { threshold: chosen.precise.threshold, assertions: true })
        : null;
      write({
        step: 3,
        name: 'calibration',
        window,
        assertions: true,
        temperature: cal.temperature,
        calibration: {
          fittedOn: `CMeIE dev (${cmeieDev.length} candidates)`,
          devEce: { before: cal.before.ece, after: cal.after.ece },
          testEce: {
            before: eceOf(test[window].candidates, rows[`test-${window}`], labels, metrics),
            after: eceOf(test[window].candidates, testRows, labels, metrics),
          },
        },
        threshold: chosen.best.threshold,
        thresholdChoice: { on: '60 train documents', ...chosen },
        trainedOn,
        test: run(test[window], testRows, { threshold: chosen.best.threshold, assertions: true }),
        testAtDefaultThreshold: run(test[window], testRows, { threshold: 0, assertions: true }),
        testAtPreciseThreshold: atPrecise,
      });
    }
    model.dispose();
  }

  // ---- steps 4-5: CMeIE + EMR train documents, then bootstrapping over the CCKS pool ----
  if (!steps.has(4) && !steps.has(5) && !steps.has(6)) return;
  const emrFit = emrFitDocs.flatMap((d) => tok.generateCandidates(d.record, schema, { window }));
  const emrDev = emrDevDocs.flatMap((d) => tok.generateCandidates(d.record, schema, { window }));
  const seedSet = [...cmeieTrain, ...emrFit];
  const dev = [...cmeieDev, ...emrDev];
  const corpusIds = new Set(allDocs.map((d) => d.record.id));
  const poolRecords = (await tok.readAllRecords(tok.openCorpus(CCKS, 'ccks2017', { schema }))).filter(
    (r) => !corpusIds.has(r.id),
  );
  const pool = poolRecords.flatMap((r) =>
    tok
      .generateCandidates({ ...r, relations: [] }, schema, { window })
      .map((c) => ({ ...c, label: tok.UNKNOWN_LABEL })),
  );
  const vocabulary = tok.CharVocabulary.build([
    ...cmeieTrainRecords.map((r) => r.text),
    ...emrFitDocs.map((d) => d.record.text),
    ...poolRecords.map((r) => r.text),
  ]);
  const createClassifier = async () => ra.createRelationModel({ config, schema, vocabulary });
  const outDir = path.join(values.runs, `bootstrap-${tag}-${window}-l${lambda}-N${perIteration}`);
  log(
    `seed ${seedSet.length} (CMeIE ${cmeieTrain.length} + EMR ${emrFit.length}) dev ${dev.length} ` +
      `(EMR ${emrDev.length}) pool ${pool.length} candidates of ${poolRecords.length} CCKS sections; ${path.relative(process.cwd(), outDir)}`,
  );
  const result = await runBootstrap({
    seed: seedSet,
    pool,
    dev,
    createClassifier,
    lambda,
    perIteration,
    maxIterations: steps.has(5) || steps.has(6) ? maxIterations : 0,
    classQuotas: 'proportional',
    fitOptions: { epochs, seed, dev },
    outDir,
    resume: true,
    onProgress,
  });
  result.classifier?.dispose();
  const testCtx = prepareDocs(tok, ner, schema, testDocs, window);
  const devCtx = prepareDocs(tok, ner, schema, emrDevDocs, window);
  const seedRecord = JSON.parse(fs.readFileSync(path.join(outDir, 'iteration-0', 'metrics.json'), 'utf8'));
  let chosenIteration;
  for (const it of [seedRecord, ...result.iterations]) {
    const report = it.iteration === 0 ? steps.has(4) : steps.has(5);
    if (!report && !steps.has(6)) continue;
    const model = await createClassifier();
    await model.load(path.join(outDir, `iteration-${it.iteration}`, 'classifier'));
    const labels = labelsOf(model);
    const rawTest = await model.predictProba(testCtx.candidates);
    const cal = await model.calibrate(dev);
    const testRows = await model.predictProba(testCtx.candidates);
    const devRows = await model.predictProba(devCtx.candidates);
    model.dispose();
    const chosen = chooseThreshold(devCtx, devRows, labels, relationLabels, ner, metrics);
    // the iteration a user would keep: the highest micro-F1 on the EMR dev documents (ties: the earlier)
    if (chosenIteration === undefined || chosen.best.f1 > chosenIteration.f1 + 1e-12)
      chosenIteration = { iteration: it.iteration, f1: chosen.best.f1, threshold: chosen.best.threshold };
    if (!report) continue;
    const run = (opts) => score(testCtx, decode(testCtx, testRows, labels, opts, ner), relationLabels, metrics);
    write({
      step: it.iteration === 0 ? 4 : 5,
      name: it.iteration === 0 ? 'emr-train' : 'bootstrap',
      iteration: it.iteration,
      window,
      assertions: true,
      temperature: cal.temperature,
      calibration: {
        fittedOn: `CMeIE dev + ${emrDevDocs.length} EMR dev documents (${dev.length} candidates)`,
        devEce: { before: cal.before.ece, after: cal.after.ece },
        testEce: {
          before: eceOf(testCtx.candidates, rawTest, labels, metrics),
          after: eceOf(testCtx.candidates, testRows, labels, metrics),
        },
      },
      threshold: chosen.best.threshold,
      thresholdChoice: { on: `${emrDevDocs.length} EMR dev documents`, ...chosen },
      trainedOn: {
        cmeieTrainCandidates: cmeieTrain.length,
        emrDocuments: emrFitDocs.length,
        emrCandidates: emrFit.length,
        labelled: it.labelled ?? seedSet.length,
      },
      bootstrap: {
        lambda,
        perIteration,
        classQuotas: 'proportional',
        poolSections: poolRecords.length,
        poolCandidates: pool.length,
        added: it.added ?? 0,
        addedByClass: it.addedByClass ?? {},
        stopReason: result.stopReason,
        acceptedIteration: result.acceptedIteration,
      },
      fit: it.fit ?? null,
      test: run({ threshold: chosen.best.threshold, assertions: true }),
      testAtDefaultThreshold: run({ threshold: 0, assertions: true }),
      testAtPreciseThreshold: chosen.precise ? run({ threshold: chosen.precise.threshold, assertions: true }) : null,
      runDir: path.relative(path.join(__dirname, '..'), outDir),
    });
  }
  if (!steps.has(6)) return;

  // ---- step 6: the recogniser's entities instead of the gold ones, with the iteration chosen on EMR dev ----
  const nerEpochs = intFlag('ner-epochs', 1);
  const nerDir = path.join(values.runs, `ner-bigru-crf-s${seed}-e${nerEpochs}`);
  const testIds = new Set(testDocs.map((d) => d.record.id));
  const nerTrain = (await tok.readAllRecords(tok.openCorpus(CCKS, 'ccks2017', { schema }))).filter(
    (r) => !testIds.has(r.id),
  );
  let recogniser;
  let nerSeconds = null;
  if (fs.existsSync(path.join(nerDir, 'manifest.json'))) {
    recogniser = await ner.loadNer(nerDir);
    log(`reused ${path.relative(process.cwd(), nerDir)}`);
  } else {
    const t0 = Date.now();
    recogniser = await ner.trainNer(nerTrain, ner.nerConfigFor('bigru-crf', 'small', { epochs: nerEpochs, seed }), {
      schema,
      onProgress: (e) => {
        if (e.phase === 'ner-epoch') log(`  ner epoch ${e.done}/${e.total} ${JSON.stringify(e.values ?? {})}`);
      },
    });
    await recogniser.save(nerDir);
    nerSeconds = (Date.now() - t0) / 1000;
  }
  const goldRecords = testDocs.map((d) => d.record);
  const recognised = await recogniser.recognize(goldRecords.map((r) => ({ id: r.id, text: r.text })));
  recogniser.dispose();
  const nerScores = metrics.entityMetricsToJSON(metrics.scoreEntities(goldRecords, recognised));
  const model = await createClassifier();
  await model.load(path.join(outDir, `iteration-${chosenIteration.iteration}`, 'classifier'));
  const cal = await model.calibrate(dev);
  const candidates = recognised.flatMap((r) => tok.generateCandidates(r, schema, { window }));
  const rows = await model.predictProba(candidates);
  const labels = labelsOf(model);
  model.dispose();
  const ctx = { records: recognised, candidates, detected: recognised.map((r) => ner.detectAssertions(r)) };
  const predicted = decode(ctx, rows, labels, { threshold: chosenIteration.threshold, assertions: true }, ner);
  const predictedRecords = recognised.map((r, i) => ({ ...r, relations: predicted[i] }));
  const triples = metrics.tripleMetricsToJSON(
    metrics.scoreTriples(goldRecords, predictedRecords, { match: 'offsets' }),
  );
  // edges touching a recognised entity whose span and type are a gold entity with the gold assertion absent
  const correct = Object.values(triples.perClass).reduce((n, m) => n + m.tp, 0);
  const edges = { predicted: 0, correct, absent: 0, absentWithoutSnap: 0 };
  goldRecords.forEach((gold, i) => {
    const absentSpans = new Set(
      gold.entities.filter((e) => e.assertion === 'absent').map((e) => `${e.start}:${e.end}:${e.type}`),
    );
    const byId = new Map(recognised[i].entities.map((e) => [e.id, e]));
    for (const r of predicted[i]) {
      edges.predicted++;
      const touches = [r.head, r.tail].some((id) => {
        const e = byId.get(id);
        return absentSpans.has(`${e.start}:${e.end}:${e.type}`);
      });
      if (touches) {
        edges.absent++;
        if (r.label !== 'SNAP') edges.absentWithoutSnap++;
      }
    }
  });
  const share = (k) => (edges.predicted > 0 ? k / edges.predicted : null);
  write({
    step: 6,
    name: 'recogniser',
    entities: 'recognised',
    iteration: chosenIteration.iteration,
    window,
    assertions: true,
    temperature: cal.temperature,
    threshold: chosenIteration.threshold,
    iterationChoice: { on: `${emrDevDocs.length} EMR dev documents`, ...chosenIteration },
    recogniser: {
      arch: 'bigru-crf',
      preset: 'small',
      epochs: nerEpochs,
      trainedOn: `${nerTrain.length} CCKS 2017 sections (all but the 40 test documents)`,
      trainSeconds: nerSeconds,
      test: { micro: nerScores.micro, perType: nerScores.perType },
    },
    test: {
      micro: triples.micro,
      perClass: triples.perClass,
      support: triples.support,
      match: 'offsets',
      edges: {
        ...edges,
        precision: triples.micro.precision,
        absentShare: share(edges.absent),
        absentShareWithoutSnap: share(edges.absentWithoutSnap),
      },
    },
    runDir: path.relative(path.join(__dirname, '..'), outDir),
  });
}

/** A row's step as the tables show it. */
const stepName = (r) =>
  `${r.step} ${r.name}${r.iteration ? ` (iteration ${r.iteration})` : ''}${r.windowForced ? ` [--window ${r.windowForced}]` : ''}`;

/** The Markdown tables of BENCHMARKS.md from a results file (the last row of each arch/step/iteration). */
function printTables(file) {
  const rows = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    rows.set(`${r.arch}\u0000${r.seed}\u0000${r.windowForced ?? ''}\u0000${r.step}\u0000${r.iteration ?? ''}`, r);
  }
  const all = [...rows.values()].sort(
    (a, b) =>
      a.arch.localeCompare(b.arch) ||
      a.seed - b.seed ||
      (a.windowForced ?? '').localeCompare(b.windowForced ?? '') ||
      a.step - b.step ||
      (a.iteration ?? 0) - (b.iteration ?? 0),
  );
  const pct = (x) => (x === null || x === undefined ? '–' : (100 * x).toFixed(1));
  const f3 = (x) => (x === null || x === undefined ? '–' : x.toFixed(3));
  console.log(
    '| arch | seed | step | window | T | threshold | micro P | micro R | micro F1 | macro F1 | edges | edge precision | pair precision | edges on absent entities (without SNAP) | ECE test before → after |',
  );
  console.log(
    '| :--- | ---: | :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :--- | :--- |',
  );
  for (const r of all) {
    const e = r.test.edges;
    const name = stepName(r);
    const ece = r.calibration ? `${f3(r.calibration.testEce.before)} → ${f3(r.calibration.testEce.after)}` : '–';
    console.log(
      `| ${r.arch} | ${r.seed} | ${name} | ${r.window} | ${r.temperature.toFixed(2)} | ${r.threshold.toFixed(2)} | ${pct(r.test.micro.precision)} | ` +
        `${pct(r.test.micro.recall)} | ${pct(r.test.micro.f1)} | ${pct(r.test.macro?.f1)} | ${e.predicted} | ${pct(e.precision)} | ` +
        `${pct(e.pairPrecision)} | ${e.absent} = ${pct(e.absentShare)} % (${e.absentWithoutSnap} = ${pct(e.absentShareWithoutSnap)} %) | ${ece} |`,
    );
  }
  const extra = all.filter((r) => r.testAtPreciseThreshold !== undefined);
  if (extra.length > 0) {
    console.log(
      '\nThe same models at threshold 0 (the top label) and at the lowest threshold with precision ≥ 0.85 on the selection documents:\n',
    );
    console.log(
      '| arch | seed | step | at 0: P / R / F1 | edges | threshold ≥ 0.85 on selection | there: P / R / F1 | edges |',
    );
    console.log('| :--- | ---: | :--- | :--- | ---: | ---: | :--- | ---: |');
    for (const r of extra) {
      const d = r.testAtDefaultThreshold;
      const p = r.testAtPreciseThreshold;
      const name = stepName(r);
      console.log(
        `| ${r.arch} | ${r.seed} | ${name} | ${pct(d.micro.precision)} / ${pct(d.micro.recall)} / ${pct(d.micro.f1)} | ${d.edges.predicted} | ` +
          `${r.thresholdChoice.precise ? r.thresholdChoice.precise.threshold.toFixed(2) : 'none'} | ` +
          `${p ? `${pct(p.micro.precision)} / ${pct(p.micro.recall)} / ${pct(p.micro.f1)}` : '–'} | ${p ? p.edges.predicted : '–'} |`,
      );
    }
  }
  // the best step as a user would choose it: the highest micro-F1 on the EMR dev documents (steps 4-5), never test
  const devF1 = (r) => (r.thresholdChoice?.on.includes('EMR dev') ? r.thresholdChoice.best.f1 : -1);
  const gold = all.filter((r) => r.entities === 'gold');
  const best = gold.reduce((a, b) => (devF1(b) > devF1(a) ? b : a), gold[0]);
  const top = gold.reduce((a, b) => (b.test.micro.f1 > a.test.micro.f1 ? b : a), gold[0]);
  const cell = (m) =>
    `${m.predicted} | ${m.tp} | ${m.predicted ? pct(m.precision) : '–'} | ${m.support ? pct(m.recall) : '–'} | ` +
    `${m.support || m.predicted ? pct(m.f1) : '–'}`;
  const micro = (r) =>
    `${r.test.edges.predicted} | ${r.test.edges.correct} | ${pct(r.test.micro.precision)} | ${pct(r.test.micro.recall)} | ${pct(r.test.micro.f1)}`;
  // B (the highest on test) is shown beside A only when it is another row
  const rowsShown = top === best ? [best] : [best, top];
  console.log(
    `\nPer relation: A = ${best.arch} seed ${best.seed} ${stepName(best)}, the highest micro-F1 on the EMR dev documents ` +
      `(${(100 * devF1(best)).toFixed(1)})` +
      (top === best
        ? ', also the highest on test:\n'
        : `; B = ${top.arch} seed ${top.seed} ${stepName(top)}, the highest on test (shown, not chosen):\n`),
  );
  const names = ['A', 'B'].slice(0, rowsShown.length);
  console.log(
    `| relation | test gold | ${names.map((n) => `${n} predicted | ${n} correct | ${n} P | ${n} R | ${n} F1`).join(' | ')} |`,
  );
  console.log(
    `| :------- | --------: | ${names.map(() => '----------: | --------: | --: | --: | ---:').join(' | ')} |`,
  );
  for (const [label, m] of Object.entries(best.test.perClass))
    console.log(`| ${label} | ${m.support} | ${rowsShown.map((r) => cell(r.test.perClass[label])).join(' | ')} |`);
  console.log(`| micro | ${best.test.support} | ${rowsShown.map(micro).join(' | ')} |`);
}

main().catch((err) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
