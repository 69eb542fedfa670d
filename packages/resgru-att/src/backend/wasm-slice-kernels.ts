/**
 * Copy-free replacements for four tfjs-backend-wasm 4.22 kernels that step loops (the RNN) and im2col lean on.
 *
 * Why: the stock wasm `Slice` reads its input with `backend.readSync`, which copies the WHOLE input
 * tensor out of the wasm heap on every call; `SplitV` and `Unpack` call that `Slice` once per output.
 * Unstacking a `(T, B, C)` tensor into T steps therefore copies the full tensor T times (measured:
 * 2.5 s for T=100, B=64, C=768, against one copy's worth here). The stock `Reverse` walks every element
 * with index arithmetic (0.58 s for the same tensor); reversing the outermost axis is T block copies.
 * These kernels read and write through heap views (`typedArrayFromHeap`), taken after the last
 * `makeOutput` because an allocation can grow (and so detach) the heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

/** The part of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** Strided copy of the box `begin + [0, size)` of `xVals` (shape `shape`) into `out`, row by row. */
function copyBox(xVals: tf.TypedArray, shape: number[], begin: number[], size: number[], out: tf.TypedArray): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = xVals[0];
    return;
  }
  const strides = tf.util.computeStrides(shape);
  const row = size[rank - 1];
  const rows = tf.util.sizeFromShape(size) / Math.max(row, 1);
  const index = new Array<number>(rank - 1).fill(0);
  let outOffset = 0;
  for (let r = 0; r < rows; r++) {
    let inOffset = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) inOffset += (begin[d] + index[d]) * strides[d];
    out.set(xVals.subarray(inOffset, inOffset + row), outOffset);
    outOffset += row;
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
}

function sliceInfo(x: tf.TensorInfo, begin: number[], size: number[], backend: WasmBackend): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  const xVals = backend.typedArrayFromHeap(x);
  const outVals = backend.typedArrayFromHeap(out);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    outVals.set(xVals.subarray(offset, offset + tf.util.sizeFromShape(size)));
  } else {
    copyBox(xVals, x.shape, begin, size, outVals);
  }
  return out;
}

/** Kernel funcs by kernel name; each falls back to the stock kernel for string tensors or other cases. */
function fastKernels(stock: Map<string, tf.KernelFunc>): Array<[string, tf.KernelFunc]> {
  const fallback = (name: string, args: KernelArgs) =>
    (stock.get(name) as tf.KernelFunc)(args as Parameters<tf.KernelFunc>[0]);
  const slice = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return fallback('Slice', args);
    const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    return sliceInfo(x, begin, size, args.backend as WasmBackend);
  };
  const splitV = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return fallback('SplitV', args);
    const attrs = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[axis] = s;
      const out = sliceInfo(x, begin.slice(), size, args.backend as WasmBackend);
      begin[axis] += s;
      return out;
    });
  };
  const unpack = (args: KernelArgs) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    if (value.dtype === 'string') return fallback('Unpack', args);
    let axis = (args.attrs as { axis: number }).axis;
    if (axis < 0) axis += value.shape.length;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(value.shape.length).fill(0);
    const size = value.shape.slice();
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < value.shape[axis]; i++) {
      begin[axis] = i;
      const out = sliceInfo(value, begin, size, args.backend as WasmBackend);
      // Same buffer, axis dropped (what the stock kernel returns too).
      outs.push({ dataId: out.dataId, dtype: out.dtype, shape: outShape });
    }
    return outs;
  };
  const reverse = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const axes = tf.util.parseAxisParam((args.attrs as { dims: number | number[] }).dims, x.shape);
    if (x.dtype === 'string' || x.shape.length === 0 || axes.length !== 1 || axes[0] !== 0) {
      return fallback('Reverse', args);
    }
    const backend = args.backend as WasmBackend;
    const out = backend.makeOutput(x.shape, x.dtype);
    const xVals = backend.typedArrayFromHeap(x);
    const outVals = backend.typedArrayFromHeap(out);
    const outer = x.shape[0];
    const block = outer === 0 ? 0 : tf.util.sizeFromShape(x.shape) / outer;
    for (let t = 0; t < outer; t++) {
      const from = (outer - 1 - t) * block;
      outVals.set(xVals.subarray(from, from + block), t * block);
    }
    return out;
  };
  return [
    ['Slice', slice as unknown as tf.KernelFunc],
    ['SplitV', splitV as unknown as tf.KernelFunc],
    ['Unpack', unpack as unknown as tf.KernelFunc],
    ['Reverse', reverse as unknown as tf.KernelFunc],
  ];
}

const SLICE_KERNELS = ['Slice', 'SplitV', 'Unpack', 'Reverse'] as const;

/** The stock wasm kernels, kept before they are replaced (for fallbacks, tests and benchmarks). */
const stockConfigs = new Map<string, tf.KernelConfig>();
let sliceKernelsRegistered = false;

/**
 * Replaces wasm's `Slice`, `SplitV`, `Unpack` and `Reverse` kernels by the copy-free versions above
 * (same results). Idempotent; part of `installEngineFixes()`, so it runs when the package is imported.
 * Safe before or after `setBackend('wasm')`: the stock kernels' setup functions are kept.
 */
export function registerFastWasmSliceKernels(): void {
  if (sliceKernelsRegistered) return;
  const stock = new Map<string, tf.KernelFunc>();
  for (const name of SLICE_KERNELS) {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) return; // tfjs-backend-wasm not loaded: nothing to replace
    stockConfigs.set(name, config);
    stock.set(name, config.kernelFunc);
  }
  sliceKernelsRegistered = true;
  for (const [name, kernelFunc] of fastKernels(stock)) {
    const config = stockConfigs.get(name) as tf.KernelConfig;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc });
  }
}

/**
 * The wasm `Slice`, `SplitV`, `Unpack` or `Reverse` kernel as tfjs ships it (before
 * `registerFastWasmSliceKernels` replaced it), for comparisons.
 */
export function stockWasmSliceKernel(name: (typeof SLICE_KERNELS)[number]): tf.KernelConfig | undefined {
  return stockConfigs.get(name) ?? tf.getKernel(name, 'wasm');
}
