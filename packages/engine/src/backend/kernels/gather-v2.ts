/**
 * wasm `GatherV2` with a fast path for embedding lookups: tfjs' wasm kernel computes every element's source through
 * generic strides, ~100x slower than one row copy per index for an embedding table.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { KernelArgs, WasmBackendLike, wrapKernel } from './wasm-backend';

/** The original wasm `GatherV2` kernel, for the forms `gatherRowsWasm` does not handle. */
let originalGather: tf.KernelConfig | undefined;

/**
 * wasm `GatherV2` with a fast path for the embedding lookup (axis 0, no batch dims): `x (n, ...row)`,
 * `indices (...)` → `(...indices, ...row)` by one typed-array row copy per index. tfjs' wasm kernel computes
 * every element's source through generic strides, ~100x slower for an embedding table. Indices out of
 * `[0, n)` throw, as in the original; other forms go to the original kernel.
 */
export function gatherRowsWasm(args: KernelArgs): tf.TensorInfo {
  const original = originalGather;
  if (original === undefined) throw new Error('gatherRowsWasm called before registerWasmKernels()');
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
  if (parsedAxis !== 0 || (batchDims ?? 0) !== 0 || x.shape.length === 0)
    return original.kernelFunc(args) as tf.TensorInfo;
  const backend = args.backend as unknown as WasmBackendLike;
  const rows = x.shape[0];
  const rowShape = x.shape.slice(1);
  const rowSize = tf.util.sizeFromShape(rowShape);
  const out = backend.makeOutput([...indices.shape, ...rowShape], x.dtype);
  const outValues = backend.typedArrayFromHeap(out);
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(indices);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < rows)) {
      backend.disposeData(out.dataId);
      throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
    }
    outValues.set(xValues.subarray(id * rowSize, (id + 1) * rowSize), i * rowSize);
  }
  return out;
}

let registered = false;

/** Puts `gatherRowsWasm` in front of the wasm `GatherV2` kernel (idempotent). */
export function registerGatherV2Wasm(): void {
  if (registered) return;
  registered = true;
  originalGather = wrapKernel('GatherV2', 'wasm', () => gatherRowsWasm);
}

/** The wasm `GatherV2` kernel as tfjs ships it (before `registerGatherV2Wasm` wrapped it), for comparisons. */
export function originalWasmGather(): tf.KernelConfig | undefined {
  return originalGather ?? tf.getKernel('GatherV2', 'wasm');
}
