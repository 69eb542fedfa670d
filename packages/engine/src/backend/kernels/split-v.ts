/**
 * wasm `SplitV` as row copies inside the heap: the stock kernel calls the stock `Slice` once per output, so copies the
 * whole input out of the heap per output.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgs, StockKernel, copyable, sliceInfo, WasmBackend } from './copy-heap';

/** The copying wasm `SplitV`, falling back on `stock` for the forms it does not handle (see the file comment). */
export function splitVWasm(stock: StockKernel): tf.KernelFunc {
  const kernel = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!copyable(x.dtype)) return stock(args);
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
  return kernel as unknown as tf.KernelFunc;
}
