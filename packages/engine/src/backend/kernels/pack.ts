/** wasm `Pack` (`tf.stack`) as row copies inside the heap: a concatenation of the inputs, each given a unit axis. */
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgs, StockKernel, concatInto, copyable, WasmBackend } from './copy-heap';

/** The copying wasm `Pack`, falling back on `stock` for the forms it does not handle (see the file comment). */
export function packWasm(stock: StockKernel): tf.KernelFunc {
  const kernel = (args: KernelArgs) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    if (inputs.length === 0 || !copyable(inputs[0].dtype)) return stock(args);
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
  return kernel as unknown as tf.KernelFunc;
}
