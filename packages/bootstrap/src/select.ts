import { UNKNOWN_LABEL } from '@emr-re/tokenize';
import type { TopPrediction } from './top-predictions';

// The selection step reads quotas, calibrated thresholds and top predictions; its callers find them all here.
export { topPredictions } from './top-predictions';
export type { TopPrediction } from './top-predictions';
export { classQuotaLimits, validateClassQuotas } from './quotas';
export type { ClassQuotas } from './quotas';
export { calibrateThresholds, validateCalibration } from './calibration';
export type { ThresholdCalibration } from './calibration';

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

/** One iteration's selection: the items chosen and how many passed the rule (the iteration record's counts). */
export interface IterationSelection {
  /** Indices of the chosen predictions, in the order they move (`selectConfident`). */
  chosen: number[];
  /** Items that passed the whole rule, before N and the class caps. */
  passed: number;
  /** With a partner: items that passed the first classifier's rule alone. */
  passedAlone?: number;
}

/** Chooses one iteration's items by `rule` and counts those that passed it, with and without the partner. */
export function selectForIteration(predictions: readonly TopPrediction[], rule: SelectionRule): IterationSelection {
  const selection: IterationSelection = {
    chosen: selectConfident(predictions, rule),
    passed: passingItems(predictions, rule).length,
  };
  if (rule.partner !== undefined) {
    selection.passedAlone = passingItems(predictions, { ...rule, partner: undefined }).length;
  }
  return selection;
}
