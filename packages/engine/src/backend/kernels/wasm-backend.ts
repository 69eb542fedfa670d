/** What the engine's wasm kernels share: the slice of tfjs-backend-wasm's `BackendWasm` they use, and kernel lookup. */
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's `BackendWasm` these kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(dataId: tf.DataId): boolean;
}

/** The arguments every kernel function receives. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The registered wasm kernel function `name` (looked up per call: wrappers may sit in front of it). */
export function wasmKernel(name: string): tf.KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined)
    throw new Error(`wasm backend has no ${name} kernel; is @tensorflow/tfjs-backend-wasm loaded?`);
  return config.kernelFunc;
}

/**
 * Replaces the registered kernel `kernelName` of `backendName` by `kernelFunc`, keeping the original's other fields
 * (its setup and dispose functions), and returns the original; undefined (nothing registered) when there is none.
 */
export function wrapKernel(
  kernelName: string,
  backendName: string,
  kernelFunc: (original: tf.KernelConfig) => tf.KernelFunc,
): tf.KernelConfig | undefined {
  const original = tf.getKernel(kernelName, backendName);
  if (original === undefined) return undefined;
  // Unregister first: registering over an existing kernel prints a warning.
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc: kernelFunc(original) });
  return original;
}
