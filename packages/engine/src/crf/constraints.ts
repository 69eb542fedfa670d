/**
 * Allowed tag transitions of a linear-chain CRF (e.g. the BIOES rules: no `I-X` after `O`, no `E-X` at the start) and
 * the constant penalties that keep the forbidden ones out of the CRF's likelihood.
 */
import { ShapeError } from '../errors';

/**
 * Which tag transitions are allowed (`false` = forbidden, e.g. BIOES: `I-X` after `O`). K = number of tags.
 *
 * @example
 * // Tags [O, B, I]: I only after B or I, and never first.
 * const bio: CrfConstraints = {
 *   transitions: [
 *     [true, true, false], // from O
 *     [true, true, true], // from B
 *     [true, true, true], // from I
 *   ],
 *   start: [true, true, false],
 *   end: [true, true, true],
 * };
 */
export interface CrfConstraints {
  /** (K, K), `[from][to]`. */
  transitions: boolean[][];
  /** (K): may a sequence start with tag k. */
  start: boolean[];
  /** (K): may a sequence end with tag k. */
  end: boolean[];
}

/**
 * Added to the score of a forbidden transition, start or end in the likelihood. Large enough that exp(-1e4) is 0 in
 * float32 and float64 alike (forbidden paths get no mass), small enough that sums of a few of them stay finite, so
 * gradients never meet `Infinity - Infinity`.
 */
export const CRF_FORBIDDEN_PENALTY = -1e4;

/** The constraints' penalties as float32 arrays: 0 where allowed, `CRF_FORBIDDEN_PENALTY` where forbidden. */
export interface CrfPenalties {
  /** (K·K), row-major `[from][to]`. */
  transitions: Float32Array;
  /** (K). */
  start: Float32Array;
  /** (K). */
  end: Float32Array;
}

/**
 * Checks that `constraints` has shapes (K, K), (K) and (K) of booleans. @throws ShapeError naming `where` (the
 * function or class that received them) and the offending field.
 */
export function checkConstraints(constraints: CrfConstraints, numTags: number, where: string): void {
  const vector = (v: unknown, field: string) => {
    if (!Array.isArray(v) || v.length !== numTags || v.some((x) => typeof x !== 'boolean')) {
      throw new ShapeError(where, `constraints.${field} must be ${numTags} booleans (one per tag)`);
    }
  };
  const rows = constraints?.transitions;
  if (!Array.isArray(rows) || rows.length !== numTags) {
    throw new ShapeError(where, `constraints.transitions must be ${numTags}×${numTags} booleans [from][to]`);
  }
  rows.forEach((row, from) => vector(row, `transitions[${from}]`));
  vector(constraints.start, 'start');
  vector(constraints.end, 'end');
}

/**
 * The penalties of `constraints` over `numTags` tags (all 0 without constraints): what the likelihood adds to the
 * parameters. @throws ShapeError (from `where`) when the constraints are not (K, K), (K), (K) booleans.
 */
export function constraintPenalties(
  constraints: CrfConstraints | undefined,
  numTags: number,
  where = 'constraintPenalties',
): CrfPenalties {
  const penalties: CrfPenalties = {
    transitions: new Float32Array(numTags * numTags),
    start: new Float32Array(numTags),
    end: new Float32Array(numTags),
  };
  if (constraints === undefined) return penalties;
  checkConstraints(constraints, numTags, where);
  for (let from = 0; from < numTags; from++) {
    for (let to = 0; to < numTags; to++) {
      if (!constraints.transitions[from][to]) penalties.transitions[from * numTags + to] = CRF_FORBIDDEN_PENALTY;
    }
    if (!constraints.start[from]) penalties.start[from] = CRF_FORBIDDEN_PENALTY;
    if (!constraints.end[from]) penalties.end[from] = CRF_FORBIDDEN_PENALTY;
  }
  return penalties;
}
