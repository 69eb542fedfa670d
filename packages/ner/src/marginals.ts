import type { CrfConstraints, CrfParameterArrays } from '@emr-re/engine';

/**
 * Per-character tag marginals of a linear-chain CRF, `p(y_t = k | x)`, by the forward-backward algorithm: `emissions`
 * row-major `(B, T, K)` with `shape [B, T, K]`, `lengths (B)` in [1, T] → `(B, T, K)` probabilities, each real step's
 * row summing to 1 (0s beyond each row's length). Transitions, starts and ends that `constraints` forbid are excluded
 * outright, as in Viterbi decoding, so the marginals describe the same set of paths the decoder chooses from.
 *
 * Computed in float64 in probability space with a scale per step (Rabiner's scaled forward-backward): every
 * exponential is taken once per (step, tag) against that step's maximum, and the inner loops are multiply-adds over
 * the allowed transitions only, so a long text costs `O(T · allowed)` rather than `O(T · K²)` exponentials.
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
  const allowed = (flag: boolean | undefined): boolean => constraints === undefined || flag === true;
  // exp(transition - max) over the allowed transitions, as sparse lists: into[k] = the j with j → k allowed.
  let maxTransition = -Infinity;
  for (let j = 0; j < K; j++)
    for (let k = 0; k < K; k++)
      if (allowed(constraints?.transitions[j][k]))
        maxTransition = Math.max(maxTransition, params.transitions[j * K + k]);
  const into: Array<{ from: Int32Array; weight: Float64Array }> = [];
  const outOf: Array<{ to: Int32Array; weight: Float64Array }> = [];
  for (let k = 0; k < K; k++) {
    const from: number[] = [];
    const to: number[] = [];
    for (let j = 0; j < K; j++) {
      if (allowed(constraints?.transitions[j][k])) from.push(j);
      if (allowed(constraints?.transitions[k][j])) to.push(j);
    }
    into.push({
      from: Int32Array.from(from),
      weight: Float64Array.from(from, (j) => Math.exp(params.transitions[j * K + k] - maxTransition)),
    });
    outOf.push({
      to: Int32Array.from(to),
      weight: Float64Array.from(to, (j) => Math.exp(params.transitions[k * K + j] - maxTransition)),
    });
  }
  const startLog = Float64Array.from({ length: K }, (_, k) =>
    allowed(constraints?.start[k]) ? params.start[k] : -Infinity,
  );
  const endLog = Float64Array.from({ length: K }, (_, k) => (allowed(constraints?.end[k]) ? params.end[k] : -Infinity));
  const out = new Float32Array(B * T * K);
  const alpha = new Float64Array(T * K);
  const beta = new Float64Array(T * K);
  const potential = new Float64Array(T * K); // exp(emission - the step's max)
  const logTerms = new Float64Array(K);
  /** exp(x_k - max x) into `target` at `offset`; false when every x_k is -∞. */
  const expNormalised = (target: Float64Array, offset: number): boolean => {
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (logTerms[k] > max) max = logTerms[k];
    if (max === -Infinity) return false;
    for (let k = 0; k < K; k++) target[offset + k] = Math.exp(logTerms[k] - max);
    return true;
  };
  /** Divides `K` values at `offset` by their sum; false when the sum is 0 (no allowed path). */
  const normalise = (target: Float64Array, offset: number): boolean => {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += target[offset + k];
    if (!(sum > 0) || !Number.isFinite(sum)) return false;
    for (let k = 0; k < K; k++) target[offset + k] /= sum;
    return true;
  };
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (!Number.isInteger(n) || n < 1 || n > T) throw new RangeError(`crfMarginals: lengths[${b}] = ${n}`);
    const row = b * T * K;
    let possible = true;
    for (let t = 0; t < n && possible; t++) {
      for (let k = 0; k < K; k++) logTerms[k] = emissions[row + t * K + k] + (t === 0 ? startLog[k] : 0);
      possible = expNormalised(potential, t * K);
    }
    if (!possible) continue;
    // Forward: alpha_t ∝ potential_t ⊙ (alpha_{t-1} · W), each step scaled to sum 1.
    for (let k = 0; k < K; k++) alpha[k] = potential[k];
    if (!normalise(alpha, 0)) continue;
    for (let t = 1; t < n && possible; t++) {
      for (let k = 0; k < K; k++) {
        const { from, weight } = into[k];
        let sum = 0;
        for (let i = 0; i < from.length; i++) sum += alpha[(t - 1) * K + from[i]] * weight[i];
        alpha[t * K + k] = sum * potential[t * K + k];
      }
      possible = normalise(alpha, t * K);
    }
    // Backward: beta_{n-1} ∝ exp(end); beta_t ∝ W · (potential_{t+1} ⊙ beta_{t+1}), scaled the same way.
    for (let k = 0; k < K; k++) logTerms[k] = endLog[k];
    possible = possible && expNormalised(beta, (n - 1) * K);
    for (let t = n - 2; t >= 0 && possible; t--) {
      for (let j = 0; j < K; j++) {
        const { to, weight } = outOf[j];
        let sum = 0;
        for (let i = 0; i < to.length; i++) {
          const k = to[i];
          sum += weight[i] * potential[(t + 1) * K + k] * beta[(t + 1) * K + k];
        }
        beta[t * K + j] = sum;
      }
      possible = normalise(beta, t * K);
    }
    if (!possible) continue; // no allowed path of this length: leave 0s
    // The scales are common to every tag of a step, so alpha_t ⊙ beta_t normalised is the marginal.
    for (let t = 0; t < n; t++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += alpha[t * K + k] * beta[t * K + k];
      if (!(sum > 0)) {
        possible = false;
        break;
      }
      for (let k = 0; k < K; k++) out[row + t * K + k] = (alpha[t * K + k] * beta[t * K + k]) / sum;
    }
    if (!possible) out.fill(0, row, row + T * K);
  }
  return out;
}
