/**
 * Wrappers around wasm's `_FusedMatMul`, `Conv2D` and `Conv2DBackpropInput` that enable XNNPACK's thread pool only
 * for calls of at least `threadedOpMinFlops()` FLOPs (`withThreadPool`, see `wasm-threads.ts`); `BatchMatMul` gets
 * the same gate inside `batchMatMulWasmFast`. Without the threaded wasm build they just call the original kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { withThreadPool } from '../wasm-threads';
import { KernelArgs, wrapKernel } from './wasm-backend';

/** FLOPs of one call of a product kernel, for the thread-pool gate. */
export const PRODUCT_FLOPS: Record<string, (args: KernelArgs) => number> = {
  _FusedMatMul: (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const m = a.shape[a.shape.length - (transposeA ? 1 : 2)];
    const k = a.shape[a.shape.length - (transposeA ? 2 : 1)];
    const n = b.shape[b.shape.length - (transposeB ? 2 : 1)];
    return (
      2 * Math.max(tf.util.sizeFromShape(a.shape.slice(0, -2)), tf.util.sizeFromShape(b.shape.slice(0, -2))) * m * k * n
    );
  },
  // Output elements × window × input channels × 2, for the forward and the input-gradient convolution alike.
  Conv2D: (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    return (2 * tf.util.sizeFromShape(x.shape) * tf.util.sizeFromShape(filter.shape)) / Math.max(1, x.shape[3]);
  },
  Conv2DBackpropInput: (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    return (2 * tf.util.sizeFromShape(dy.shape) * tf.util.sizeFromShape(filter.shape)) / Math.max(1, dy.shape[3]);
  },
};

let registered = false;

/** Puts the thread-pool gate in front of each kernel of `PRODUCT_FLOPS` on wasm (idempotent). */
export function registerThreadPoolGate(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, flops] of Object.entries(PRODUCT_FLOPS)) {
    wrapKernel(
      kernelName,
      'wasm',
      (original) => (args) => withThreadPool(flops(args), () => original.kernelFunc(args)),
    );
  }
}
