/**
 * Test support: the one gradient checker of the engine's tests (central differences in float32, for functions and for
 * layers) and the one source of fixed test tensors. Not part of the build (see tsconfig exclude).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@emr-re/tokenize';

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

/** `n` fixed pseudo-random values in [-scale, scale) from `SeededRandom(seed)`: failures reproduce. */
export function fixedValues(n: number, seed: number, scale = 1): Float32Array {
  const rng = new SeededRandom(seed);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = (rng.next() * 2 - 1) * scale;
  return values;
}

/** A fixed pseudo-random float32 tensor in [-scale, scale), so tests do not depend on tfjs' RNG state. */
export function fixedRandom(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(
    fixedValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
      scale,
    ),
    shape,
    'float32',
  );
}

/** Largest absolute elementwise difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A layer whose weights `layerGradientError` can read and set. */
interface CheckableLayer {
  apply(inputs: tf.Tensor | tf.Tensor[]): unknown;
  trainableWeights: Array<{ read(): tf.Tensor }>;
  getWeights(): tf.Tensor[];
  setWeights(weights: tf.Tensor[]): void;
}

/**
 * Gradient check of a layer through the loss `Σ layer(inputs) · R` (R fixed random): the inputs at
 * `inputIndices` and every trainable weight, analytic (tape) against central differences. Returns the worst
 * mismatch in units of tolerance (< 1 passes) and where it was.
 */
export function layerGradientError(
  layer: CheckableLayer,
  inputs: tf.Tensor[],
  inputIndices: number[],
  options: GradCheckOptions = {},
): { worst: number; at: string } {
  const call = (xs: tf.Tensor[]) => layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
  const outShape = tf.tidy(() => call(inputs).shape);
  const r = fixedRandom(outShape, 97);
  const loss = (xs: tf.Tensor[]) => tf.sum(tf.mul(call(xs), r)) as tf.Scalar;
  let worst = 0;
  let at = '';
  if (inputIndices.length > 0) {
    const res = gradientError(
      (...checked) => loss(inputs.map((x, i) => (inputIndices.includes(i) ? checked[inputIndices.indexOf(i)] : x))),
      inputIndices.map((i) => inputs[i]),
      options,
    );
    worst = res.worst;
    at = res.at;
  }
  // Weights: analytic by variableGrads, numeric by setWeights.
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 2e-3;
  const rtol = options.rtol ?? 2e-2;
  const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) {
    r.dispose();
    return { worst, at };
  }
  const { value, grads } = tf.variableGrads(() => loss(inputs), variables);
  const analytic = variables.map((v) => Float32Array.from(grads[v.name].dataSync()));
  tf.dispose([value, ...Object.values(grads)]);
  const original = layer.getWeights().map((w) => ({ shape: w.shape, values: Float32Array.from(w.dataSync()) }));
  const evaluate = (wi: number, values: Float32Array): number => {
    const ws = original.map((w, i) => tf.tensor(i === wi ? values : w.values, w.shape));
    layer.setWeights(ws);
    tf.dispose(ws);
    const out = tf.tidy(() => loss(inputs));
    const v = out.dataSync()[0];
    out.dispose();
    return v;
  };
  original.forEach((w, wi) => {
    const values = Float32Array.from(w.values);
    for (let j = 0; j < values.length; j++) {
      const v = values[j];
      values[j] = v + eps;
      const up = evaluate(wi, values);
      values[j] = v - eps;
      const down = evaluate(wi, values);
      values[j] = v;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(numeric - analytic[wi][j]) / (atol + rtol * Math.abs(numeric));
      if (err > worst) {
        worst = err;
        at = `weight ${wi} element ${j}: numeric ${numeric}, analytic ${analytic[wi][j]}`;
      }
    }
  });
  const restore = original.map((w) => tf.tensor(w.values, w.shape));
  layer.setWeights(restore);
  tf.dispose([...restore, r]);
  return { worst, at };
}

/** A readable pass/fail for `expect`: `{ worst: 'ok' }` or the worst error and where. */
export function verdict(res: { worst: number; at: string }): { worst: number | 'ok'; at: string } {
  return { worst: res.worst < 1 ? 'ok' : res.worst, at: res.at };
}
