/**
 * Data-movement kernels for tfjs-backend-wasm 4.22 that copy memory instead of computing indices:
 * `Slice`, `SplitV`, `Unpack`, `Reverse` (outer axis), `Concat` and `Pack`.
 *
 * Why: the stock wasm `Slice` reads its input with `backend.readSync`, which copies the WHOLE input tensor out of
 * the wasm heap on every call, and `SplitV` / `Unpack` call it once per output: unstacking a `(T, B, C)` tensor
 * into T steps copied the full tensor T times (2.5 s for T=100, B=64, C=768; one 64-row slice of a 6400×384
 * matrix: 2.2 ms, here 0.05 ms). The stock `Reverse` walks every element with index arithmetic (0.58 s for the
 * same tensor), and `Concat` builds a typed-array view per copied row (3 × (6400, 128) along axis 1: 6.9 ms, here
 * 3.4 ms). Here every copy is a `copyWithin` on one view of the whole heap (all tensors live in the same wasm
 * memory), a row at a time. (wasm's C++ `Transpose` is kept: a tiled JS transpose measured no faster.)
 * Views are taken after the last `makeOutput`, because an allocation can grow (and so replace) the heap buffer.
 * String tensors and forms not handled here go to the stock kernels, kept for that.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

/** The part of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  wasm: { HEAPU8: Uint8Array };
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** A view of the whole heap in units of the dtype's element size (4 bytes, or 1 for bool), and offsets into it. */
interface Heap {
  view: Int32Array | Uint8Array;
  /** Element offset of a tensor's first element. */
  at(t: tf.TensorInfo): number;
}

function heapFor(backend: WasmBackend, dtype: tf.DataType): Heap {
  const buffer = backend.wasm.HEAPU8.buffer;
  const bytes = dtype === 'bool' ? 1 : 4;
  const view = bytes === 1 ? new Uint8Array(buffer) : new Int32Array(buffer);
  return { view, at: (t) => backend.dataIdMap.get(t.dataId).memoryOffset / bytes };
}

/** Whether these kernels can copy `dtype` (4-byte and 1-byte types; not string or complex). */
function copyable(dtype: tf.DataType): boolean {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

/**
 * Copies the box `begin + [0, size)` of the tensor at element `src` (shape `shape`) to element `dst`, row by row
 * (`size[rank-1]` elements per `copyWithin`).
 */
function copyBox(view: Heap['view'], src: number, shape: number[], begin: number[], size: number[], dst: number): void {
  const rank = shape.length;
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return;
  if (rank === 0 || tf.slice_util.isSliceContinous(shape, begin, size)) {
    const offset = rank === 0 ? 0 : tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(shape));
    view.copyWithin(dst, src + offset, src + offset + total);
    return;
  }
  const strides = tf.util.computeStrides(shape);
  const row = size[rank - 1];
  const rows = total / row;
  const index = new Array<number>(rank - 1).fill(0);
  let base = src + begin[rank - 1];
  for (let d = 0; d < rank - 1; d++) base += begin[d] * strides[d];
  let from = base;
  let to = dst;
  for (let r = 0; r < rows; r++) {
    view.copyWithin(to, from, from + row);
    to += row;
    // Odometer over the outer axes; `from` follows incrementally.
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d] < size[d]) {
        from += strides[d];
        break;
      }
      from -= (size[d] - 1) * strides[d];
      index[d] = 0;
    }
  }
}

function sliceInfo(x: tf.TensorInfo, begin: number[], size: number[], backend: WasmBackend): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  const heap = heapFor(backend, x.dtype);
  copyBox(heap.view, heap.at(x), x.shape, begin, size, heap.at(out));
  return out;
}

/** Kernel funcs by kernel name; each falls back to the stock kernel for string tensors or other cases. */
function fastKernels(stock: Map<string, tf.KernelFunc>): Array<[string, tf.KernelFunc]> {
  const fallback = (name: string, args: KernelArgs) =>
    (stock.get(name) as tf.KernelFunc)(args as Parameters<tf.KernelFunc>[0]);
  const slice = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!copyable(x.dtype)) return fallback('Slice', args);
    const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    return sliceInfo(x, begin, size, args.backend as WasmBackend);
  };
  const splitV = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!copyable(x.dtype)) return fallback('SplitV', args);
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
    if (!copyable(value.dtype)) return fallback('Unpack', args);
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
    if (!copyable(x.dtype) || x.shape.length === 0 || axes.length !== 1 || axes[0] !== 0) {
      return fallback('Reverse', args);
    }
    const backend = args.backend as WasmBackend;
    const out = backend.makeOutput(x.shape, x.dtype);
    const heap = heapFor(backend, x.dtype);
    const [src, dst] = [heap.at(x), heap.at(out)];
    const outer = x.shape[0];
    const block = outer === 0 ? 0 : tf.util.sizeFromShape(x.shape) / outer;
    for (let t = 0; t < outer; t++) {
      const from = src + (outer - 1 - t) * block;
      heap.view.copyWithin(dst + t * block, from, from + block);
    }
    return out;
  };
  /** Concatenation of `parts` along `axis` (all shapes equal except on `axis`) into `out`. */
  const concatInto = (parts: tf.TensorInfo[], axis: number, out: tf.TensorInfo, backend: WasmBackend) => {
    const heap = heapFor(backend, out.dtype);
    const outer = tf.util.sizeFromShape(parts[0].shape.slice(0, axis));
    const inners = parts.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
    const srcs = parts.map((t) => heap.at(t));
    let to = heap.at(out);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < parts.length; i++) {
        const inner = inners[i];
        const from = srcs[i] + o * inner;
        heap.view.copyWithin(to, from, from + inner);
        to += inner;
      }
    }
  };
  const concat = (args: KernelArgs) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    if (inputs.length === 0 || !copyable(inputs[0].dtype) || inputs.some((t) => t.dtype !== inputs[0].dtype)) {
      return fallback('Concat', args);
    }
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number | number[] }).axis, inputs[0].shape)[0];
    tf.backend_util.assertParamsConsistent(
      inputs.map((t) => t.shape),
      axis,
    );
    const outShape = tf.backend_util.computeOutShape(
      inputs.map((t) => t.shape),
      axis,
    );
    const backend = args.backend as WasmBackend;
    const out = backend.makeOutput(outShape, inputs[0].dtype);
    const parts = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (parts.length > 0 && tf.util.sizeFromShape(outShape) > 0) concatInto(parts, axis, out, backend);
    return out;
  };
  const pack = (args: KernelArgs) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    if (inputs.length === 0 || !copyable(inputs[0].dtype)) return fallback('Pack', args);
    const shape = inputs[0].shape;
    for (const t of inputs) {
      tf.util.assertShapesMatch(shape, t.shape, 'All tensors passed to stack must have matching shapes');
      tf.util.assert(t.dtype === inputs[0].dtype, () => 'All tensors passed to stack must have matching dtypes');
    }
    let axis = (args.attrs as { axis: number }).axis;
    if (axis < 0) axis += shape.length + 1;
    const expanded = shape.slice();
    expanded.splice(axis, 0, 1);
    const outShape = shape.slice();
    outShape.splice(axis, 0, inputs.length);
    const backend = args.backend as WasmBackend;
    const out = backend.makeOutput(outShape, inputs[0].dtype);
    if (tf.util.sizeFromShape(outShape) > 0) {
      concatInto(
        inputs.map((t) => ({ ...t, shape: expanded })),
        axis,
        out,
        backend,
      );
    }
    return out;
  };
  return [
    ['Slice', slice as unknown as tf.KernelFunc],
    ['SplitV', splitV as unknown as tf.KernelFunc],
    ['Unpack', unpack as unknown as tf.KernelFunc],
    ['Reverse', reverse as unknown as tf.KernelFunc],
    ['Concat', concat as unknown as tf.KernelFunc],
    ['Pack', pack as unknown as tf.KernelFunc],
  ];
}

/** The kernels replaced by `registerFastWasmCopyKernels`. */
export const COPY_KERNELS = ['Slice', 'SplitV', 'Unpack', 'Reverse', 'Concat', 'Pack'] as const;

/** The stock wasm kernels, kept before they are replaced (for fallbacks, tests and benchmarks). */
const stockConfigs = new Map<string, tf.KernelConfig>();
let copyKernelsRegistered = false;

/**
 * Replaces wasm's `Slice`, `SplitV`, `Unpack`, `Reverse`, `Concat` and `Pack` kernels by the
 * copying versions above (same results). Idempotent; part of `installEngineFixes()`, so it runs when the package
 * is imported. Safe before or after `setBackend('wasm')`: the stock kernels' setup functions are kept.
 */
export function registerFastWasmCopyKernels(): void {
  if (copyKernelsRegistered) return;
  const stock = new Map<string, tf.KernelFunc>();
  for (const name of COPY_KERNELS) {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) return; // tfjs-backend-wasm not loaded: nothing to replace
    stockConfigs.set(name, config);
    stock.set(name, config.kernelFunc);
  }
  copyKernelsRegistered = true;
  for (const [name, kernelFunc] of fastKernels(stock)) {
    const config = stockConfigs.get(name) as tf.KernelConfig;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc });
  }
}

/** Former name of `registerFastWasmCopyKernels` (it covered `Slice`, `SplitV`, `Unpack` and `Reverse`). */
export const registerFastWasmSliceKernels = registerFastWasmCopyKernels;

/** A kernel replaced by `registerFastWasmCopyKernels` as tfjs ships it, for comparisons. */
export function stockWasmCopyKernel(name: (typeof COPY_KERNELS)[number]): tf.KernelConfig | undefined {
  return stockConfigs.get(name) ?? tf.getKernel(name, 'wasm');
}
