/**
 * What the copying wasm kernels (`Slice`, `SplitV`, `Unpack`, `Reverse`, `Concat`, `Pack`) share: every copy is a
 * `copyWithin` on one view of the whole wasm heap (all tensors live in the same memory), a row at a time. Views are
 * taken after the last `makeOutput`, because an allocation can grow (and so replace) the heap buffer.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's `BackendWasm` these kernels use. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  wasm: { HEAPU8: Uint8Array };
}

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** A view of the whole heap in units of the dtype's element size (4 bytes, or 1 for bool), and offsets into it. */
export interface Heap {
  view: Int32Array | Uint8Array;
  /** Element offset of a tensor's first element. */
  at(t: tf.TensorInfo): number;
}

export function heapFor(backend: WasmBackend, dtype: tf.DataType): Heap {
  const buffer = backend.wasm.HEAPU8.buffer;
  const bytes = dtype === 'bool' ? 1 : 4;
  const view = bytes === 1 ? new Uint8Array(buffer) : new Int32Array(buffer);
  return { view, at: (t) => backend.dataIdMap.get(t.dataId).memoryOffset / bytes };
}

/** Whether these kernels can copy `dtype` (4-byte and 1-byte types; not string or complex). */
export function copyable(dtype: tf.DataType): boolean {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

/**
 * Copies the box `begin + [0, size)` of the tensor at element `src` (shape `shape`) to element `dst`, row by row
 * (`size[rank-1]` elements per `copyWithin`).
 */
export function copyBox(
  view: Heap['view'],
  src: number,
  shape: number[],
  begin: number[],
  size: number[],
  dst: number,
): void {
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

export function sliceInfo(x: tf.TensorInfo, begin: number[], size: number[], backend: WasmBackend): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  const heap = heapFor(backend, x.dtype);
  copyBox(heap.view, heap.at(x), x.shape, begin, size, heap.at(out));
  return out;
}

/** Concatenation of `parts` along `axis` (all shapes equal except on `axis`) into `out`. */
export function concatInto(parts: tf.TensorInfo[], axis: number, out: tf.TensorInfo, backend: WasmBackend): void {
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
}

/** A stock kernel to fall back on (string tensors, forms not handled here). */
export type StockKernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
