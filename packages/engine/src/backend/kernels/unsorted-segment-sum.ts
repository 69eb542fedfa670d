/**
 * `UnsortedSegmentSum` on wasm, which tfjs-backend-wasm 4.22.0 lacks: it is the gradient of `tf.gather`, so of every
 * embedding, and without it no embedding trains on wasm. A JS kernel on the wasm heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { addRowsBySegment } from './unsorted-segment-sum-cpu';
import { KernelArgs, WasmBackendLike, wasmKernel } from './wasm-backend';

/**
 * `UnsortedSegmentSum` on wasm: `x (n, ...rest)` and `segmentIds (n)` (or any leading shape that `x` starts
 * with) → `(numSegments, ...rest)`, summing the rows of `x` that share a segment id. Ids outside
 * `[0, numSegments)` are dropped, as in TensorFlow. When every id is in range (always, for the gradient of a
 * gather) the sum is wasm's `ScatterNd`, which adds duplicate indices; otherwise a JS loop that skips bad ids.
 */
export function unsortedSegmentSumWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as unknown as WasmBackendLike;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const rowSize = rows === 0 ? 0 : tf.util.sizeFromShape(x.shape) / rows;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const ids = backend.typedArrayFromHeap(segmentIds);
  let inRange = segmentIds.dtype === 'int32';
  for (let r = 0; r < rows && inRange; r++) inRange = ids[r] >= 0 && ids[r] < numSegments;
  if (inRange && rows > 0 && rowSize > 0) {
    const indices: tf.TensorInfo = { dataId: segmentIds.dataId, shape: [rows, 1], dtype: 'int32' };
    const updates: tf.TensorInfo = { dataId: x.dataId, shape: [rows, rowSize], dtype: x.dtype };
    const out = wasmKernel('ScatterNd')({
      inputs: { indices, updates },
      backend: args.backend,
      attrs: { shape: [numSegments, rowSize] },
    }) as tf.TensorInfo;
    return { dataId: out.dataId, shape: outShape, dtype: out.dtype };
  }
  const out = backend.makeOutput(outShape, x.dtype);
  // Views are taken after the last makeOutput: a heap growth would detach earlier ones.
  const outValues = backend.typedArrayFromHeap(out);
  outValues.fill(0);
  addRowsBySegment(
    backend.typedArrayFromHeap(x),
    backend.typedArrayFromHeap(segmentIds),
    rowSize,
    numSegments,
    outValues,
  );
  return out;
}

let registered = false;

/** Registers `unsortedSegmentSumWasm` unless the wasm backend already has the kernel (idempotent). */
export function registerUnsortedSegmentSumWasm(): void {
  if (registered) return;
  registered = true;
  // A later tfjs release may ship its own; keep that one.
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') === undefined)
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSumWasm });
}
