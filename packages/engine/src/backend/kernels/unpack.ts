/**
 * wasm `Unpack` (`tf.unstack`) as row copies inside the heap: the stock kernel slices once per output, each slice
 * copying the whole input out of the heap (unstacking a `(T, B, C)` tensor into T steps copied it T times: 2.5 s for
 * T=100, B=64, C=768).
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgs, StockKernel, copyable, sliceInfo, WasmBackend } from './copy-heap';

/** The copying wasm `Unpack`, falling back on `stock` for the forms it does not handle (see the file comment). */
export function unpackWasm(stock: StockKernel): tf.KernelFunc {
  const kernel = (args: KernelArgs) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    if (!copyable(value.dtype)) return stock(args);
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
  return kernel as unknown as tf.KernelFunc;
}
