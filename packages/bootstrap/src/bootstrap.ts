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
  iterationPartnerDir,
  LIBRARY_VERSION,
  MovedItem,
  openRunDirectory,
  RUN_FORMAT_VERSION,
  RunInfo,
  RunState,
  writeDirAtomic,
  writeFileAtomic,
} from './run-dir';
import {
  calibrateThresholds,
  ClassQuotas,
  classQuotaLimits,
  passingItems,
  selectConfident,
  SelectionRule,
  ThresholdCalibration,
  TopPrediction,
  topPredictions,
  validateCalibration,
  validateClassQuotas,
} from './select';

/** Dev-set metrics as `@emr-re/metrics` serialises them (`micro.f1`, `macro.f1`, `perClass`, ...). */
export type DevMetrics = MetricsJSON;

/** Why a bootstrap run stopped. */
export type StopReason = 'pool-empty' | 'nothing-passed' | 'max-iterations' | 'dev-dropped' | 'aborted';

/** Which dev F1 the drop guard watches. */
export type GuardMetric = 'micro' | 'macro';

/** A second classifier that must agree with the first before an item moves (`BootstrapOptions.agreement`). */
export interface AgreementPartner {
  /** Names the partner in `run.json` (e.g. its architecture), so that a resume with another one is refused. */
  name: string;
  /** Makes a new, untrained partner; called once per training (and to load a saved one on resume). */
  createClassifier: () => Promise<RelationClassifier>;
}

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
  /**
   * Per-class thresholds, calibrated every iteration with the current classifier on held-out labelled data
   * (`calibrationSet`, default `dev`): a class moves only items at or above the lowest probability at which
   * its held-out precision reaches `targetPrecision`, and none when no probability does. λ still applies as a
   * floor (set it to 0 to rely on the thresholds alone). Default: none, λ alone as in the paper.
   */
  calibration?: ThresholdCalibration;
  /** Held-out labelled candidates for `calibration`; default `dev`. They must not be in the seed set. */
  calibrationSet?: Candidate[];
  /**
   * Agreement (co-training style): a second classifier, ideally of another architecture, trained on the same L
   * at every iteration; an item moves only when both predict the same label and both pass λ and their own
   * calibrated thresholds. Default: none.
   */
  agreement?: AgreementPartner;
  /**
   * Loss weight of the moved items when L is trained on: a number in (0, 1], or `'probability'` for each item's
   * top probability when it moved, so that pseudo-labels count less than gold ones and the least sure least.
   * Seed items weigh 1. Passed to `fit` as `exampleWeights` (the classifier must support them). Default 1, the
   * paper (every item of L counts the same).
   */
  pseudoLabelWeight?: PseudoLabelWeight;
}

/** How much a moved (pseudo-labelled) item weighs in training: a fixed weight or its probability. */
export type PseudoLabelWeight = number | 'probability';

/** A fit's report in short (`BootstrapIteration.fit`). */
export interface FitSummary {
  /** Epochs run. */
  epochs: number;
  /** Training loss of the last epoch. */
  finalLoss?: number;
  /** With early stopping on a dev set: the epoch whose weights were kept. */
  bestEpoch?: number;
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
  /** The fit's report in short: epochs run, last training loss, and the restored best dev epoch (early stopping). */
  fit: FitSummary;
  /** True when the drop guard undid this iteration: its items went back to U and its classifier was dropped. */
  rolledBack?: boolean;
  /**
   * Pool items that passed the selection rule (λ, thresholds, agreement), before N and the class quotas
   * (absent in run directories written by 0.1).
   */
  passed?: number;
  /** With `agreement`: pool items that passed the first classifier's rule alone. */
  passedAlone?: number;
  /** With `calibration`: the per-class thresholds the items were chosen with (`null` = never). */
  thresholds?: Record<string, number | null>;
  /** With `calibration` and `agreement`: the partner's thresholds. */
  partnerThresholds?: Record<string, number | null>;
  /** With `agreement`: dev metrics of the partner trained in this iteration. */
  partnerDev?: DevMetrics;
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
  /** With `agreement`: dev metrics of the partner trained on the seed set alone. */
  seedPartnerDev?: DevMetrics;
  /** With `agreement`: the accepted iteration's partner; the caller owns it and must `dispose()` it. */
  partner?: RelationClassifier;
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
  pseudoLabelWeight: PseudoLabelWeight;
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
  const { seed, pool, dev, signal, onProgress, agreement } = options;
  const calibrationSet = options.calibrationSet ?? dev;
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
  let seedPartnerDev: DevMetrics | undefined;
  let accepted = 0;
  let nextIteration = 1;
  // The accepted classifier (and partner) and the ones being trained in the current iteration.
  let current: RelationClassifier | undefined;
  let partner: RelationClassifier | undefined;
  let candidate: RelationClassifier | undefined;
  let partnerCandidate: RelationClassifier | undefined;
  let stopReason: StopReason | undefined;
  let seedTrained = false;

  const indexOfKey = new Map(poolKeys.map((k, i) => [k, i]));
  const labelledSet = (): Candidate[] => [
    ...seed,
    ...moved.map((m) => ({ ...pool[indexOfKey.get(m.key) as number], label: m.label })),
  ];
  // The fit options of L: with pseudo-label weights, seed items weigh 1 and moved items their weight (L's order).
  const fitOptionsOfL = (): FitOptions => {
    const w = o.pseudoLabelWeight;
    if (w === 1) return fitOptions;
    const exampleWeights = [...seed.map(() => 1), ...moved.map((m) => (w === 'probability' ? m.probability : w))];
    return { ...fitOptions, exampleWeights };
  };
  const remaining = (): number[] => pool.map((_, i) => i).filter((i) => !movedLabels.has(i));
  const checkAbort = (): void => {
    if (signal?.aborted) throw new AbortedRun();
  };
  const score = async (classifier: RelationClassifier | undefined): Promise<DevMetrics | undefined> =>
    classifier === undefined || dev === undefined ? undefined : scoreDev(classifier, dev, o, signal);
  const calibrate = async (classifier: RelationClassifier | undefined): Promise<Map<string, number> | undefined> => {
    if (classifier === undefined || options.calibration === undefined) return undefined;
    const held = calibrationSet as Candidate[];
    const top = topPredictions(classifier.labels, await predictAll(classifier, held, o.predictBatchSize, signal));
    return calibrateThresholds(
      classifier.labels,
      top,
      held.map((c) => c.label),
      options.calibration,
    );
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
      seedPartnerDev = state.seedPartnerDev;
      accepted = state.acceptedIteration;
      nextIteration = state.completedIteration + 1;
      current = await options.createClassifier();
      await current.load(iterationClassifierDir(outDir as string, accepted));
      if (agreement !== undefined) {
        partner = await agreement.createClassifier();
        await partner.load(iterationPartnerDir(outDir as string, accepted));
      }
      seedTrained = true;
      if (state.stopReason !== undefined && state.stopReason !== 'max-iterations')
        stopReason = state.stopReason as StopReason;
    } else {
      checkAbort();
      current = await options.createClassifier();
      const report = await current.fit(labelledSet(), fitOptionsOfL());
      checkAbort();
      if (agreement !== undefined) {
        partner = await agreement.createClassifier();
        await partner.fit(labelledSet(), fitOptionsOfL());
        checkAbort();
      }
      seedDev = await score(current);
      seedPartnerDev = await score(partner);
      state = {
        version: RUN_FORMAT_VERSION,
        completedIteration: 0,
        acceptedIteration: 0,
        moved: [],
        iterations: [],
        seedDev,
      };
      if (seedPartnerDev !== undefined) state.seedPartnerDev = seedPartnerDev;
      const seedRecord: Record<string, unknown> & { iteration: number } = {
        iteration: 0,
        added: 0,
        poolLeft: pool.length,
        labelled: seed.length,
        addedByClass: {},
        dev: seedDev,
        fit: fitSummary(report),
      };
      if (seedPartnerDev !== undefined) seedRecord.partnerDev = seedPartnerDev;
      if (outDir !== undefined) await commitIteration(outDir, seedRecord, [], current, partner, state);
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
      const items = unlabelled.map((i) => pool[i]);
      const top = topPredictions(
        current.labels,
        await predictAll(current, items, o.predictBatchSize, signal, onProgress),
      );
      let partnerTop: TopPrediction[] | undefined;
      if (partner !== undefined) {
        partnerTop = topPredictions(
          partner.labels,
          await predictAll(partner, items, o.predictBatchSize, signal, onProgress),
        );
      }
      const thresholds = await calibrate(current);
      const partnerThresholds = await calibrate(partner);
      const rule: SelectionRule = {
        ...o,
        limits: classQuotaLimits(options.classQuotas, o.perIteration, seedLabels, current.labels),
        thresholds,
        partner: partnerTop,
        partnerThresholds,
      };
      const chosen = selectConfident(top, rule);
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
      if (agreement !== undefined) partnerCandidate = await agreement.createClassifier();
      if (o.warmStart) {
        await warmStartFrom(candidate, current, outDir, scratch, accepted, 'classifier');
        if (partnerCandidate !== undefined)
          await warmStartFrom(partnerCandidate, partner as RelationClassifier, outDir, scratch, accepted, 'partner');
      }
      checkAbort();
      const report = await candidate.fit(train, fitOptionsOfL());
      checkAbort();
      if (partnerCandidate !== undefined) {
        await partnerCandidate.fit(train, fitOptionsOfL());
        checkAbort();
      }
      const devMetrics = await score(candidate);
      const partnerDevMetrics = await score(partnerCandidate);
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
        passed: passingItems(top, rule).length,
      };
      if (partnerTop !== undefined) record.passedAlone = passingItems(top, { ...rule, partner: undefined }).length;
      if (thresholds !== undefined) record.thresholds = thresholdRecord(thresholds);
      if (partnerThresholds !== undefined) record.partnerThresholds = thresholdRecord(partnerThresholds);
      if (options.poolGold !== undefined) {
        const gold = options.poolGold;
        record.wrongAdded = chosen.filter((c) => gold[unlabelled[c]] !== top[c].label).length;
      }
      if (devMetrics !== undefined) record.dev = devMetrics;
      if (partnerDevMetrics !== undefined) record.partnerDev = partnerDevMetrics;
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
      if (seedPartnerDev !== undefined) state.seedPartnerDev = seedPartnerDev;
      if (stopReason !== undefined) state.stopReason = stopReason;
      if (outDir !== undefined) {
        await commitIteration(
          outDir,
          record,
          addedItems,
          candidate,
          partnerCandidate,
          state,
          pool,
          options.poolGold,
          indexOfKey,
        );
      }
      if (dropped) {
        candidate.dispose();
        partnerCandidate?.dispose();
      } else {
        current.dispose();
        partner?.dispose();
        current = candidate;
        partner = partnerCandidate;
        accepted = k;
      }
      candidate = undefined;
      partnerCandidate = undefined;
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
    partnerCandidate?.dispose();
    if (!(err instanceof AbortedRun) && !signal?.aborted) {
      current?.dispose();
      partner?.dispose();
      throw err;
    }
    stopReason = 'aborted';
    if (!seedTrained) {
      current?.dispose();
      partner?.dispose();
      current = undefined;
      partner = undefined;
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
  const result: BootstrapResult = {
    iterations,
    stopReason: stopReason as StopReason,
    seedDev,
    labelled: seed.length + moved.length,
    poolLeft: pool.length - moved.length,
    acceptedIteration: accepted,
    classifier: current,
  };
  if (agreement !== undefined) {
    result.seedPartnerDev = seedPartnerDev;
    result.partner = partner;
  }
  return result;
}

/**
 * Loads `into` with the weights of the accepted iteration's classifier (`which` = its `classifier/` or
 * `partner/`), saving `from` to the scratch directory first when the run has no run directory.
 */
async function warmStartFrom(
  into: RelationClassifier,
  from: RelationClassifier,
  outDir: string | undefined,
  scratch: string | undefined,
  accepted: number,
  which: 'classifier' | 'partner',
): Promise<void> {
  if (outDir !== undefined) {
    await into.load(path.join(iterationDir(outDir, accepted), which));
    return;
  }
  const dir = path.join(scratch as string, `iteration-${accepted}-${which}`);
  await from.save(dir);
  await into.load(dir);
}

/** Thresholds as JSON: `Infinity` ("never") becomes `null`. */
function thresholdRecord(thresholds: Map<string, number>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [label, t] of thresholds) out[label] = Number.isFinite(t) ? t : null;
  return out;
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
    pseudoLabelWeight: options.pseudoLabelWeight ?? 1,
  };
  const w = o.pseudoLabelWeight;
  if (w !== 'probability' && !(typeof w === 'number' && w > 0 && w <= 1)) {
    throw new BootstrapOptionError('pseudoLabelWeight', `${String(w)} is neither a number in (0, 1] nor 'probability'`);
  }
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
  validateCalibration(options.calibration);
  if (options.calibration !== undefined && (options.calibrationSet ?? options.dev ?? []).length === 0) {
    throw new BootstrapOptionError('calibration', 'needs a non-empty calibrationSet or dev set of labelled candidates');
  }
  if (options.calibrationSet !== undefined && options.calibration === undefined) {
    throw new BootstrapOptionError('calibrationSet', 'is only used with calibration');
  }
  const { agreement } = options;
  if (agreement !== undefined) {
    if (typeof agreement.name !== 'string' || agreement.name === '')
      throw new BootstrapOptionError('agreement.name', 'must name the partner classifier');
    if (typeof agreement.createClassifier !== 'function')
      throw new BootstrapOptionError('agreement.createClassifier', 'must be a function returning a classifier');
  }
  return o;
}

function runInfo(options: BootstrapOptions, o: Resolved, poolKeys: string[]): RunInfo {
  const labelled = (cs: Candidate[]): string[] => uniqueCandidateKeys(cs).map((k, i) => `${k}=${cs[i].label}`);
  const { calibration } = options;
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
      calibration:
        calibration === undefined
          ? null
          : { targetPrecision: calibration.targetPrecision, minSupport: calibration.minSupport ?? 5 },
      agreement: options.agreement?.name ?? null,
      // Only when set, so that run directories made before the option still resume.
      ...(o.pseudoLabelWeight === 1 ? {} : { pseudoLabelWeight: o.pseudoLabelWeight }),
    },
    seed: { size: options.seed.length, fingerprint: fingerprint(labelled(options.seed)) },
    pool: { size: options.pool.length, fingerprint: fingerprint(poolKeys) },
  };
  if (options.dev !== undefined)
    info.dev = { size: options.dev.length, fingerprint: fingerprint(labelled(options.dev)) };
  if (options.calibrationSet !== undefined) {
    info.calibration = {
      size: options.calibrationSet.length,
      fingerprint: fingerprint(labelled(options.calibrationSet)),
    };
  }
  return info;
}

/**
 * Writes `iteration-K/` (added.jsonl, metrics.json, classifier/, partner/ with agreement) atomically, then
 * `state.json` (the commit).
 */
async function commitIteration(
  outDir: string,
  record: object & { iteration: number },
  added: MovedItem[],
  classifier: RelationClassifier,
  partner: RelationClassifier | undefined,
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
    if (partner !== undefined) await partner.save(path.join(tmp, 'partner'));
  });
  await writeFileAtomic(path.join(outDir, 'state.json'), JSON.stringify(state) + '\n');
}

/** Probability rows for `items`, `batchSize` at a time, checking the signal between batches. */
async function predictAll(
  classifier: RelationClassifier,
  items: Candidate[],
  batchSize: number,
  signal: AbortSignal | undefined,
  onProgress?: ProgressListener,
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

function fitSummary(report: FitReport): FitSummary {
  const summary: FitSummary = { epochs: report.epochs };
  if (report.loss.length > 0) summary.finalLoss = report.loss[report.loss.length - 1];
  if (report.bestEpoch !== undefined) summary.bestEpoch = report.bestEpoch;
  return summary;
}

function finiteOrUndefined(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}
