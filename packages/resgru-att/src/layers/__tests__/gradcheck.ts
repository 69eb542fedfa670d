/** Test helpers: central-difference gradient checks in float32. Not part of the build (see tsconfig exclude). */
import * as tf from '@tensorflow/tfjs-core';

/** Options of `gradientError`. */
export interface GradCheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /** Absolute tolerance added to `rtol·|analytic|`. */
  atol?: number;
  rtol?: number;
  /** Indices of `inputs` to check (default all). */
  check?: number[];
}

/** The analytic gradient of `f` at `inputs` and its worst mismatch against central differences, in units of tolerance. */
export function gradientError(
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  options: GradCheckOptions = {},
): { worst: number; at: string; analytic: Float32Array[] } {
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 2e-3;
  const rtol = options.rtol ?? 2e-2;
  const check = options.check ?? inputs.map((_, i) => i);
  const gradTensors = tf.grads((...xs: tf.Tensor[]) => f(...xs))(inputs);
  const analytic = gradTensors.map((g) => g.dataSync() as Float32Array);
  tf.dispose(gradTensors);
  const evaluate = (replaced: number, values: Float32Array): number => {
    const out = tf.tidy(() => {
      const xs = inputs.map((x, i) => (i === replaced ? tf.tensor(values, x.shape, 'float32') : x));
      return f(...xs);
    });
    const v = out.dataSync()[0];
    out.dispose();
    return v;
  };
  let worst = 0;
  let at = '';
  for (const i of check) {
    const base = Float32Array.from(inputs[i].dataSync() as Float32Array);
    for (let j = 0; j < base.length; j++) {
      const v = base[j];
      base[j] = v + eps;
      const up = evaluate(i, base);
      base[j] = v - eps;
      const down = evaluate(i, base);
      base[j] = v;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(numeric - analytic[i][j]) / (atol + rtol * Math.abs(numeric));
      if (err > worst) {
        worst = err;
        at = `input ${i} element ${j}: numeric ${numeric}, analytic ${analytic[i][j]}`;
      }
    }
  }
  return { worst, at, analytic };
}

/** A fixed pseudo-random tensor (LCG), so tests do not depend on tfjs' RNG state. */
export function fixedRandom(shape: number[], seed: number, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return tf.tensor(values, shape, 'float32');
}

/** Largest absolute elementwise difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
