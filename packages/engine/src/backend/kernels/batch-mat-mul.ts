/**
 * wasm `BatchMatMul` in front of tfjs' own: XNNPACK runs only untransposed, batch-1 products fast, and tfjs' wasm
 * kernel runs every other form as a scalar loop. This wrapper also reaches the products inside `tf.fused.matMul`'s
 * gradient (every Dense layer's backward pass), which no gradient re-registration can.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { withThreadPool } from '../wasm-threads';
import { KernelArgs, WasmBackendLike, wasmKernel, wrapKernel } from './wasm-backend';

/** The original wasm `BatchMatMul` kernel, kept for `batchMatMulWasmFast` to call (and for benchmarks). */
let originalBatchMatMul: tf.KernelConfig | undefined;

/** Explicit last-two-axes transpose on the wasm heap (a new tensor the caller disposes). */
function swapLastWasm(x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return wasmKernel('Transpose')({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

/**
 * wasm `BatchMatMul` that hands XNNPACK only untransposed, batch-1 products (wasm runs every other form as a
 * scalar loop): transposes become explicit wasm `Transpose`s, and a batched `a (..., m, k)` times an
 * unbatched `b (k, n)` is folded to `(batch·m, k) · (k, n)`. Same inputs, attrs and result as the original.
 */
export function batchMatMulWasmFast(args: KernelArgs): tf.TensorInfo {
  const original = originalBatchMatMul;
  if (original === undefined) throw new Error('batchMatMulWasmFast called before registerWasmKernels()');
  const backend = args.backend as unknown as WasmBackendLike;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const temps: tf.TensorInfo[] = [];
  let aEff = a;
  let bEff = b;
  if (transposeA) temps.push((aEff = swapLastWasm(a, args.backend as tf.KernelBackend)));
  if (transposeB) temps.push((bEff = swapLastWasm(b, args.backend as tf.KernelBackend)));
  const m = aEff.shape[aEff.shape.length - 2];
  const k = aEff.shape[aEff.shape.length - 1];
  const n = bEff.shape[bEff.shape.length - 1];
  const batchA = tf.util.sizeFromShape(aEff.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(bEff.shape.slice(0, -2));
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aEff.shape.slice(0, -2), bEff.shape.slice(0, -2));
  if (batchB === 1 && batchA > 1) {
    // Rows of every batch entry meet the same right-hand matrix: one (batch·m, k) · (k, n) product.
    aEff = { dataId: aEff.dataId, shape: [1, batchA * m, k], dtype: aEff.dtype };
    bEff = { dataId: bEff.dataId, shape: [1, k, n], dtype: bEff.dtype };
  }
  const flops = 2 * tf.util.sizeFromShape(outBatch) * m * k * n;
  const out = withThreadPool(flops, () =>
    original.kernelFunc({
      inputs: { a: aEff, b: bEff },
      backend: args.backend,
      attrs: { transposeA: false, transposeB: false },
    }),
  ) as tf.TensorInfo;
  for (const t of temps) backend.disposeData(t.dataId);
  return { dataId: out.dataId, shape: [...outBatch, m, n], dtype: out.dtype };
}

let registered = false;

/** Puts `batchMatMulWasmFast` in front of the wasm `BatchMatMul` kernel (idempotent). */
export function registerBatchMatMulWasm(): void {
  if (registered) return;
  registered = true;
  originalBatchMatMul = wrapKernel('BatchMatMul', 'wasm', () => batchMatMulWasmFast);
}

/** The wasm `BatchMatMul` kernel as tfjs ships it (before `registerBatchMatMulWasm` wrapped it), for comparisons. */
export function originalWasmBatchMatMul(): tf.KernelConfig | undefined {
  return originalBatchMatMul ?? tf.getKernel('BatchMatMul', 'wasm');
}
