import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadWord2Vec, nearestNeighbours, trainWord2Vec, writeWord2VecText } from '@emr-re/embeddings';
import { loadPipeline } from '@emr-re/cli';
import { KnowledgeGraphBuilder, graphToJsonl, graphToNTriples } from '@emr-re/kg';
import {
  metricsToJSON,
  scoreEntities,
  scorePairs,
  type EntityMetricsReport,
  type MetricsReport,
} from '@emr-re/metrics';
import { isNerModelDirectory, nerConfigFor, nerTypes, trainNer } from '@emr-re/ner';
import type { CalibrationFit } from '@emr-re/resgru-att';
import { runBootstrap } from '@emr-re/bootstrap';
import {
  configFor,
  createRelationModel,
  loadRelationModel,
  selectBackend,
  toCandidates,
  type Architecture,
  type ModelConfig,
  type PresetName,
  type RelationModel,
} from '@emr-re/resgru-att';
import {
  CharVocabulary,
  loadSchema,
  openCorpus,
  readAllRecords,
  writeFileAtomic,
  writeJsonl,
  type Candidate,
  type EmbeddingSource,
  type EmrRecord,
  type ProgressListener,
  type Schema,
} from '@emr-re/tokenize';
import { emrTestSet, readEmrCorpusParts, scoreEmrTest, type EmrCorpusParts } from './emr-corpus';
import { fillGraphStore } from './graph-store';
import { chooseGraphThreshold, edgeScore } from './graph-threshold';
import {
  writeReport,
  type BootstrapChoice,
  type BootstrapRow,
  type CalibrationResult,
  type EmrEvaluation,
  type GraphThresholdSummary,
  type LossCurve,
  type ModelResult,
  type NerSummary,
  type ReportData,
  type StageTime,
} from './report';
import { ccksRecordNumber, splitByRecordNumber, splitItems } from './split';

/** Options of one end-to-end run. */
export interface PipelineOptions {
  /** Folder holding `cmeie/` and `ccks2017-cner/`. */
  dataDir: string;
  /** Run directory: every stage's output lands here and a re-run reuses finished stages. */
  outDir: string;
  preset: PresetName;
  /** `paper` (Table 2 via the CMeIE mapping) or `cmeie` (CMeIE's own schema), or a schema file. */
  schema: string;
  /** Architectures to train and compare (Table 5), with `preset`. */
  models: Architecture[];
  /**
   * The architecture that is bootstrapped over the EMR pool and extracts the graph (default `pcnn`: better than
   * ResGRU-Att at every EMR-trained step of BENCHMARKS.md "Relations on real EMRs").
   */
  bootstrapArch?: Architecture;
  /** Its preset (default `best`: `small`'s sizes with entity pooling, issue 16); its character dimension is the embeddings'. */
  bootstrapPreset?: PresetName;
  epochs?: number;
  seed: number;
  /** Character-embedding training passes. */
  embeddingEpochs: number;
  lambda: number;
  perIteration: number;
  bootstrapIterations: number;
  /** Entity recogniser trained on the CCKS 2017 training side (`bigru-crf`, `bilstm-crf` or `resgru-crf`). */
  nerArch: string;
  /** Its training epochs. */
  nerEpochs: number;
  backend?: 'wasm' | 'cpu' | 'tensorflow' | 'auto';
  /**
   * Threads of the character word2vec (default 1). With 1 the embeddings are determined by the seed; with more the
   * threads update the vectors without locks (Hogwild), faster, but two runs differ.
   */
  embeddingThreads?: number;
  /**
   * Threads of the wasm backend (default: `EMR_RE_WASM_THREADS`, else the cores). The count does not change the
   * numbers: XNNPACK splits work by output, and training on 1 and 2 threads gives the same bytes (pipeline.test.ts).
   */
  wasmThreads?: number | 'auto';
  /**
   * The EMR relation corpus (`corpus/emr-relations/annotations.jsonl`), read with the CCKS 2017 folder under the
   * paper schema: its train documents join the training and dev data, its test documents are scored (never trained
   * or tuned on), and all its documents leave the bootstrapping pool. Undefined, or another schema: not used.
   */
  emrCorpus?: string;
  /** The command line, recorded in the report. */
  command: string;
  onProgress: ProgressListener;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Pool candidates scored per bootstrapping iteration at most, to keep the default run short. */
const MAX_POOL = 20000;

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as T;
}

/** Share of the EMR corpus train documents (by document, seeded) held out as dev for early stopping and calibration. */
const EMR_DEV_SHARE = 0.15;

/** What `RelationModel.calibrate` returned, as the report shows it. */
function calibrationResult(model: string, fit: CalibrationFit): CalibrationResult {
  return { model, temperature: fit.temperature, candidates: fit.candidates, before: fit.before, after: fit.after };
}

/** Scores a model's argmax predictions on labelled candidates (unknown excluded from micro/macro). */
async function evaluateModel(model: RelationModel, test: Candidate[]): Promise<MetricsReport> {
  const predictions = await model.predict(test);
  return scorePairs(predictions.map((p, i) => ({ gold: test[i].label, pred: p.label })));
}

/**
 * Runs the whole example: read → split → character embeddings → train and evaluate each model →
 * bootstrap ResGRU-Att with the CCKS 2017 EMRs as the pool → train an entity recogniser on the CCKS 2017 training
 * side (scored on the held-out side) → entities and relations extracted from the EMRs' raw text → knowledge graph →
 * report. Each stage writes its result into `outDir` and is skipped when that result is already there.
 */
export async function runPipeline(o: PipelineOptions): Promise<ReportData> {
  const stages: StageTime[] = [];
  const stage = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    o.log(`== ${name}`);
    const result = await work();
    const seconds = (Date.now() - start) / 1000;
    stages.push({ stage: name, seconds });
    o.log(`   ${name}: ${seconds.toFixed(1)} s`);
    return result;
  };
  await fs.mkdir(o.outDir, { recursive: true });
  const backend = await selectBackend({
    backend: o.backend ?? 'auto',
    ...(o.wasmThreads !== undefined ? { threads: o.wasmThreads } : {}),
    log: (m) => o.log(`   ${m}`),
  });
  const schema: Schema = await loadSchema(o.schema);
  // The EMR corpus is labelled with the paper's relations; under another schema it cannot be used.
  const useEmr = o.emrCorpus !== undefined && schema.name === (await loadSchema('paper')).name;
  if (o.emrCorpus !== undefined && !useEmr)
    o.log(`   EMR relation corpus not used: it is labelled under the paper schema, this run uses ${schema.name}`);

  const { cmeie, ccks, emr } = await stage('read corpora', async () => {
    const cmeieReader = openCorpus(path.join(o.dataDir, 'cmeie', 'train.jsonl'), 'cmeie', { schema });
    const cmeie = await readAllRecords(cmeieReader);
    const ccks = await readAllRecords(
      openCorpus(path.join(o.dataDir, 'ccks2017-cner'), 'ccks2017', { schema, skipInvalid: true }),
    );
    o.log(
      `   CMeIE: ${cmeie.length} records (${cmeieReader.stats.missingMentions} triples name a string not in their text); CCKS 2017: ${ccks.length} records`,
    );
    const emr: EmrCorpusParts = useEmr
      ? await readEmrCorpusParts(o.emrCorpus as string, path.join(o.dataDir, 'ccks2017-cner'), schema)
      : { train: [], test: [], ids: new Set() };
    if (useEmr) o.log(`   EMR relation corpus: ${emr.train.length} train and ${emr.test.length} test documents`);
    return { cmeie, ccks, emr };
  });

  const split = splitItems(cmeie, { dev: 0.1, test: 0.2 }, o.seed);
  const baseConfig = configFor(
    'resgru-att',
    o.preset,
    o.epochs !== undefined ? { epochs: o.epochs, seed: o.seed } : { seed: o.seed },
  );
  // CMeIE is scored as the CLI scores it (`emr-re train/evaluate --format cmeie`): the whole record is the
  // window, so a gold relation that crosses 。 is a candidate the model must find, not one left out of the test set.
  // The EMRs are paired within sentences (the model's config keeps crossSentence off for extraction).
  // The annotated EMR train documents (split by document into train and dev) join CMeIE's train and dev parts, in
  // the EMR windows of extraction; the 40 test documents are only scored, and no annotated document is in the pool.
  const emrWindow = baseConfig.crossSentence ? 'record' : 'sentence';
  const emrSplit = splitItems(emr.train, { dev: EMR_DEV_SHARE, test: 0 }, o.seed);
  const emrCandidates = (records: EmrRecord[]): Candidate[] => emrTestSet(records, schema, emrWindow).candidates;
  const [cmeieTrain, cmeieDev, test] = [split.train, split.dev, split.test].map((part) =>
    toCandidates(part, schema, true),
  );
  const train = [...cmeieTrain, ...emrCandidates(emrSplit.train)];
  const dev = [...cmeieDev, ...emrCandidates(emrSplit.dev)];
  const emrTest = emrTestSet(emr.test, schema, emrWindow);
  const pool = toCandidates(
    ccks.filter((r) => !emr.ids.has(r.id)),
    schema,
    baseConfig.crossSentence ?? false,
  ).slice(0, MAX_POOL);
  o.log(
    `   candidates: train ${train.length} (EMR ${train.length - cmeieTrain.length}), dev ${dev.length} (EMR ${dev.length - cmeieDev.length}), ` +
      `test ${test.length}, EMR test ${emrTest.candidates.length} (+${emrTest.lost.length} gold relations outside every ${emrWindow}), EMR pool ${pool.length}`,
  );

  const embeddingsFile = path.join(o.outDir, 'embeddings.vec');
  const embeddingInfo = await stage('character embeddings', async () => {
    if (existsSync(embeddingsFile)) return { table: await loadWord2Vec(embeddingsFile), wordsPerSecond: undefined };
    const texts = [...cmeie, ...ccks].map((r) => r.text);
    const start = Date.now();
    const table = await trainWord2Vec(
      texts,
      { dim: baseConfig.charDim, epochs: o.embeddingEpochs, seed: o.seed, threads: o.embeddingThreads ?? 1 },
      { onProgress: o.onProgress, signal: o.signal },
    );
    const chars = texts.reduce((n, t) => n + t.replace(/\s/g, '').length, 0);
    await writeWord2VecText(embeddingsFile, table);
    return { table, wordsPerSecond: (chars * o.embeddingEpochs) / ((Date.now() - start) / 1000) };
  });
  const embeddings: EmbeddingSource = embeddingInfo.table;
  const vocabulary = CharVocabulary.build(new Set(train.map((c) => c.sentence.text)), {
    minCount: baseConfig.minCount ?? 1,
  });

  const results: ModelResult[] = [];
  const losses: LossCurve[] = [];
  const calibrations: CalibrationResult[] = [];
  for (const arch of o.models) {
    const dir = path.join(o.outDir, 'models', arch);
    const config: ModelConfig = { ...baseConfig, arch };
    const report = await stage(`train ${arch}`, async () => {
      const metricsFile = path.join(dir, 'test-metrics.json');
      if (existsSync(metricsFile)) {
        const saved = await readJson<{ report: MetricsReport; loss: LossCurve; calibration?: CalibrationResult }>(
          metricsFile,
        );
        // A run directory from before calibration: its models are used as they are, without a calibration row.
        return saved;
      }
      const model = await createRelationModel({ config, schema, vocabulary, embeddings });
      try {
        const fit = await model.fit(train, {
          dev,
          onProgress: o.onProgress,
          signal: o.signal,
          checkpointDir: path.join(o.outDir, 'checkpoints', arch),
          resume: true,
        });
        // Temperature scaling on dev (the scores become probabilities; argmax labels do not change).
        const calibration = calibrationResult(arch, await model.calibrate(dev));
        await model.save(dir);
        const report = await evaluateModel(model, test);
        const loss: LossCurve = {
          model: arch,
          points: fit.loss.map((l, i) => ({ epoch: i + 1, loss: l, devF1: fit.devMacroF1?.[i] })),
        };
        await writeFileAtomic(metricsFile, JSON.stringify({ report, loss, calibration }, null, 2));
        return { report, loss, calibration };
      } finally {
        model.dispose();
      }
    });
    o.log(
      `   ${arch}: test micro-F1 ${report.report.micro.f1.toFixed(3)} macro-F1 ${report.report.macro.f1.toFixed(3)}`,
    );
    results.push({ model: arch, report: report.report });
    losses.push(report.loss);
    if (report.calibration) calibrations.push(report.calibration);
  }

  // The paper's models above are the Table 5 comparison; the graph's model is its own architecture and preset.
  const bootArch: Architecture = o.bootstrapArch ?? 'pcnn';
  const bootPreset: PresetName = o.bootstrapPreset ?? 'best';
  const bootName = `${bootArch} (${bootPreset})`;
  const bootConfig: ModelConfig = configFor(bootArch, bootPreset, {
    charDim: baseConfig.charDim,
    seed: o.seed,
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
  });
  const bootDir = path.join(o.outDir, 'bootstrap');
  // Bootstrapping is judged on the EMR dev documents alone (CMeIE dev would outweigh them): an iteration whose EMR
  // dev micro-F1 falls below the accepted classifier's is rolled back and the loop stops, so the classifier that
  // extracts the graph is the one with the best EMR dev micro-F1 among the iterations run. Without EMR dev
  // documents (another schema, or no corpus) it is judged on `dev` with no guard, as before.
  const emrDev = emrCandidates(emrSplit.dev);
  const bootJudge =
    emrDev.length > 0 ? `${emrSplit.dev.length} EMR dev documents (${emrDev.length} candidates)` : `dev`;
  const boot = await stage(`bootstrap ${bootName} with the EMR pool`, async () => {
    const result = await runBootstrap({
      seed: train,
      pool,
      ...(emrDev.length > 0 ? { dev: emrDev, devDropTolerance: 0, guardMetric: 'micro' as const } : { dev }),
      createClassifier: () => createRelationModel({ config: bootConfig, schema, vocabulary, embeddings }),
      // Early stopping on the same dev set as the models above (the preset's patience).
      fitOptions: { dev },
      lambda: o.lambda,
      perIteration: o.perIteration,
      maxIterations: o.bootstrapIterations,
      classQuotas: 'proportional',
      outDir: bootDir,
      resume: true,
      onProgress: o.onProgress,
      signal: o.signal,
    });
    const classifier = result.classifier as RelationModel;
    const finalDir = path.join(o.outDir, 'models', `${bootArch}-bootstrapped`);
    try {
      // The model that extracts the EMR relations: its scores are calibrated on dev before it is saved.
      const calibration = calibrationResult(`${bootName}+bootstrap`, await classifier.calibrate(dev));
      await classifier.save(finalDir);
      const report = await evaluateModel(classifier, test);
      return { result, report, finalDir, calibration };
    } finally {
      classifier.dispose();
    }
  });
  results.push({ model: `${bootName}+bootstrap`, report: boot.report });
  calibrations.push(boot.calibration);
  const bootstrapRows: BootstrapRow[] = [
    {
      iteration: 0,
      labelled: train.length,
      added: 0,
      poolLeft: pool.length,
      addedByClass: {},
      devF1: boot.result.seedDev?.micro.f1,
    },
    ...boot.result.iterations.map((it) => ({
      iteration: it.iteration,
      labelled: it.labelled,
      added: it.added,
      poolLeft: it.poolLeft,
      addedByClass: it.addedByClass,
      devF1: it.dev?.micro.f1,
      rolledBack: it.rolledBack,
    })),
  ];
  const chosenIteration = boot.result.acceptedIteration;
  const chosenDev =
    chosenIteration === 0
      ? boot.result.seedDev
      : boot.result.iterations.find((it) => it.iteration === chosenIteration)?.dev;
  const bootstrapChoice: BootstrapChoice = {
    model: `${bootName}+bootstrap`,
    iteration: chosenIteration,
    judgedOn: bootJudge,
    devMicroF1: chosenDev?.micro.f1,
    stopReason: boot.result.stopReason,
  };
  o.log(
    `   bootstrap stopped (${boot.result.stopReason}); the graph's classifier is iteration ${chosenIteration}` +
      (chosenDev ? `, micro-F1 ${chosenDev.micro.f1.toFixed(3)} on ${bootJudge}` : '') +
      `; test micro-F1 ${boot.report.micro.f1.toFixed(3)}`,
  );

  // The paper's Table 4 on real EMRs: the models above (trained on CMeIE + the EMR train documents, not
  // bootstrapped), then the bootstrapped model's seed classifier and each accepted iteration's, on the annotated
  // test documents.
  const emrEvaluation: EmrEvaluation | undefined =
    emr.test.length === 0
      ? undefined
      : await stage(`score the models on the ${emr.test.length} annotated EMR test documents`, async () => {
          const rows: ModelResult[] = [];
          const accepted = boot.result.iterations.filter((it) => !it.rolledBack).map((it) => it.iteration);
          const scored = [
            ...o.models.map((arch) => ({ name: `${arch} (${o.preset})`, dir: path.join(o.outDir, 'models', arch) })),
            ...[0, ...accepted].map((k) => ({
              name: k === 0 ? `${bootName} seed (iteration 0)` : `${bootName} iteration ${k}`,
              dir: path.join(bootDir, `iteration-${k}`, 'classifier'),
            })),
          ];
          for (const { name, dir } of scored) {
            if (!existsSync(dir)) continue;
            const model = await loadRelationModel(dir);
            try {
              const predicted = await model.predict(emrTest.candidates);
              rows.push({
                model: name,
                report: scoreEmrTest(
                  emrTest,
                  predicted.map((p) => p.label),
                ),
              });
            } finally {
              model.dispose();
            }
          }
          return {
            description: `EMR relation corpus (corpus/emr-relations), test part, gold entities, ${emrWindow} windows, argmax labels`,
            documents: emr.test.length,
            lostRelations: emrTest.lost.length,
            rows,
          };
        });
  if (emrEvaluation) {
    await writeFileAtomic(
      path.join(o.outDir, 'emr-metrics.json'),
      JSON.stringify(
        emrEvaluation.rows.map((r) => ({ model: r.model, ...metricsToJSON(r.report) })),
        null,
        2,
      ) + '\n',
    );
    for (const r of emrEvaluation.rows)
      o.log(
        `   EMR test: ${r.model} micro P/R/F1 ${[r.report.micro.precision, r.report.micro.recall, r.report.micro.f1].map((x) => x.toFixed(3)).join('/')}`,
      );
  }

  // The EMRs are split by record number (the four sections of an EMR on one side); the recogniser learns from the
  // training side and is scored on the held-out side, whose raw text it has never seen.
  // The recogniser never trains on the annotated EMR test documents, nor on the EMR dev documents the graph's
  // threshold is chosen on: every section of their EMRs leaves its training side.
  const emrTestNumbers = new Set([...emr.test, ...emrSplit.dev].map((r) => ccksRecordNumber(r.id)));
  const nerSplitAll = splitByRecordNumber(ccks, 0.2, o.seed);
  const nerSplit = {
    ...nerSplitAll,
    train: nerSplitAll.train.filter((r) => !emrTestNumbers.has(ccksRecordNumber(r.id))),
  };
  const nerDir = path.join(o.outDir, 'models', 'ner');
  const nerResult = await stage(`train ${o.nerArch} NER on the CCKS 2017 training side`, async () => {
    const metricsFile = path.join(o.outDir, 'ner-metrics.json');
    if (existsSync(metricsFile) && (await isNerModelDirectory(nerDir))) {
      return readJson<{ report: EntityMetricsReport; epochs: number }>(metricsFile);
    }
    // The relation presets include `best` (entity options of relation models); the tagger's sizes are `small`'s then.
    const nerPreset = o.preset === 'paper' ? 'paper' : 'small';
    const config = nerConfigFor(o.nerArch, nerPreset, { epochs: o.nerEpochs, seed: o.seed });
    const model = await trainNer(nerSplit.train, config, {
      types: nerTypes(nerSplit.train),
      onProgress: o.onProgress,
      signal: o.signal,
      checkpointDir: path.join(o.outDir, 'checkpoints', 'ner'),
      resume: true,
    });
    try {
      await model.save(nerDir);
      const predicted = await model.recognize(nerSplit.test.map((r) => ({ id: r.id, text: r.text })));
      const report = scoreEntities(nerSplit.test, predicted, { types: [...model.scheme.types] });
      const result = { report, epochs: model.lastTrainReport?.epochs ?? config.epochs };
      await writeFileAtomic(metricsFile, JSON.stringify(result, null, 2));
      return result;
    } finally {
      model.dispose();
    }
  });
  o.log(`   NER: strict micro-F1 ${nerResult.report.micro.f1.toFixed(3)} on ${nerSplit.test.length} held-out records`);

  // The graph's threshold: the recogniser and the graph's classifier run on the EMR dev documents' raw text, and
  // the lowest probability whose edge precision there reaches the target is kept (graph-threshold.ts); the test
  // documents' edge precision and recall are reported at it and at 0.
  const graphThreshold: GraphThresholdSummary | undefined =
    emrSplit.dev.length === 0
      ? undefined
      : await stage(`choose the graph's threshold on the ${emrSplit.dev.length} EMR dev documents`, async () => {
          const pipeline = await loadPipeline({ ner: nerDir, relations: boot.finalDir });
          try {
            const raw = (records: EmrRecord[]) => records.map((r) => ({ id: r.id, text: r.text }));
            const choice = chooseGraphThreshold(emrSplit.dev, await pipeline.extract(raw(emrSplit.dev)));
            const summary: GraphThresholdSummary = {
              ...choice,
              chosenOn: `${emrSplit.dev.length} EMR dev documents, raw text: the recogniser's entities, relations as triples (same spans, types and label)`,
            };
            if (emr.test.length > 0) {
              const testPredicted = await pipeline.extract(raw(emr.test));
              summary.test = {
                description: `${emr.test.length} EMR test documents, raw text, the same extraction`,
                atThreshold: edgeScore(emr.test, testPredicted, choice.threshold),
                atZero: edgeScore(emr.test, testPredicted, 0),
              };
            }
            await writeFileAtomic(path.join(o.outDir, 'graph-threshold.json'), JSON.stringify(summary, null, 2) + '\n');
            return summary;
          } finally {
            pipeline.dispose();
          }
        });
  const minScore = graphThreshold?.threshold ?? 0;
  if (graphThreshold) {
    const dev = graphThreshold.sweep.find((s) => s.threshold === minScore)!;
    const test = graphThreshold.test;
    o.log(
      `   graph threshold ${minScore.toFixed(2)} (${graphThreshold.reached ? 'the lowest' : 'none reached the target: the one'} with EMR dev edge precision ` +
        `${graphThreshold.reached ? `≥ ${graphThreshold.target}` : 'highest'}: ${dev.precision.toFixed(3)}, ${dev.edges} edges)` +
        (test
          ? `; EMR test edge P/R ${test.atThreshold.precision.toFixed(3)}/${test.atThreshold.recall.toFixed(3)} ` +
            `(at 0: ${test.atZero.precision.toFixed(3)}/${test.atZero.recall.toFixed(3)})`
          : ''),
    );
  }

  const kg = await stage(
    'extract EMR entities and relations from raw text and export the knowledge graph',
    async () => {
      // As `emr-re extract --min-score` does: raw text in, the recogniser's entities, relations between them whose
      // probability reaches the graph's threshold (gold entities unused).
      const pipeline = await loadPipeline({ ner: nerDir, relations: boot.finalDir }, { minRelationScore: minScore });
      try {
        const predicted: EmrRecord[] = [];
        for await (const record of pipeline.extractStream(ccks.map((r) => ({ id: r.id, text: r.text })))) {
          predicted.push(record);
        }
        await writeJsonl(path.join(o.outDir, 'emr-predictions.jsonl'), predicted);
        const builder = new KnowledgeGraphBuilder();
        predicted.forEach((r) => builder.add(r));
        const graph = builder.build();
        await writeFileAtomic(path.join(o.outDir, 'kg.nt'), graphToNTriples(graph));
        await writeFileAtomic(path.join(o.outDir, 'kg.jsonl'), graphToJsonl(graph));
        const byLabel = new Map<string, number>();
        for (const e of graph.edges) byLabel.set(e.label, (byLabel.get(e.label) ?? 0) + 1);
        const topRelations = [...byLabel].map(([label, edges]) => ({ label, edges })).sort((a, b) => b.edges - a.edges);
        const entities = predicted.reduce((n, r) => n + r.entities.length, 0);
        return { nodes: graph.nodes.length, edges: graph.edges.length, topRelations, entities, predicted };
      } finally {
        pipeline.dispose();
      }
    },
  );
  // The queryable graph: an embedded store filled from the predictions, asked what the report shows.
  const graphStore = await stage('fill the graph store and ask it the named questions', () =>
    fillGraphStore(path.join(o.outDir, 'store'), kg.predicted, {
      model: { id: `train-ccks/${o.nerArch}+${bootArch}-bootstrapped`, version: `seed-${o.seed}` },
    }),
  );
  o.log(
    `   graph store: ${graphStore.entities} entities, ${graphStore.edges} edges, ${graphStore.evidence} evidence, ${graphStore.bytes} bytes`,
  );
  const ner: NerSummary = {
    model: `${o.nerArch} (${o.preset === 'paper' ? 'paper' : 'small'})`,
    epochs: nerResult.epochs,
    split:
      `CCKS 2017 by record number, 80/20, seed ${o.seed}` +
      (emrTestNumbers.size > 0
        ? `; the ${emrTestNumbers.size} EMRs of the annotated relation test and dev documents left out of training`
        : ''),
    trainRecords: nerSplit.train.length,
    testRecords: nerSplit.test.length,
    report: nerResult.report,
    entitiesRecognised: kg.entities,
  };

  const data: ReportData = {
    version: 1,
    title: `emr-re: ${o.models.join(', ')} (${o.preset}) on CMeIE and EMRs; ${bootName} bootstrapped over CCKS 2017 EMRs`,
    run: {
      date: new Date().toISOString(),
      command: o.command,
      backend,
      preset: o.preset,
      schema: schema.name,
      seeds: { split: o.seed, model: baseConfig.seed },
      stages,
      dataSizes: {
        'CMeIE records': cmeie.length,
        'CCKS 2017 records': ccks.length,
        'train candidates': train.length,
        'dev candidates': dev.length,
        'test candidates': test.length,
        'EMR pool candidates': pool.length,
        'EMR corpus train documents': emrSplit.train.length,
        'EMR corpus dev documents': emrSplit.dev.length,
        'EMR corpus test documents': emr.test.length,
        'EMR test candidates': emrTest.candidates.length,
        'NER train records (CCKS 2017)': nerSplit.train.length,
        'NER held-out records (CCKS 2017)': nerSplit.test.length,
      },
    },
    embeddings: {
      vocabSize: embeddingInfo.table.size,
      dim: embeddingInfo.table.dim,
      wordsPerSecond: embeddingInfo.wordsPerSecond,
      nearest: ['腹', '胸', '肺', '胃', '痛', '炎']
        .filter((q) => embeddingInfo.table.has(q))
        .map((q) => ({ query: q, neighbours: nearestNeighbours(embeddingInfo.table, q, 5) })),
    },
    models: results,
    dataSize: [
      {
        model: `${bootName} (bootstrap, micro-F1 on ${emrDev.length > 0 ? 'EMR dev' : 'dev'})`,
        sizes: Object.fromEntries(
          bootstrapRows.filter((r) => r.devF1 !== undefined).map((r) => [String(r.labelled), r.devF1 as number]),
        ),
      },
    ],
    losses,
    bootstrap: bootstrapRows,
    bootstrapChoice,
    knowledgeGraph: { nodes: kg.nodes, edges: kg.edges, topRelations: kg.topRelations },
    graphThreshold,
    ner,
    emr: emrEvaluation,
    calibration: calibrations,
    graphStore,
  };
  await writeFileAtomic(
    path.join(o.outDir, 'metrics.json'),
    JSON.stringify(
      results.map((r) => ({ model: r.model, ...metricsToJSON(r.report) })),
      null,
      2,
    ),
  );
  await writeReport(path.join(o.outDir, 'report'), data);
  return data;
}
