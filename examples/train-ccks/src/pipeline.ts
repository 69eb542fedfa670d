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
import { runBootstrap } from '@emr-re/bootstrap';
import {
  configFor,
  createRelationModel,
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
import {
  writeReport,
  type BootstrapRow,
  type LossCurve,
  type ModelResult,
  type NerSummary,
  type ReportData,
  type StageTime,
} from './report';
import { splitByRecordNumber, splitItems } from './split';

/** Options of one end-to-end run. */
export interface PipelineOptions {
  /** Folder holding `cmeie/` and `ccks2017-cner/`. */
  dataDir: string;
  /** Run directory: every stage's output lands here and a re-run reuses finished stages. */
  outDir: string;
  preset: PresetName;
  /** `paper` (Table 2 via the CMeIE mapping) or `cmeie` (CMeIE's own schema), or a schema file. */
  schema: string;
  /** Architectures to train and compare (Table 5); the first `resgru-att` among them is bootstrapped. */
  models: Architecture[];
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
  const backend = await selectBackend({ backend: o.backend ?? 'auto', log: (m) => o.log(`   ${m}`) });
  const schema: Schema = await loadSchema(o.schema);

  const { cmeie, ccks } = await stage('read corpora', async () => {
    const cmeieReader = openCorpus(path.join(o.dataDir, 'cmeie', 'train.jsonl'), 'cmeie', { schema });
    const cmeie = await readAllRecords(cmeieReader);
    const ccks = await readAllRecords(
      openCorpus(path.join(o.dataDir, 'ccks2017-cner'), 'ccks2017', { schema, skipInvalid: true }),
    );
    o.log(
      `   CMeIE: ${cmeie.length} records (${cmeieReader.stats.missingMentions} triples name a string not in their text); CCKS 2017: ${ccks.length} records`,
    );
    return { cmeie, ccks };
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
  const [train, dev, test] = [split.train, split.dev, split.test].map((part) => toCandidates(part, schema, true));
  const pool = toCandidates(ccks, schema, baseConfig.crossSentence ?? false).slice(0, MAX_POOL);
  o.log(`   candidates: train ${train.length}, dev ${dev.length}, test ${test.length}, EMR pool ${pool.length}`);

  const embeddingsFile = path.join(o.outDir, 'embeddings.vec');
  const embeddingInfo = await stage('character embeddings', async () => {
    if (existsSync(embeddingsFile)) return { table: await loadWord2Vec(embeddingsFile), wordsPerSecond: undefined };
    const texts = [...cmeie, ...ccks].map((r) => r.text);
    const start = Date.now();
    const table = await trainWord2Vec(
      texts,
      { dim: baseConfig.charDim, epochs: o.embeddingEpochs, seed: o.seed, threads: 2 },
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
  for (const arch of o.models) {
    const dir = path.join(o.outDir, 'models', arch);
    const config: ModelConfig = { ...baseConfig, arch };
    const report = await stage(`train ${arch}`, async () => {
      const metricsFile = path.join(dir, 'test-metrics.json');
      if (existsSync(metricsFile)) return readJson<{ report: MetricsReport; loss: LossCurve }>(metricsFile);
      const model = await createRelationModel({ config, schema, vocabulary, embeddings });
      try {
        const fit = await model.fit(train, {
          dev,
          onProgress: o.onProgress,
          signal: o.signal,
          checkpointDir: path.join(o.outDir, 'checkpoints', arch),
          resume: true,
        });
        await model.save(dir);
        const report = await evaluateModel(model, test);
        const loss: LossCurve = {
          model: arch,
          points: fit.loss.map((l, i) => ({ epoch: i + 1, loss: l, devF1: fit.devMacroF1?.[i] })),
        };
        await writeFileAtomic(metricsFile, JSON.stringify({ report, loss }, null, 2));
        return { report, loss };
      } finally {
        model.dispose();
      }
    });
    o.log(
      `   ${arch}: test micro-F1 ${report.report.micro.f1.toFixed(3)} macro-F1 ${report.report.macro.f1.toFixed(3)}`,
    );
    results.push({ model: arch, report: report.report });
    losses.push(report.loss);
  }

  const bootArch: Architecture = o.models.includes('resgru-att') ? 'resgru-att' : o.models[0];
  const bootDir = path.join(o.outDir, 'bootstrap');
  const boot = await stage(`bootstrap ${bootArch} with the EMR pool`, async () => {
    const result = await runBootstrap({
      seed: train,
      pool,
      dev,
      createClassifier: () =>
        createRelationModel({ config: { ...baseConfig, arch: bootArch }, schema, vocabulary, embeddings }),
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
    await classifier.save(finalDir);
    const report = await evaluateModel(classifier, test);
    classifier.dispose();
    return { result, report, finalDir };
  });
  results.push({ model: `${bootArch}+bootstrap`, report: boot.report });
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
  o.log(`   bootstrap stopped (${boot.result.stopReason}); test micro-F1 ${boot.report.micro.f1.toFixed(3)}`);

  // The EMRs are split by record number (the four sections of an EMR on one side); the recogniser learns from the
  // training side and is scored on the held-out side, whose raw text it has never seen.
  const nerSplit = splitByRecordNumber(ccks, 0.2, o.seed);
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

  const kg = await stage(
    'extract EMR entities and relations from raw text and export the knowledge graph',
    async () => {
      // As `emr-re extract` does: raw text in, the recogniser's entities, relations between them (gold entities unused).
      const pipeline = await loadPipeline({ ner: nerDir, relations: boot.finalDir });
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
        return { nodes: graph.nodes.length, edges: graph.edges.length, topRelations, entities };
      } finally {
        pipeline.dispose();
      }
    },
  );
  const ner: NerSummary = {
    model: `${o.nerArch} (${o.preset === 'paper' ? 'paper' : 'small'})`,
    epochs: nerResult.epochs,
    split: `CCKS 2017 by record number, 80/20, seed ${o.seed}`,
    trainRecords: nerSplit.train.length,
    testRecords: nerSplit.test.length,
    report: nerResult.report,
    entitiesRecognised: kg.entities,
  };

  const data: ReportData = {
    version: 1,
    title: 'emr-re: ResGRU-Att on CMeIE with bootstrapping over CCKS 2017 EMRs',
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
        model: `${bootArch} (bootstrap, dev micro-F1)`,
        sizes: Object.fromEntries(
          bootstrapRows.filter((r) => r.devF1 !== undefined).map((r) => [String(r.labelled), r.devF1 as number]),
        ),
      },
    ],
    losses,
    bootstrap: bootstrapRows,
    knowledgeGraph: { nodes: kg.nodes, edges: kg.edges, topRelations: kg.topRelations },
    ner,
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
