import type { Candidate, FitOptions, ProgressListener, RelationClassifier } from '@emr-re/tokenize';
import { throwIfAborted } from './aborted-run';
import type { ClassifierPair, PairFactories, Paired } from './agreement';
import type { KeyedPool } from './labelled-set';
import type { BootstrapOptions, ResolvedOptions } from './options';
import { calibrateOn, DevMetrics, predictTop, scoreDev } from './predict';
import { classQuotaLimits } from './quotas';
import type { MovedItem } from './run-dir';
import type { SelectionRule } from './select';
import type { TopPrediction } from './top-predictions';
import { WarmStartSource, warmStartPair } from './warm-start';
import { weightedFitOptions } from './weighting';

/** What the loop reads and never changes: the data, the settings, and the questions it asks classifiers. */
export interface RunContext {
  seed: Candidate[];
  pool: KeyedPool;
  settings: ResolvedOptions;
  factories: PairFactories;
  outDir?: string;
  poolGold?: readonly string[];
  onProgress?: ProgressListener;
  /** With `warmStart`: loads a new pair with the weights of `accepted`, the pair accepted in iteration `k`. */
  warmStartFrom: (accepted: ClassifierPair, k: number) => ((into: ClassifierPair) => Promise<void>) | undefined;
  /** Throws `AbortedRun` once the signal has fired. */
  checkAbort: () => void;
  /** The fit options for L = seed + `moved` (with pseudo-label weights). */
  fitOptionsFor: (moved: readonly MovedItem[]) => FitOptions;
  /** The top predictions for pool items (reporting `predict` progress). */
  predictPool: (classifier: RelationClassifier, items: Candidate[]) => Promise<TopPrediction[]>;
  /** Per-class thresholds calibrated on the held-out set; none without `calibration`. */
  calibrate: (classifier: RelationClassifier) => Promise<Map<string, number> | undefined>;
  /** Dev metrics; none without a dev set (or classifier). */
  score: (classifier: RelationClassifier | undefined) => Promise<DevMetrics | undefined>;
  /** The rule that chooses the items the accepted pair (with `labels`) moves. */
  selectionRule: (
    labels: readonly string[],
    partnerTop: readonly TopPrediction[] | undefined,
    thresholds: Paired<Map<string, number> | undefined>,
  ) => SelectionRule;
}

/** The context of a run of `options` (resolved as `settings`) over `pool`. */
export function runContext(
  options: BootstrapOptions,
  settings: ResolvedOptions,
  pool: KeyedPool,
  warmStart: WarmStartSource | undefined,
): RunContext {
  const { seed, dev, signal, onProgress, calibration } = options;
  const heldOut = (options.calibrationSet ?? dev) as Candidate[];
  const seedLabels = seed.map((c) => c.label);
  const fitOptions: FitOptions = { ...options.fitOptions, onProgress, signal };
  const batching = { batchSize: settings.predictBatchSize, signal };
  return {
    seed,
    pool,
    settings,
    factories: { createClassifier: options.createClassifier, agreement: options.agreement },
    outDir: options.outDir,
    poolGold: options.poolGold,
    onProgress,
    warmStartFrom: (accepted, k) =>
      warmStart === undefined ? undefined : (into) => warmStartPair(into, accepted, warmStart, k),
    checkAbort: () => throwIfAborted(signal),
    fitOptionsFor: (moved) => weightedFitOptions(fitOptions, seed.length, moved, settings.pseudoLabelWeight),
    predictPool: (classifier, items) => predictTop(classifier, items, { ...batching, onProgress }),
    calibrate: async (classifier) =>
      calibration === undefined ? undefined : calibrateOn(classifier, heldOut, calibration, batching),
    score: async (classifier) =>
      classifier === undefined || dev === undefined ? undefined : scoreDev(classifier, dev, batching),
    selectionRule: (labels, partnerTop, thresholds) => ({
      lambda: settings.lambda,
      perIteration: settings.perIteration,
      includeUnknown: settings.includeUnknown,
      limits: classQuotaLimits(options.classQuotas, settings.perIteration, seedLabels, labels),
      thresholds: thresholds.classifier,
      partner: partnerTop,
      partnerThresholds: thresholds.partner,
    }),
  };
}
