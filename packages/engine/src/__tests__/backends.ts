/** Test support: run the same computation on several backends. Not part of the build (see tsconfig exclude). */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';

/** Selects `backend` (installing the engine's kernels), runs `fn` and returns its result tensors' values. */
export async function valuesOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await selectBackend({ backend });
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

/** Distinct values everywhere, so a misplaced element cannot go unnoticed. */
export function ramp(shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  return tf.reshape(
    tf.range(
      0,
      shape.reduce((a, b) => a * b, 1),
      1,
      dtype,
    ),
    shape,
  );
}

/** Runs `f` on wasm (with the fast kernels) and on cpu and returns both results as plain arrays. */
export async function onBoth(
  f: () => tf.Tensor | tf.Tensor[],
): Promise<{ wasm: unknown; cpu: unknown; shapes: number[][] }> {
  const read = (r: tf.Tensor | tf.Tensor[]) =>
    (Array.isArray(r) ? r : [r]).map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
  await selectBackend({ backend: 'wasm' });
  const w = tf.tidy(() => read(f()));
  await selectBackend({ backend: 'cpu' });
  const c = tf.tidy(() => read(f()));
  return { wasm: w, cpu: c, shapes: w.map((x) => x.shape) };
}
