/** One bin of a reliability diagram: predictions whose confidence fell in `[lower, upper)` (the last bin closed). */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Predictions in the bin. */
  count: number;
  /** Their mean confidence (0 when empty). */
  confidence: number;
  /** The share of them that were right (0 when empty). */
  accuracy: number;
}

/** How well confidences match accuracy: the bins of a reliability diagram and the calibration errors. */
export interface CalibrationReport {
  bins: ReliabilityBin[];
  /** Expected calibration error: Σ (count / n) · |accuracy − confidence| over the bins. */
  ece: number;
  /** Maximum calibration error: the largest |accuracy − confidence| of a non-empty bin. */
  mce: number;
  /** Number of predictions. */
  count: number;
}

/**
 * Reliability of confidences: `confidence[i]` in [0, 1] is the probability a model gave its prediction `i`, and
 * `correct[i]` whether that prediction was right. Equal-width bins (default 10), as in Guo et al. 2017.
 * @example calibrationReport([0.9, 0.6], [true, false], 2) // bins [0, .5) and [.5, 1]: ECE = (|1 − .9| + |0 − .6|) / 2
 * @throws RangeError when the lengths differ, a confidence is outside [0, 1], or `bins` is not a positive integer.
 */
export function calibrationReport(
  confidence: readonly number[],
  correct: readonly boolean[],
  bins = 10,
): CalibrationReport {
  if (confidence.length !== correct.length) {
    throw new RangeError(`calibrationReport: ${confidence.length} confidences for ${correct.length} outcomes`);
  }
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`calibrationReport: bins must be ≥ 1, got ${bins}`);
  const count = new Array<number>(bins).fill(0);
  const sumConfidence = new Array<number>(bins).fill(0);
  const right = new Array<number>(bins).fill(0);
  confidence.forEach((c, i) => {
    if (!(c >= 0 && c <= 1)) throw new RangeError(`calibrationReport: confidence[${i}] = ${c} is not in [0, 1]`);
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b] += 1;
    sumConfidence[b] += c;
    if (correct[i]) right[b] += 1;
  });
  const n = confidence.length;
  let ece = 0;
  let mce = 0;
  const out: ReliabilityBin[] = count.map((k, b) => {
    const meanConfidence = k > 0 ? sumConfidence[b] / k : 0;
    const accuracy = k > 0 ? right[b] / k : 0;
    if (k > 0) {
      const gap = Math.abs(accuracy - meanConfidence);
      ece += (k / n) * gap;
      mce = Math.max(mce, gap);
    }
    return { lower: b / bins, upper: (b + 1) / bins, count: k, confidence: meanConfidence, accuracy };
  });
  return { bins: out, ece, mce, count: n };
}
