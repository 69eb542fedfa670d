import { calibrationReport } from '@emr-re/metrics';
import type { CalibrationReport } from '@emr-re/metrics';

/*
 * Temperature scaling (Guo et al. 2017) on probability rows: p_T ∝ p^(1/T), the same as dividing the logits by T.
 * Labels a row gives probability 0 (not allowed for the pair) stay 0, so restricted rows stay restricted.
 */

const FLOOR = 1e-30;

/** `row` at temperature `t` (> 0): each non-zero entry raised to 1/t and the row renormalised; argmax unchanged. */
export function applyTemperature(row: ArrayLike<number>, t: number): Float32Array {
  if (!(t > 0) || !Number.isFinite(t)) throw new RangeError(`applyTemperature: temperature must be > 0, got ${t}`);
  const beta = 1 / t;
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > 0) max = Math.max(max, Math.log(row[i]));
  const out = new Float32Array(row.length);
  if (max === -Infinity) return out;
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] > 0) {
      out[i] = Math.exp(beta * (Math.log(Math.max(row[i], FLOOR)) - max));
      sum += out[i];
    }
  }
  for (let i = 0; i < row.length; i++) out[i] /= sum;
  return out;
}

/** Mean negative log-likelihood of the gold labels under `rows` at inverse temperature `beta`. */
function meanNll(rows: readonly ArrayLike<number>[], gold: readonly number[], beta: number): number {
  let total = 0;
  rows.forEach((row, r) => {
    let max = -Infinity;
    for (let i = 0; i < row.length; i++) if (row[i] > 0) max = Math.max(max, beta * Math.log(row[i]));
    let sum = 0;
    for (let i = 0; i < row.length; i++) if (row[i] > 0) sum += Math.exp(beta * Math.log(row[i]) - max);
    const p = row[gold[r]];
    total += max + Math.log(sum) - beta * Math.log(Math.max(p, FLOOR));
  });
  return total / rows.length;
}

/**
 * The temperature that minimises the mean negative log-likelihood of `gold` (label indices) under `rows` (probability
 * rows, e.g. a dev set's `predictProba`): golden-section search on the inverse temperature in [1/20, 20], where the
 * objective is convex. T > 1 softens an over-confident model, T < 1 sharpens an under-confident one.
 * @example const t = fitTemperature(await model.predictProba(dev), dev.map((c) => labels.indexOf(c.label)));
 * @throws RangeError when the lengths differ, there are no rows, or a gold index is outside a row.
 */
export function fitTemperature(rows: readonly ArrayLike<number>[], gold: readonly number[]): number {
  if (rows.length === 0 || rows.length !== gold.length) {
    throw new RangeError(`fitTemperature: ${rows.length} rows for ${gold.length} gold labels`);
  }
  gold.forEach((g, i) => {
    if (!Number.isInteger(g) || g < 0 || g >= rows[i].length) throw new RangeError(`fitTemperature: gold[${i}] = ${g}`);
  });
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(1 / 20);
  let hi = Math.log(20);
  const f = (logBeta: number): number => meanNll(rows, gold, Math.exp(logBeta));
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let k = 0; k < 60 && hi - lo > 1e-6; k++) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = f(b);
    }
  }
  return 1 / Math.exp((lo + hi) / 2);
}

/** How calibrated a set of probability rows is against gold label indices. */
export interface CalibrationSummary {
  /** Expected calibration error of the top label's score (10 equal-width bins). */
  ece: number;
  /** Mean negative log-likelihood of the gold labels. */
  nll: number;
  /** The reliability bins behind `ece`. */
  bins: CalibrationReport['bins'];
}

/** What `RelationModel.calibrate` fitted and how much it helped. */
export interface CalibrationFit {
  temperature: number;
  candidates: number;
  before: CalibrationSummary;
  after: CalibrationSummary;
}

/** ECE, reliability bins and NLL of `rows` against `gold`. */
export function calibrationOf(rows: readonly ArrayLike<number>[], gold: readonly number[]): CalibrationSummary {
  const top = rows.map((row) => {
    let best = 0;
    for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
    return best;
  });
  const report = calibrationReport(
    rows.map((row, i) => Math.min(1, Math.max(0, row[top[i]]))),
    top.map((k, i) => k === gold[i]),
    10,
  );
  return { ece: report.ece, nll: meanNll(rows, gold, 1), bins: report.bins };
}
