import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { metricsToJSON, scorePairs } from '@emr-re/metrics';
import type { MetricsJSON } from '@emr-re/metrics';
import type { Candidate, FitOptions, FitReport, ProgressListener, RelationClassifier } from '@emr-re/tokenize';
import { BootstrapOptionError, RunDirectoryError } from './errors';
import { fingerprint, uniqueCandidateKeys } from './keys';
import {
  iterationClassifierDir,
  iterationDir,
  LIBRARY_VERSION,
  MovedItem,
  openRunDirectory,
  RUN_FORMAT_VERSION,
  RunInfo,
  RunState,
  writeDirAtomic,
  writeFileAtomic,
} from './run-dir';
import { ClassQuotas, classQuotaLimits, selectConfident, topPredictions, validateClassQuotas } from './select';

/** Dev-set metrics as `@emr-re/metrics` serialises them (`micro.f1`, `macro.f1`, `perClass`, ...). */
export type DevMetrics = MetricsJSON;

/** Why a bootstrap run stopped. */
export type StopReason = 'pool-empty' | 'nothing-passed' | 'max-iterations' | 'dev-dropped' | 'aborted';

/** Which dev F1 the drop guard watches. */
export type GuardMetric = 'micro' | 'macro';

/** Options of `runBootstrap` (Algorithm 1 of the paper, with guards against semantic drift). */
export interface BootstrapOptions {
  /** The labelled seed set L. */
  seed: Candidate[];
  /** The unlabelled set U; the candidates' labels are ignored (pass them as `poolGold` to measure drift). */
  pool: Candidate[];
  /** Makes a new, untrained classifier; called once per training (and to load a saved one on resume). */
  createClassifier: () => Promise<RelationClassifier>;
  /** Probability threshold λ: an item is reliable when its top probability is strictly greater. Default 0.7. */
  lambda?: number;
  /** N: at most this many items move into L per iteration. Default 1000. */
  perIteration?: number;
  /** Stop after this many iterations (0 = train on the seed set only). Default: no limit. */
  maxIterations?: number;
  /** Labelled candidates scored after every training; needed by `devDropTolerance`. */
  dev?: Candidate[];
  /** The hidden gold label of each pool item (same order as `pool`), to count wrongly moved labels. */
  poolGold?: readonly string[];
  /** Run directory: every iteration is written there and a killed run resumes from it. */
  outDir?: string;
  /** Continue the run in `outDir` if it holds one (it must have the same seed set, pool, dev set and options). */
  resume?: boolean;
  /** Passed to every `fit` (epochs, seed, early-stopping dev set). */
  fitOptions?: Omit<FitOptions, 'onProgress' | 'signal'>;
  /** Receives `bootstrap` events (one per iteration), `predict` events and the classifier's own fit events. */
  onProgress?: ProgressListener;
  /** Aborts between (and, if the classifier honours it, within) steps; the run stops with `'aborted'`. */
  signal?: AbortSignal;
  /** Per-class caps on the items moved per iteration; default none (the paper's plain top-N). */
  classQuotas?: ClassQuotas;
  /**
   * Stop and roll back the last iteration's items when dev F1 (`guardMetric`) falls by more than this below
   * that of the previous accepted classifier. Default: no guard.
   */
  devDropTolerance?: number;
  /** The F1 the drop guard watches. Default `'macro'`, which reacts to drift in rare classes. */
  guardMetric?: GuardMetric;
  /**
   * Start each iteration's training from the previous classifier's weights (loaded from its saved copy)
   * instead of a new classifier. Default false: the paper retrains from scratch on the enlarged L.
   */
  warmStart?: boolean;
  /**
   * Move items predicted `unknown` with probability > λ into L as negatives. Default true: without them L
   * gains only positive relations, its class balance drifts away from the data's and the classifier learns to
   * over-predict relations; and confident negatives would stay in U forever, so U could never empty.
   * Combine with `classQuotas` to keep the (usually dominant) negatives from flooding L.
   */
  includeUnknown?: boolean;
  /** Pool candidates per `predictProba` call. Default 256. */
  predictBatchSize?: number;
}

/** What one iteration did (also `iteration-K/metrics.json`). */
export interface BootstrapIteration {
  iteration: number;
  /** Items moved from U into L. */
  added: number;
  /** Items left in U after the move. */
  poolLeft: number;
  /** Size of L the iteration's classifier was trained on. */
  labelled: number;
  addedByClass: Record<string, number>;
  /** Moved items whose predicted label differs from `poolGold` (only when `poolGold` was given). */
  wrongAdded?: number;
  /** Dev metrics of the classifier trained in this iteration. */
  dev?: DevMetrics;
  fit: { epochs: number; finalLoss?: number };
  /** True when the drop guard undid this iteration: its items went back to U and its classifier was dropped. */
  rolledBack?: boolean;
}

/** The outcome of `runBootstrap`. */
export interface BootstrapResult {
  iterations: BootstrapIteration[];
  stopReason: StopReason;
  /** Dev metrics of the classifier trained on the seed set alone (iteration 0). */
  seedDev?: DevMetrics;
  /** Final size of L. */
  labelled: number;
  /** Final size of U. */
  poolLeft: number;
  /** The iteration whose classifier is returned (0 = seed only). */
  acceptedIteration: number;
  /** The accepted classifier; the caller owns it and must `dispose()` it. Absent if aborted before the seed training ended. */
  classifier?: RelationClassifier;
}

interface Resolved {
  lambda: number;
  perIteration: number;
  maxIterations: number;
  includeUnknown: boolean;
  warmStart: boolean;
  guardMetric: GuardMetric;
  devDropTolerance?: number;
  predictBatchSize: number;
}

/** Raised inside the loop when the signal fires; never escapes `runBootstrap`. */
class AbortedRun extends Error {}

/**
 * Runs bootstrapping self-training (the paper's Algorithm 1): train a classifier on L, predict U, move the at
 * most N items whose top probability exceeds λ into L with their predicted labels, retrain, score dev, and
 * repeat until U is empty, nothing passes λ, `maxIterations` is reached, dev F1 drops (guard) or the signal
 * aborts. Iteration 0 trains on the seed set alone. With `outDir`, each iteration is committed atomically and
 * `resume` continues a killed run from its last finished iteration.
 */
export async function runBootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const o = resolveOptions(options);
  const { seed, pool, dev, signal, onProgress } = options;
  const poolKeys = uniqueCandidateKeys(pool);
  const seedLabels = seed.map((c) => c.label);
  const fitOptions: FitOptions = { ...options.fitOptions, onProgress, signal };

  let state: RunState<BootstrapIteration, DevMetrics> | undefined;
  if (options.outDir !== undefined) {
    const info = runInfo(options, o, poolKeys);
    state = (await openRunDirectory(options.outDir, info, options.resume === true)) as typeof state;
  }
  const outDir = options.outDir;
  const scratch =
    outDir === undefined && o.warmStart ? await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-bootstrap-')) : undefined;

  // L is the seed set plus the moved pool items in the order they moved; U is the rest of the pool in pool order.
  const movedLabels = new Map<number, MovedItem>();
  let moved: MovedItem[] = [];
  let iterations: BootstrapIteration[] = [];
  let seedDev: DevMetrics | undefined;
  let accepted = 0;
  let nextIteration = 1;
  let current: RelationClassifier | undefined;
  let candidate: RelationClassifier | undefined;
  let stopReason: StopReason | undefined;
  let seedTrained = false;

  const indexOfKey = new Map(poolKeys.map((k, i) => [k, i]));
  const labelledSet = (): Candidate[] => [
    ...seed,
    ...moved.map((m) => ({ ...pool[indexOfKey.get(m.key) as number], label: m.label })),
  ];
  const remaining = (): number[] => pool.map((_, i) => i).filter((i) => !movedLabels.has(i));
  const checkAbort = (): void => {
    if (signal?.aborted) throw new AbortedRun();
  };

  try {
    if (state !== undefined) {
      for (const m of state.moved) {
        const i = indexOfKey.get(m.key);
        if (i === undefined)
          throw new RunDirectoryError(outDir as string, `state.json names pool item ${m.key}, which the pool lacks`);
        movedLabels.set(i, m);
      }
      moved = [...state.moved];
      iterations = state.iterations;
      seedDev = state.seedDev;
      accepted = state.acceptedIteration;
      nextIteration = state.completedIteration + 1;
      current = await options.createClassifier();
      await current.load(iterationClassifierDir(outDir as string, accepted));
      seedTrained = true;
      if (state.stopReason !== undefined && state.stopReason !== 'max-iterations')
        stopReason = state.stopReason as StopReason;
    } else {
      checkAbort();
      current = await options.createClassifier();
      const report = await current.fit(labelledSet(), fitOptions);
      checkAbort();
      seedDev = dev === undefined ? undefined : await scoreDev(current, dev, o, signal);
      state = {
        version: RUN_FORMAT_VERSION,
        completedIteration: 0,
        acceptedIteration: 0,
        moved: [],
        iterations: [],
        seedDev,
      };
      const seedRecord = {
        iteration: 0,
        added: 0,
        poolLeft: pool.length,
        labelled: seed.length,
        addedByClass: {},
        dev: seedDev,
        fit: fitSummary(report),
      };
      if (outDir !== undefined) await commitIteration(outDir, seedRecord, [], current, state);
      seedTrained = true;
      onProgress?.({
        phase: 'bootstrap',
        done: 0,
        total: finiteOrUndefined(o.maxIterations),
        values: devValues(seedDev),
        message: 'seed classifier trained',
      });
    }

    while (stopReason === undefined) {
      checkAbort();
      const unlabelled = remaining();
      if (unlabelled.length === 0) {
        stopReason = 'pool-empty';
        break;
      }
      const k = nextIteration;
      if (k > o.maxIterations) {
        stopReason = 'max-iterations';
        break;
      }
      const rows = await predictAll(
        current,
        unlabelled.map((i) => pool[i]),
        o.predictBatchSize,
        signal,
        onProgress,
      );
      const top = topPredictions(current.labels, rows);
      const limits = classQuotaLimits(options.classQuotas, o.perIteration, seedLabels, current.labels);
      const chosen = selectConfident(top, { ...o, limits });
      if (chosen.length === 0) {
        stopReason = 'nothing-passed';
        break;
      }
      const addedItems: MovedItem[] = chosen.map((c) => ({
        key: poolKeys[unlabelled[c]],
        label: top[c].label,
        probability: top[c].probability,
        iteration: k,
      }));
      const previousMoved = moved;
      moved = [...moved, ...addedItems];
      chosen.forEach((c, j) => movedLabels.set(unlabelled[c], addedItems[j]));
      const train = labelledSet();

      candidate = await options.createClassifier();
      if (o.warmStart) {
        const from =
          outDir !== undefined
            ? iterationClassifierDir(outDir, accepted)
            : path.join(scratch as string, `iteration-${accepted}`);
        if (outDir === undefined) await current.save(from);
        await candidate.load(from);
      }
      checkAbort();
      const report = await candidate.fit(train, fitOptions);
      checkAbort();
      const devMetrics = dev === undefined ? undefined : await scoreDev(candidate, dev, o, signal);
      checkAbort();

      const addedByClass: Record<string, number> = {};
      for (const item of addedItems) addedByClass[item.label] = (addedByClass[item.label] ?? 0) + 1;
      const record: BootstrapIteration = {
        iteration: k,
        added: addedItems.length,
        poolLeft: unlabelled.length - addedItems.length,
        labelled: train.length,
        addedByClass,
        fit: fitSummary(report),
      };
      if (options.poolGold !== undefined) {
        const gold = options.poolGold;
        record.wrongAdded = chosen.filter((c) => gold[unlabelled[c]] !== top[c].label).length;
      }
      if (devMetrics !== undefined) record.dev = devMetrics;
      const previousDev = accepted === 0 ? seedDev : iterations.find((it) => it.iteration === accepted)?.dev;
      const dropped =
        o.devDropTolerance !== undefined &&
        devMetrics !== undefined &&
        previousDev !== undefined &&
        f1Of(devMetrics, o.guardMetric) < f1Of(previousDev, o.guardMetric) - o.devDropTolerance;
      if (dropped) {
        record.rolledBack = true;
        moved = previousMoved;
        for (const c of chosen) movedLabels.delete(unlabelled[c]);
        stopReason = 'dev-dropped';
      }
      iterations = [...iterations, record];
      const nextAccepted = dropped ? accepted : k;
      state = {
        version: RUN_FORMAT_VERSION,
        completedIteration: k,
        acceptedIteration: nextAccepted,
        moved,
        iterations,
        seedDev,
      };
      if (stopReason !== undefined) state.stopReason = stopReason;
      if (outDir !== undefined)
        await commitIteration(outDir, record, addedItems, candidate, state, pool, options.poolGold, indexOfKey);
      if (dropped) {
        candidate.dispose();
      } else {
        current.dispose();
        current = candidate;
        accepted = k;
      }
      candidate = undefined;
      nextIteration = k + 1;
      onProgress?.({
        phase: 'bootstrap',
        done: k,
        total: finiteOrUndefined(o.maxIterations),
        values: { added: record.added, poolLeft: record.poolLeft, labelled: record.labelled, ...devValues(devMetrics) },
        message: dropped ? `dev ${o.guardMetric} F1 dropped; iteration ${k} rolled back` : `iteration ${k}`,
      });
    }
  } catch (err) {
    candidate?.dispose();
    if (!(err instanceof AbortedRun) && !signal?.aborted) {
      current?.dispose();
      throw err;
    }
    stopReason = 'aborted';
    if (!seedTrained) {
      current?.dispose();
      current = undefined;
    }
  } finally {
    if (scratch !== undefined) await fs.rm(scratch, { recursive: true, force: true });
  }

  if (stopReason !== 'aborted' && outDir !== undefined && state !== undefined && current !== undefined) {
    state = { ...state, stopReason };
    await writeFileAtomic(path.join(outDir, 'state.json'), JSON.stringify(state) + '\n');
    // The accepted classifier, where `emr-re evaluate --model RUN/model` finds it (`save` is atomic by contract).
    await current.save(path.join(outDir, 'model'));
  }
  return {
    iterations,
    stopReason: stopReason as StopReason,
    seedDev,
    labelled: seed.length + moved.length,
    poolLeft: pool.length - moved.length,
    acceptedIteration: accepted,
    classifier: current,
  };
}

function resolveOptions(options: BootstrapOptions): Resolved {
  const o: Resolved = {
    lambda: options.lambda ?? 0.7,
    perIteration: options.perIteration ?? 1000,
    maxIterations: options.maxIterations ?? Infinity,
    includeUnknown: options.includeUnknown ?? true,
    warmStart: options.warmStart ?? false,
    guardMetric: options.guardMetric ?? 'macro',
    devDropTolerance: options.devDropTolerance,
    predictBatchSize: options.predictBatchSize ?? 256,
  };
  if (!(o.lambda >= 0 && o.lambda < 1)) throw new BootstrapOptionError('lambda', `${o.lambda} is not in [0, 1)`);
  if (!Number.isInteger(o.perIteration) || o.perIteration < 1) {
    throw new BootstrapOptionError('perIteration', `${o.perIteration} is not a whole number ≥ 1`);
  }
  if (o.maxIterations !== Infinity && (!Number.isInteger(o.maxIterations) || o.maxIterations < 0)) {
    throw new BootstrapOptionError('maxIterations', `${o.maxIterations} is not a whole number ≥ 0`);
  }
  if (!Number.isInteger(o.predictBatchSize) || o.predictBatchSize < 1) {
    throw new BootstrapOptionError('predictBatchSize', `${o.predictBatchSize} is not a whole number ≥ 1`);
  }
  if (o.guardMetric !== 'micro' && o.guardMetric !== 'macro') {
    throw new BootstrapOptionError('guardMetric', `${String(o.guardMetric)} is neither 'micro' nor 'macro'`);
  }
  if (o.devDropTolerance !== undefined) {
    if (!(o.devDropTolerance >= 0))
      throw new BootstrapOptionError('devDropTolerance', `${o.devDropTolerance} is not ≥ 0`);
    if (options.dev === undefined || options.dev.length === 0) {
      throw new BootstrapOptionError('devDropTolerance', 'the drop guard needs a non-empty dev set');
    }
  }
  if (options.seed.length === 0)
    throw new BootstrapOptionError(
      'seed',
      'the seed set is empty; bootstrapping needs labelled examples to start from',
    );
  if (options.poolGold !== undefined && options.poolGold.length !== options.pool.length) {
    throw new BootstrapOptionError(
      'poolGold',
      `has ${options.poolGold.length} labels for ${options.pool.length} pool items`,
    );
  }
  if (options.resume === true && options.outDir === undefined) throw new BootstrapOptionError('resume', 'needs outDir');
  validateClassQuotas(options.classQuotas);
  return o;
}

function runInfo(options: BootstrapOptions, o: Resolved, poolKeys: string[]): RunInfo {
  const labelled = (cs: Candidate[]): string[] => uniqueCandidateKeys(cs).map((k, i) => `${k}=${cs[i].label}`);
  const info: RunInfo = {
    version: RUN_FORMAT_VERSION,
    library: LIBRARY_VERSION,
    options: {
      lambda: o.lambda,
      perIteration: o.perIteration,
      maxIterations: o.maxIterations === Infinity ? null : o.maxIterations,
      includeUnknown: o.includeUnknown,
      warmStart: o.warmStart,
      classQuotas: options.classQuotas ?? null,
      devDropTolerance: o.devDropTolerance ?? null,
      guardMetric: o.guardMetric,
      fitOptions: { epochs: options.fitOptions?.epochs ?? null, seed: options.fitOptions?.seed ?? null },
    },
    seed: { size: options.seed.length, fingerprint: fingerprint(labelled(options.seed)) },
    pool: { size: options.pool.length, fingerprint: fingerprint(poolKeys) },
  };
  if (options.dev !== undefined)
    info.dev = { size: options.dev.length, fingerprint: fingerprint(labelled(options.dev)) };
  return info;
}

/** Writes `iteration-K/` (added.jsonl, metrics.json, classifier/) atomically, then `state.json` (the commit). */
async function commitIteration(
  outDir: string,
  record: BootstrapIteration,
  added: MovedItem[],
  classifier: RelationClassifier,
  state: RunState<BootstrapIteration, DevMetrics>,
  pool?: Candidate[],
  poolGold?: readonly string[],
  indexOfKey?: Map<string, number>,
): Promise<void> {
  // Record ids and offsets only: the run directory must not copy patient text.
  const lines = added.map((m) => {
    const i = indexOfKey?.get(m.key) as number;
    const c = (pool as Candidate[])[i];
    const span = (e: Candidate['head']): object => ({ id: e.id, type: e.type, start: e.start, end: e.end });
    const line: Record<string, unknown> = {
      key: m.key,
      recordId: c.recordId,
      head: span(c.head),
      tail: span(c.tail),
      label: m.label,
      probability: m.probability,
    };
    if (poolGold !== undefined) line.gold = poolGold[i];
    return JSON.stringify(line) + '\n';
  });
  await writeDirAtomic(iterationDir(outDir, record.iteration), async (tmp) => {
    await fs.writeFile(path.join(tmp, 'added.jsonl'), lines.join(''), 'utf8');
    await fs.writeFile(path.join(tmp, 'metrics.json'), JSON.stringify(record, null, 2) + '\n', 'utf8');
    await classifier.save(path.join(tmp, 'classifier'));
  });
  await writeFileAtomic(path.join(outDir, 'state.json'), JSON.stringify(state) + '\n');
}

/** Probability rows for `items`, `batchSize` at a time, checking the signal between batches. */
async function predictAll(
  classifier: RelationClassifier,
  items: Candidate[],
  batchSize: number,
  signal: AbortSignal | undefined,
  onProgress: ProgressListener | undefined,
): Promise<Float32Array[]> {
  const rows: Float32Array[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    if (signal?.aborted) throw new AbortedRun();
    const batch = items.slice(start, start + batchSize);
    const out = await classifier.predictProba(batch);
    if (out.length !== batch.length)
      throw new RangeError(`predictProba returned ${out.length} rows for ${batch.length} candidates`);
    rows.push(...out);
    onProgress?.({ phase: 'predict', done: Math.min(start + batchSize, items.length), total: items.length });
  }
  return rows;
}

/** Dev metrics of a classifier's top predictions (no threshold). */
async function scoreDev(
  classifier: RelationClassifier,
  dev: Candidate[],
  o: Resolved,
  signal: AbortSignal | undefined,
): Promise<DevMetrics> {
  const rows = await predictAll(classifier, dev, o.predictBatchSize, signal, undefined);
  const top = topPredictions(classifier.labels, rows);
  return metricsToJSON(scorePairs(dev.map((c, i) => ({ gold: c.label, pred: top[i].label }))));
}

function f1Of(metrics: DevMetrics, which: GuardMetric): number {
  return metrics[which].f1;
}

function devValues(metrics: DevMetrics | undefined): Record<string, number> {
  return metrics === undefined ? {} : { devMicroF1: f1Of(metrics, 'micro'), devMacroF1: f1Of(metrics, 'macro') };
}

function fitSummary(report: FitReport): { epochs: number; finalLoss?: number } {
  const finalLoss = report.loss.length > 0 ? report.loss[report.loss.length - 1] : undefined;
  return finalLoss === undefined ? { epochs: report.epochs } : { epochs: report.epochs, finalLoss };
}

function finiteOrUndefined(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}
