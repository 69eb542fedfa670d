import { UNKNOWN_LABEL } from '@emr-re/tokenize';
import { BootstrapOptionError } from './errors';

/**
 * Per-class caps on how many items one iteration may move into the labelled set, so that one frequent class
 * (often `unknown`) cannot flood it. `'proportional'`: each class gets `ceil(N × its share of the seed set)`,
 * and a class absent from the seed set gets none. A record maps a label to a share of N (a number in [0, 1))
 * or to a count (an integer ≥ 1); the key `'*'` sets the cap of every label not listed, otherwise those are
 * uncapped.
 */
export type ClassQuotas = 'proportional' | Record<string, number>;

/** The most probable label of one prediction row. */
export interface TopPrediction {
  label: string;
  probability: number;
}

/** What `selectConfident` needs besides the predictions. */
export interface SelectionRule {
  /** Only items whose top probability is strictly greater than this are reliable (the paper's λ). */
  lambda: number;
  /** At most this many items are chosen (the paper's N). */
  perIteration: number;
  /** Whether items whose top label is `unknown` may be chosen (as negatives). */
  includeUnknown: boolean;
  /** Per-label caps from `classQuotaLimits`; a label not in the map is uncapped. */
  limits?: ReadonlyMap<string, number>;
  /**
   * Per-label minimum probabilities from `calibrateThresholds`: an item also needs probability ≥ its label's
   * threshold (`Infinity` = never). A label not in the map has no threshold beyond λ.
   */
  thresholds?: ReadonlyMap<string, number>;
  /**
   * A second classifier's top predictions for the same items (agreement, co-training style): an item passes
   * only when the partner predicts the same label with probability > λ and ≥ `partnerThresholds`. Items then
   * rank by the lower of the two probabilities.
   */
  partner?: readonly TopPrediction[];
  /** Per-label minimum probabilities of the partner, as `thresholds`. */
  partnerThresholds?: ReadonlyMap<string, number>;
}

/** How per-class thresholds are calibrated on held-out labelled data (`calibrateThresholds`). */
export interface ThresholdCalibration {
  /** The precision, in (0, 1], that the items moved as each class should reach on the held-out data, e.g. 0.9. */
  targetPrecision: number;
  /**
   * Held-out items a threshold must keep (predicted as the class, probability ≥ the threshold) before its
   * precision is trusted; fewer mean "never". Default 5: a precision measured on one or two items says little.
   */
  minSupport?: number;
}

/** The top label and its probability for each probability row; ties go to the earlier label. */
export function topPredictions(labels: readonly string[], rows: readonly Float32Array[]): TopPrediction[] {
  return rows.map((row, r) => {
    if (row.length !== labels.length) {
      throw new RangeError(`probability row ${r} has ${row.length} values for ${labels.length} labels`);
    }
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
    return { label: labels[best], probability: row[best] };
  });
}

/** Checks a quota record: shares in [0, 1), counts integers ≥ 1. */
export function validateClassQuotas(quotas: ClassQuotas | undefined): void {
  if (quotas === undefined || quotas === 'proportional') return;
  if (typeof quotas !== 'object' || quotas === null) {
    throw new BootstrapOptionError('classQuotas', `expected 'proportional' or an object of label → share or count`);
  }
  for (const [label, value] of Object.entries(quotas)) {
    const share = typeof value === 'number' && value >= 0 && value < 1;
    const count = typeof value === 'number' && Number.isInteger(value) && value >= 1;
    if (!share && !count) {
      throw new BootstrapOptionError(
        `classQuotas.${label}`,
        `${String(value)} is neither a share in [0, 1) nor a whole count ≥ 1`,
      );
    }
  }
}

/**
 * Turns `ClassQuotas` into a per-label cap for one iteration of `perIteration` items. `seedLabels` are the
 * labels of the seed set (for `'proportional'`); `labels` are the classifier's labels.
 */
export function classQuotaLimits(
  quotas: ClassQuotas | undefined,
  perIteration: number,
  seedLabels: readonly string[],
  labels: readonly string[],
): Map<string, number> | undefined {
  if (quotas === undefined) return undefined;
  const limits = new Map<string, number>();
  if (quotas === 'proportional') {
    const counts = new Map<string, number>();
    for (const label of seedLabels) counts.set(label, (counts.get(label) ?? 0) + 1);
    for (const label of labels) {
      limits.set(label, Math.ceil((perIteration * (counts.get(label) ?? 0)) / Math.max(1, seedLabels.length)));
    }
    return limits;
  }
  const cap = (value: number): number => (value < 1 ? Math.ceil(perIteration * value) : value);
  const fallback = quotas['*'];
  for (const label of labels) {
    const value = Object.prototype.hasOwnProperty.call(quotas, label) ? quotas[label] : fallback;
    if (value !== undefined) limits.set(label, cap(value));
  }
  return limits;
}

/** Checks calibration settings: target precision in (0, 1], `minSupport` a whole number ≥ 1. */
export function validateCalibration(calibration: ThresholdCalibration | undefined): void {
  if (calibration === undefined) return;
  const { targetPrecision, minSupport } = calibration;
  if (!(typeof targetPrecision === 'number' && targetPrecision > 0 && targetPrecision <= 1)) {
    throw new BootstrapOptionError('calibration.targetPrecision', `${String(targetPrecision)} is not in (0, 1]`);
  }
  if (minSupport !== undefined && !(Number.isInteger(minSupport) && minSupport >= 1)) {
    throw new BootstrapOptionError('calibration.minSupport', `${String(minSupport)} is not a whole number ≥ 1`);
  }
}

/**
 * Per-class probability thresholds calibrated on held-out labelled items: for each label, among the items
 * whose top label it is, the lowest probability `t` such that the items predicted as it with probability ≥ `t`
 * number at least `minSupport` and have precision (gold = predicted) ≥ `targetPrecision`. A label for which no
 * `t` qualifies gets `Infinity` ("never"). `t` is always one of the held-out probabilities, so pool items are
 * never trusted below the least confident held-out evidence. `gold[i]` is the label of `predictions[i]`.
 */
export function calibrateThresholds(
  labels: readonly string[],
  predictions: readonly TopPrediction[],
  gold: readonly string[],
  calibration: ThresholdCalibration,
): Map<string, number> {
  if (gold.length !== predictions.length) {
    throw new RangeError(`${gold.length} gold labels for ${predictions.length} held-out predictions`);
  }
  const minSupport = calibration.minSupport ?? 5;
  const thresholds = new Map<string, number>();
  for (const label of labels) {
    const probabilities: number[] = [];
    const correct: boolean[] = [];
    predictions.forEach((p, i) => {
      if (p.label !== label) return;
      probabilities.push(p.probability);
      correct.push(gold[i] === label);
    });
    const order = probabilities.map((_, i) => i).sort((a, b) => probabilities[b] - probabilities[a]);
    let threshold = Infinity;
    let kept = 0;
    let right = 0;
    for (let r = 0; r < order.length; r++) {
      kept++;
      if (correct[order[r]]) right++;
      const v = probabilities[order[r]];
      // Items tied at v are all kept by "probability ≥ v": judge only at the end of a tie group.
      if (r + 1 < order.length && probabilities[order[r + 1]] === v) continue;
      if (kept >= minSupport && right / kept >= calibration.targetPrecision) threshold = v;
    }
    thresholds.set(label, threshold);
  }
  return thresholds;
}

/**
 * Algorithm 1's choice of reliable items: the indices of at most `perIteration` predictions whose probability
 * exceeds λ (and reaches the label's calibrated threshold, if any), most probable first (ties by index, so the
 * choice is deterministic), skipping an item whose label has used up its cap or is `unknown` when unknowns
 * are excluded. With `partner`, an item must also pass the partner's rule with the same label, and ranks by
 * the lower of its two probabilities.
 */
export function selectConfident(predictions: readonly TopPrediction[], rule: SelectionRule): number[] {
  const { partner } = rule;
  const passing = passingItems(predictions, rule);
  const confidence = (i: number): number =>
    partner === undefined ? predictions[i].probability : Math.min(predictions[i].probability, partner[i].probability);
  passing.sort((a, b) => confidence(b) - confidence(a) || a - b);
  const chosen: number[] = [];
  const used = new Map<string, number>();
  for (const i of passing) {
    if (chosen.length >= rule.perIteration) break;
    const label = predictions[i].label;
    const limit = rule.limits?.get(label) ?? Infinity;
    const n = used.get(label) ?? 0;
    if (n >= limit) continue;
    used.set(label, n + 1);
    chosen.push(i);
  }
  return chosen;
}

/**
 * The indices of the items that pass `rule` (λ, thresholds, `includeUnknown`, the partner's agreement),
 * in index order, before the per-iteration limit N and the class caps.
 */
export function passingItems(predictions: readonly TopPrediction[], rule: SelectionRule): number[] {
  const { partner } = rule;
  if (partner !== undefined && partner.length !== predictions.length) {
    throw new RangeError(`${partner.length} partner predictions for ${predictions.length} items`);
  }
  const reaches = (p: TopPrediction, thresholds: ReadonlyMap<string, number> | undefined): boolean =>
    p.probability > rule.lambda && p.probability >= (thresholds?.get(p.label) ?? -Infinity);
  const passing: number[] = [];
  predictions.forEach((p, i) => {
    if (!reaches(p, rule.thresholds) || (!rule.includeUnknown && p.label === UNKNOWN_LABEL)) return;
    if (partner !== undefined && (partner[i].label !== p.label || !reaches(partner[i], rule.partnerThresholds))) return;
    passing.push(i);
  });
  return passing;
}
