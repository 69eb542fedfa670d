import { crfViterbi } from '@emr-re/engine';
import { crfMarginals } from './marginals';
import { tagSchemeFor } from './tagging/scheme';

/** Every tag path of length n over K tags. */
function allPaths(n: number, K: number): number[][] {
  if (n === 0) return [[]];
  return allPaths(n - 1, K).flatMap((p) => Array.from({ length: K }, (_, k) => [...p, k]));
}

describe('crfMarginals', () => {
  // K = 5: O, B-D, I-D, E-D, S-D
  const scheme = tagSchemeFor(['D']);
  const K = 5;
  const T = 4;
  const emissions = Float32Array.from({ length: 2 * T * K }, (_, i) => Math.sin(i * 1.7) * 2);
  const params = {
    transitions: Float32Array.from({ length: K * K }, (_, i) => Math.cos(i) * 0.5),
    start: Float32Array.from({ length: K }, (_, i) => i * 0.1),
    end: Float32Array.from({ length: K }, (_, i) => -i * 0.2),
  };
  const lengths = [4, 3];

  it('equals the brute-force marginals over the allowed paths', () => {
    const p = crfMarginals(emissions, [2, T, K], lengths, params, scheme.constraints);
    const { transitions, start, end } = scheme.constraints;
    lengths.forEach((n, b) => {
      const expected = new Float64Array(T * K);
      let z = 0;
      for (const path of allPaths(n, K)) {
        if (!start[path[0]] || !end[path[n - 1]]) continue;
        if (path.some((k, t) => t > 0 && !transitions[path[t - 1]][k])) continue;
        let score = params.start[path[0]] + params.end[path[n - 1]];
        path.forEach((k, t) => {
          score += emissions[(b * T + t) * K + k];
          if (t > 0) score += params.transitions[path[t - 1] * K + k];
        });
        const w = Math.exp(score);
        z += w;
        path.forEach((k, t) => (expected[t * K + k] += w));
      }
      for (let t = 0; t < T; t++) {
        let rowSum = 0;
        for (let k = 0; k < K; k++) {
          const got = p[(b * T + t) * K + k];
          rowSum += got;
          expect(got).toBeCloseTo(t < n ? expected[t * K + k] / z : 0, 5);
        }
        expect(rowSum).toBeCloseTo(t < n ? 1 : 0, 5);
      }
    });
  });

  it('gives no mass to forbidden tags (I or E first, B or I last)', () => {
    const p = crfMarginals(emissions, [2, T, K], lengths, params, scheme.constraints);
    expect(p[2]).toBe(0); // I-D at t = 0
    expect(p[3]).toBe(0); // E-D at t = 0
    expect(p[3 * K + 1]).toBe(0); // B-D at the last step of row 0
  });

  it('makes the Viterbi path the most probable tag where the model is sure', () => {
    const sure = new Float32Array(T * K);
    const gold = [1, 2, 3, 0]; // B I E O
    gold.forEach((k, t) => (sure[t * K + k] = 20));
    const zeros = { transitions: new Float32Array(K * K), start: new Float32Array(K), end: new Float32Array(K) };
    const p = crfMarginals(sure, [1, T, K], [T], zeros, scheme.constraints);
    expect(crfViterbi(sure, [1, T, K], [T], zeros, scheme.constraints).paths[0]).toEqual(gold);
    gold.forEach((k, t) => expect(p[t * K + k]).toBeGreaterThan(0.999));
  });

  it('stays exact on long windows with large scores, against a log-space forward-backward', () => {
    const wide = tagSchemeFor(['D', 'S']);
    const k = wide.tags.length;
    const n = 1500;
    const big = Float32Array.from({ length: n * k }, (_, i) => Math.sin(i * 0.37) * 60);
    const p0 = {
      transitions: Float32Array.from({ length: k * k }, (_, i) => Math.cos(i * 1.3) * 8),
      start: Float32Array.from({ length: k }, (_, i) => Math.sin(i) * 3),
      end: Float32Array.from({ length: k }, (_, i) => Math.cos(i) * 3),
    };
    const got = crfMarginals(big, [1, n, k], [n], p0, wide.constraints);
    const ok = wide.constraints;
    const lse = (xs: number[]): number => {
      const m = Math.max(...xs);
      return m === -Infinity ? m : m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
    };
    const tr = (j: number, q: number): number => (ok.transitions[j][q] ? p0.transitions[j * k + q] : -Infinity);
    const alpha: number[][] = [];
    const beta: number[][] = Array.from({ length: n }, () => []);
    alpha.push(Array.from({ length: k }, (_, q) => (ok.start[q] ? p0.start[q] : -Infinity) + big[q]));
    for (let t = 1; t < n; t++)
      alpha.push(Array.from({ length: k }, (_, q) => lse(alpha[t - 1].map((a, j) => a + tr(j, q))) + big[t * k + q]));
    beta[n - 1] = Array.from({ length: k }, (_, q) => (ok.end[q] ? p0.end[q] : -Infinity));
    for (let t = n - 2; t >= 0; t--)
      beta[t] = Array.from({ length: k }, (_, j) =>
        lse(beta[t + 1].map((b, q) => tr(j, q) + big[(t + 1) * k + q] + b)),
      );
    const logZ = lse(alpha[n - 1].map((a, q) => a + beta[n - 1][q]));
    let worst = 0;
    for (let t = 0; t < n; t++)
      for (let q = 0; q < k; q++) {
        const want = Math.exp(alpha[t][q] + beta[t][q] - logZ);
        expect(Number.isFinite(got[t * k + q])).toBe(true);
        worst = Math.max(worst, Math.abs(got[t * k + q] - want));
      }
    expect(worst).toBeLessThan(1e-5);
  });
});
