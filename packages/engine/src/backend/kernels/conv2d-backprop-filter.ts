/**
 * `Conv2DBackpropFilter` on wasm, which tfjs-backend-wasm 4.22.0 lacks: the weight gradient of stock
 * `tf.conv1d` / `tf.conv2d`, so without it no stock convolution trains on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { KernelArgs, WasmBackendLike, wasmKernel } from './wasm-backend';

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

let registered = false;

/** Registers `conv2dBackpropFilterWasm` unless the wasm backend already has the kernel (idempotent). */
export function registerConv2dBackpropFilterWasm(): void {
  if (registered) return;
  registered = true;
  // A later tfjs release may ship its own; keep that one.
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined)
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2dBackpropFilterWasm,
    });
}
