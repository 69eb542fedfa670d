/**
 * wasm `Slice` as row copies inside the heap. The stock kernel reads its input with `backend.readSync`, which copies
 * the WHOLE input tensor out of the wasm heap on every call (one 64-row slice of a 6400×384 matrix: 2.2 ms, here
 * 0.05 ms).
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgs, StockKernel, copyable, sliceInfo, WasmBackend } from './copy-heap';

/** The copying wasm `Slice`, falling back on `stock` for the forms it does not handle (see the file comment). */
export function sliceWasm(stock: StockKernel): tf.KernelFunc {
  const kernel = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!copyable(x.dtype)) return stock(args);
    const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    return sliceInfo(x, begin, size, args.backend as WasmBackend);
  };
  return kernel as unknown as tf.KernelFunc;
}
