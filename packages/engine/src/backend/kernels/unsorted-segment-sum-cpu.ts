/**
 * `UnsortedSegmentSum` for the cpu backend. tfjs' cpu kernel loops over segments (equal, cast, multiply, sum per
 * segment), O(numSegments · n · dim): minutes for one embedding gradient with a 5,000-character vocabulary. This one
 * is one pass over `x`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { KernelArgs } from './wasm-backend';

/** The parts of tfjs-backend-cpu's `MathBackendCPU` the cpu kernel uses. */
interface CpuBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/** `out[id] += x[r]` for each row r of `x (rows, rowSize)` with an id in `[0, numSegments)`; others skipped. */
export function addRowsBySegment(
  x: tf.TypedArray,
  ids: tf.TypedArray,
  rowSize: number,
  numSegments: number,
  out: tf.TypedArray,
): void {
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r];
    if (!(id >= 0 && id < numSegments)) continue;
    const from = r * rowSize;
    const to = id * rowSize;
    for (let j = 0; j < rowSize; j++) out[to + j] += x[from + j];
  }
}

/**
 * `UnsortedSegmentSum` on cpu: `x (n, ...rest)` and `segmentIds (n)` (or any leading shape that `x` starts with) →
 * `(numSegments, ...rest)`, summing the rows of `x` that share a segment id; ids outside `[0, numSegments)` are
 * dropped, as in TensorFlow.
 */
export function unsortedSegmentSumCpu(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as unknown as CpuBackendLike;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const rowSize = rows === 0 ? 0 : tf.util.sizeFromShape(x.shape) / rows;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = tf.util.getTypedArrayFromDType(x.dtype as 'float32' | 'int32', tf.util.sizeFromShape(outShape));
  const xValues = backend.readSync(x.dataId) as tf.TypedArray;
  const ids = backend.readSync(segmentIds.dataId) as tf.TypedArray;
  addRowsBySegment(xValues, ids, rowSize, numSegments, out);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

/** The cpu `UnsortedSegmentSum` as tfjs ships it, kept for comparisons (before `registerUnsortedSegmentSumCpu`). */
let stock: tf.KernelConfig | undefined;
let registered = false;

/** Replaces the cpu `UnsortedSegmentSum` by `unsortedSegmentSumCpu` (idempotent). */
export function registerUnsortedSegmentSumCpu(): void {
  if (registered) return;
  registered = true;
  stock = tf.getKernel('UnsortedSegmentSum', 'cpu');
  if (stock !== undefined) tf.unregisterKernel('UnsortedSegmentSum', 'cpu');
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'cpu', kernelFunc: unsortedSegmentSumCpu });
}

/** The cpu `UnsortedSegmentSum` kernel as tfjs ships it, for comparisons. */
export function stockCpuUnsortedSegmentSum(): tf.KernelConfig | undefined {
  return registered ? stock : tf.getKernel('UnsortedSegmentSum', 'cpu');
}
