/**
 * Kernels that training needs and tfjs' wasm backend (4.22.0) lacks: `UnsortedSegmentSum` (the gradient of
 * `tf.gather`, so of every embedding) and `Conv2DBackpropFilter` (the weight gradient of stock `conv1d`/`conv2d`).
 * Both are JS kernels working on the wasm heap; the filter gradient hands its one big product to the wasm
 * `BatchMatMul` kernel in its fast (XNNPACK, untransposed, batch 1) form. Also wraps wasm's `BatchMatMul` so that
 * transposed or broadcast-batched products (e.g. inside `tf.fused.matMul`'s gradient, which no gradient
 * re-registration reaches) take that fast form too, and wasm's `GatherV2` so that embedding lookups are row copies.
 * The cpu backend gets a linear-time `UnsortedSegmentSum` (its own is quadratic).
 */
import * as tf from '@tensorflow/tfjs-core';
// Registers the wasm backend and its kernels, which registerWasmKernels() extends and wraps.
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { withThreadPool } from './wasm-threads';

/** The parts of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(dataId: tf.DataId): boolean;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function wasmKernel(name: string): tf.KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined)
    throw new Error(`wasm backend has no ${name} kernel; is @tensorflow/tfjs-backend-wasm loaded?`);
  return config.kernelFunc;
}

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

/** `out[id] += x[r]` for each row r of `x (rows, rowSize)` with an id in `[0, numSegments)`; others skipped. */
function addRowsBySegment(
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

/** The parts of tfjs-backend-cpu's `MathBackendCPU` the cpu kernel uses. */
interface CpuBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * `UnsortedSegmentSum` for the cpu backend, same contract as `unsortedSegmentSumWasm`. tfjs' cpu kernel
 * loops over segments (equal, cast, multiply, sum per segment), O(numSegments · n · dim): minutes for one
 * embedding gradient with a 5,000-character vocabulary. This is one pass over `x`.
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

/**
 * `Conv2DBackpropFilter` on wasm, by im2col: `x (batch, height, width, inChannels)` and
 * `dy (batch, outHeight, outWidth, outChannels)` → `dw (filterHeight, filterWidth, inChannels, outChannels)`.
 * Patches `(n, fh·fw·inC)` are gathered in JS (zeros where the window overhangs the padding), then
 * `dwᵀ = dyᵀ · patches` runs as one plain wasm matMul; the two transposes are of the small operands.
 * NHWC only (the only layout the wasm `Conv2D` supports).
 */
export function conv2dBackpropFilterWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as unknown as WasmBackendLike;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports only dataFormat NHWC');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const n = batchSize * outHeight * outWidth;
  const k = filterHeight * filterWidth * inChannels;

  // patches (n, k): row (b, oh, ow), column (fh, fw, ci) — the filter's own memory order.
  const patches = backend.makeOutput([1, n, k], 'float32');
  const patchValues = backend.typedArrayFromHeap(patches);
  const xValues = backend.typedArrayFromHeap(x);
  const rowStride = inWidth * inChannels;
  const batchStride = inHeight * rowStride;
  let p = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight + fh * dilationHeight - top;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth + fw * dilationWidth - left;
            if (ih < 0 || ih >= inHeight || iw < 0 || iw >= inWidth) {
              patchValues.fill(0, p, p + inChannels);
            } else {
              const from = b * batchStride + ih * rowStride + iw * inChannels;
              patchValues.set(xValues.subarray(from, from + inChannels), p);
            }
            p += inChannels;
          }
        }
      }
    }
  }

  const transpose = wasmKernel('Transpose');
  const batchMatMul = wasmKernel('BatchMatMul');
  const dy2: tf.TensorInfo = { dataId: dy.dataId, shape: [n, outChannels], dtype: dy.dtype };
  const dyT = transpose({ inputs: { x: dy2 }, backend: args.backend, attrs: { perm: [1, 0] } }) as tf.TensorInfo;
  const dyT3: tf.TensorInfo = { dataId: dyT.dataId, shape: [1, outChannels, n], dtype: dyT.dtype };
  const dwT = batchMatMul({
    inputs: { a: dyT3, b: patches },
    backend: args.backend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
  backend.disposeData(dyT.dataId);
  backend.disposeData(patches.dataId);
  const dwT2: tf.TensorInfo = { dataId: dwT.dataId, shape: [outChannels, k], dtype: dwT.dtype };
  const dw = transpose({ inputs: { x: dwT2 }, backend: args.backend, attrs: { perm: [1, 0] } }) as tf.TensorInfo;
  backend.disposeData(dwT.dataId);
  return { dataId: dw.dataId, shape: [...attrs.filterShape], dtype: dw.dtype };
}

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

/** The original wasm `Tanh` kernel, for non-float inputs. */
let originalTanh: tf.KernelConfig | undefined;

/**
 * wasm `Tanh` as `2σ(2x) − 1` from wasm's own kernels (XNNPACK sigmoid, multiply, subtract): tfjs' wasm kernel
 * calls the scalar `std::tanh`, ~21 ns per element against ~2.5 here (attention pooling over (64, 100, 256): 35 vs
 * 4 ms). Absolute error ≤ 1.2e-7 (float32 rounding of σ near 1/2), so tiny inputs lose relative precision.
 */
export function tanhWasm(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const original = originalTanh;
  if (x.dtype !== 'float32' || original === undefined) {
    if (original === undefined) throw new Error('tanhWasm called before registerWasmKernels()');
    return original.kernelFunc(args) as tf.TensorInfo;
  }
  const backend = args.backend as unknown as WasmBackendLike;
  const scalar = (v: number) => {
    const t = backend.makeOutput([], 'float32');
    backend.typedArrayFromHeap(t)[0] = v;
    return t;
  };
  const [two, one] = [scalar(2), scalar(1)];
  const run = (name: string, inputs: tf.NamedTensorInfoMap) =>
    wasmKernel(name)({ inputs, backend: args.backend, attrs: {} }) as tf.TensorInfo;
  const doubled = run('Multiply', { a: x, b: two });
  const sig = run('Sigmoid', { x: doubled });
  backend.disposeData(doubled.dataId);
  const scaled = run('Multiply', { a: sig, b: two });
  backend.disposeData(sig.dataId);
  const out = run('Sub', { a: scaled, b: one });
  for (const t of [scaled, two, one]) backend.disposeData(t.dataId);
  return out;
}

/** FLOPs of one call of a product kernel, for the thread-pool gate. */
const PRODUCT_FLOPS: Record<string, (args: KernelArgs) => number> = {
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

/**
 * Registers the missing wasm kernels, the fast `GatherV2`, `BatchMatMul` and `Tanh` replacements, the thread-pool gate
 * around `_FusedMatMul`, `Conv2D` and `Conv2DBackpropInput` (see `withThreadPool`), and a linear-time cpu
 * `UnsortedSegmentSum` (idempotent). Safe to call before or
 * after the wasm backend is initialised: kernels are looked up per call.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  const own: Array<[string, tf.KernelFunc]> = [
    ['UnsortedSegmentSum', unsortedSegmentSumWasm],
    ['Conv2DBackpropFilter', conv2dBackpropFilterWasm],
  ];
  for (const [kernelName, kernelFunc] of own) {
    // A later tfjs release may ship its own; keep that one.
    if (tf.getKernel(kernelName, 'wasm') === undefined)
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  if (tf.getKernel('UnsortedSegmentSum', 'cpu') !== undefined) tf.unregisterKernel('UnsortedSegmentSum', 'cpu');
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'cpu', kernelFunc: unsortedSegmentSumCpu });
  originalGather = tf.getKernel('GatherV2', 'wasm');
  if (originalGather !== undefined) {
    tf.unregisterKernel('GatherV2', 'wasm');
    tf.registerKernel({ ...originalGather, kernelFunc: gatherRowsWasm });
  }
  for (const [kernelName, flops] of Object.entries(PRODUCT_FLOPS)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original === undefined) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => withThreadPool(flops(args), () => original.kernelFunc(args)),
    });
  }
  originalTanh = tf.getKernel('Tanh', 'wasm');
  if (originalTanh !== undefined) {
    tf.unregisterKernel('Tanh', 'wasm');
    tf.registerKernel({ ...originalTanh, kernelFunc: tanhWasm });
  }
  originalBatchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (originalBatchMatMul !== undefined) {
    // unregister first: registering over an existing kernel prints a warning.
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({ ...originalBatchMatMul, kernelFunc: batchMatMulWasmFast });
  }
}

/** The wasm `GatherV2` kernel as tfjs ships it (before `registerWasmKernels` wrapped it), for comparisons. */
export function originalWasmGather(): tf.KernelConfig | undefined {
  return originalGather ?? tf.getKernel('GatherV2', 'wasm');
}

/** The wasm `Tanh` kernel as tfjs ships it (before `registerWasmKernels` replaced it), for comparisons. */
export function originalWasmTanh(): tf.KernelConfig | undefined {
  return originalTanh ?? tf.getKernel('Tanh', 'wasm');
}

/** The wasm `BatchMatMul` kernel as tfjs ships it (before `registerWasmKernels` wrapped it), for comparisons. */
export function originalWasmBatchMatMul(): tf.KernelConfig | undefined {
  return originalBatchMatMul ?? tf.getKernel('BatchMatMul', 'wasm');
}
