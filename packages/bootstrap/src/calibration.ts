import { BootstrapOptionError } from './errors';
import type { TopPrediction } from './top-predictions';

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
