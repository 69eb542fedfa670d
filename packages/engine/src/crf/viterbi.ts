/**
 * Viterbi decoding of a linear-chain CRF in plain JS: the highest-scoring tag path of each row, in float64, with
 * forbidden transitions excluded outright (not merely penalised), so no emission can buy one.
 */
import { ShapeError } from '../errors';
import { CrfConstraints, checkConstraints } from './constraints';
import { CrfParameterArrays, checkParameterArrays } from './parameters';

/** The best path of each row and its score. */
export interface CrfDecoding {
  /** (B) rows of `lengths[b]` tag indices. */
  paths: number[][];
  /** (B): each path's score `start + Σ emissions + Σ transitions + end` (log-space, unnormalised). */
  scores: number[];
}

const WHERE = 'crfViterbi';

/** @throws ShapeError naming `shape`, `emissions` or `lengths` when they disagree. */
function checkViterbiInputs(emissions: ArrayLike<number>, shape: [number, number, number], lengths: number[]): void {
  if (!Array.isArray(shape) || shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ShapeError(
      WHERE,
      `shape must be [batch, length, tags] of positive integers, got ${JSON.stringify(shape)}`,
    );
  }
  const [B, T, K] = shape;
  if (emissions === null || emissions === undefined || emissions.length !== B * T * K) {
    throw new ShapeError(
      WHERE,
      `emissions must hold batch·length·tags = ${B * T * K} values (row-major (B, T, K)), got ${emissions?.length}`,
    );
  }
  if (!Array.isArray(lengths) || lengths.length !== B) {
    throw new ShapeError(WHERE, `lengths must have one entry per row (${B}), got ${lengths?.length}`);
  }
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 1 || n > T) {
      throw new ShapeError(WHERE, `lengths[${b}] must be an integer in [1, ${T}], got ${n}`);
    }
  });
}

/**
 * Viterbi decoding in plain JS (no tensors kept): `emissions` (B·T·K, row-major `(B, T, K)`), `shape` `[B, T, K]`,
 * `lengths` (B) in [1, T] → the best tag path of each row (length `lengths[b]`; steps beyond it are ignored) and its
 * score. Ties go to the lower tag index. Transitions, starts and ends that `constraints` forbid are never chosen.
 *
 * @throws ShapeError naming the argument (`shape`, `emissions`, `lengths`, `params.*`, `constraints.*`) that does not
 * fit, or `constraints` when they allow no path of some row's length.
 * @example
 * const { paths } = crfViterbi(Float32Array.from(scores), [1, 3, 2], [3], crf.parameterArrays()); // paths[0]: 3 tags
 */
export function crfViterbi(
  emissions: Float32Array,
  shape: [number, number, number],
  lengths: number[],
  params: CrfParameterArrays,
  constraints?: CrfConstraints,
): CrfDecoding {
  checkViterbiInputs(emissions, shape, lengths);
  const [B, T, K] = shape;
  checkParameterArrays(params, K, WHERE);
  if (constraints !== undefined) checkConstraints(constraints, K, WHERE);
  // Forbidden entries become -Infinity: excluded, whatever the emissions.
  const transitions = Float64Array.from(params.transitions, (v, i) =>
    constraints && !constraints.transitions[Math.floor(i / K)][i % K] ? -Infinity : v,
  );
  const start = Float64Array.from(params.start, (v, k) => (constraints && !constraints.start[k] ? -Infinity : v));
  const end = Float64Array.from(params.end, (v, k) => (constraints && !constraints.end[k] ? -Infinity : v));

  // The tags each tag may follow, ascending (so ties still go to the lower index): forbidden ones are skipped.
  const into: Int32Array[] = [];
  for (let to = 0; to < K; to++) {
    const from: number[] = [];
    for (let j = 0; j < K; j++) if (transitions[j * K + to] !== -Infinity) from.push(j);
    into.push(Int32Array.from(from));
  }
  const paths: number[][] = [];
  const scores: number[] = [];
  let score = new Float64Array(K);
  let next = new Float64Array(K);
  const backPointers = new Int32Array(T * K);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    const row = b * T * K;
    for (let k = 0; k < K; k++) score[k] = start[k] + emissions[row + k];
    for (let t = 1; t < n; t++) {
      for (let to = 0; to < K; to++) {
        let best = -Infinity;
        let arg = -1;
        const sources = into[to];
        for (let i = 0; i < sources.length; i++) {
          const from = sources[i];
          const s = score[from] + transitions[from * K + to];
          if (s > best) {
            best = s;
            arg = from;
          }
        }
        next[to] = best + emissions[row + t * K + to];
        backPointers[t * K + to] = arg;
      }
      [score, next] = [next, score];
    }
    let best = -Infinity;
    let last = -1;
    for (let k = 0; k < K; k++) {
      const s = score[k] + end[k];
      if (s > best) {
        best = s;
        last = k;
      }
    }
    if (last < 0) {
      throw new ShapeError(
        WHERE,
        `constraints allow no tag path of length ${n} (row ${b}), or its emissions are not finite numbers`,
      );
    }
    const path = new Array<number>(n);
    path[n - 1] = last;
    for (let t = n - 1; t > 0; t--) path[t - 1] = backPointers[t * K + path[t]];
    paths.push(path);
    scores.push(best);
  }
  return { paths, scores };
}
