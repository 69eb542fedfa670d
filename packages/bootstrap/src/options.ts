import type { Candidate, FitOptions, ProgressListener, RelationClassifier } from '@emr-re/tokenize';
import { AgreementPartner, validateAgreement } from './agreement';
import { ThresholdCalibration, validateCalibration } from './calibration';
import type { GuardMetric } from './drop-guard';
import { BootstrapOptionError } from './errors';
import { ClassQuotas, validateClassQuotas } from './quotas';
import { PseudoLabelWeight, validatePseudoLabelWeight } from './weighting';

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

/** The options `runBootstrap` reads with their defaults filled in (`resolveOptions`). */
export interface ResolvedOptions {
  lambda: number;
  perIteration: number;
  /** `Infinity` when unlimited. */
  maxIterations: number;
  includeUnknown: boolean;
  warmStart: boolean;
  guardMetric: GuardMetric;
  devDropTolerance?: number;
  predictBatchSize: number;
  pseudoLabelWeight: PseudoLabelWeight;
}

/**
 * Fills in the defaults and checks every option, throwing `BootstrapOptionError` (naming the option) for the
 * first one that is out of range or does not go with the others.
 */
export function resolveOptions(options: BootstrapOptions): ResolvedOptions {
  const o: ResolvedOptions = {
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
  validatePseudoLabelWeight(o.pseudoLabelWeight);
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
  validateAgreement(options.agreement);
  return o;
}
