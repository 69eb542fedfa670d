import type { CrfConstraints, CrfParameterArrays } from '@emr-re/engine';

/**
 * Per-character tag marginals of a linear-chain CRF, `p(y_t = k | x)`, by the forward-backward algorithm in log
 * space (float64, plain JS): `emissions` row-major `(B, T, K)` with `shape [B, T, K]`, `lengths (B)` in [1, T] →
 * `(B, T, K)` probabilities, each real step's row summing to 1 (0s beyond each row's length). Transitions, starts and
 * ends that `constraints` forbid are excluded outright, as in Viterbi decoding, so the marginals describe the same
 * set of paths the decoder chooses from.
 * @example
 * const p = crfMarginals(values, [1, 3, 5], [3], crf.parameterArrays(), scheme.constraints); // p[t * 5 + k]
 */
export function crfMarginals(
  emissions: ArrayLike<number>,
  shape: [number, number, number],
  lengths: readonly number[],
  params: CrfParameterArrays,
  constraints?: CrfConstraints,
): Float32Array {
  const [B, T, K] = shape;
  if (emissions.length !== B * T * K || lengths.length !== B) {
    throw new RangeError(`crfMarginals: ${emissions.length} emissions and ${lengths.length} lengths for [${shape}]`);
  }
  const forbidden = (allowed: boolean | undefined) => constraints !== undefined && !allowed;
  const trans = Float64Array.from(params.transitions, (v, i) =>
    forbidden(constraints?.transitions[Math.floor(i / K)][i % K]) ? -Infinity : v,
  );
  const start = Float64Array.from(params.start, (v, k) => (forbidden(constraints?.start[k]) ? -Infinity : v));
  const end = Float64Array.from(params.end, (v, k) => (forbidden(constraints?.end[k]) ? -Infinity : v));
  const out = new Float32Array(B * T * K);
  const alpha = new Float64Array(T * K);
  const beta = new Float64Array(T * K);
  const terms = new Float64Array(K);
  const logSumExp = (n: number): number => {
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (terms[i] > max) max = terms[i];
    if (max === -Infinity) return -Infinity;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(terms[i] - max);
    return max + Math.log(sum);
  };
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (!Number.isInteger(n) || n < 1 || n > T) throw new RangeError(`crfMarginals: lengths[${b}] = ${n}`);
    const row = b * T * K;
    for (let k = 0; k < K; k++) alpha[k] = start[k] + emissions[row + k];
    for (let t = 1; t < n; t++) {
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < K; j++) terms[j] = alpha[(t - 1) * K + j] + trans[j * K + k];
        alpha[t * K + k] = logSumExp(K) + emissions[row + t * K + k];
      }
    }
    for (let k = 0; k < K; k++) beta[(n - 1) * K + k] = end[k];
    for (let t = n - 2; t >= 0; t--) {
      for (let j = 0; j < K; j++) {
        for (let k = 0; k < K; k++)
          terms[k] = trans[j * K + k] + emissions[row + (t + 1) * K + k] + beta[(t + 1) * K + k];
        beta[t * K + j] = logSumExp(K);
      }
    }
    for (let k = 0; k < K; k++) terms[k] = alpha[(n - 1) * K + k] + end[k];
    const logZ = logSumExp(K);
    if (logZ === -Infinity) continue; // no allowed path of this length: leave 0s
    for (let t = 0; t < n; t++) {
      for (let k = 0; k < K; k++) out[row + t * K + k] = Math.exp(alpha[t * K + k] + beta[t * K + k] - logZ);
    }
  }
  return out;
}
