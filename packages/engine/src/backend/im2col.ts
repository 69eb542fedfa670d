/**
 * `EmrIm2Col1D`: the patch matrix of a "same" 1-D convolution in one kernel, for the wasm and cpu backends.
 *
 * `x (batch, length, channels)` → `(batch·length, window·channels [+ 1])`: row (b, t) holds
 * `x[b, t−p … t+p]` (p = (window − 1) / 2), zeros beyond either end and at steps whose optional
 * `mask (batch, length)` is 0 (the mask is 0/1: masked steps are zeroed, others copied), and with `appendOnes` a
 * final column of ones (so one product also adds a bias, or sums rows for the bias gradient).
 * On wasm each step row is one `copyWithin` inside the heap; composed of tfjs ops (pad, `window` slices, concat,
 * mask multiply) the same matrix costs three full copies. Other backends get that composition (`im2colRows`).
 * The kernel has no gradient: it is meant for custom-gradient code (the convolution layers use it in their
 * forward and backward passes).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { ShapeError } from '../errors';

/** Kernel name. */
export const IM2COL_KERNEL = 'EmrIm2Col1D';

/** Attributes of `EmrIm2Col1D`. */
interface Im2ColAttrs {
  window: number;
  appendOnes: boolean;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Fills `out` (rows × width) from `x` on one typed array `view` (offsets in elements); see the file comment. */
function fillPatches(
  view: Float32Array,
  x: number,
  mask: number | undefined,
  out: number,
  [batch, length, channels]: number[],
  { window, appendOnes }: Im2ColAttrs,
  maskView: Float32Array | undefined = mask === undefined ? undefined : view,
): void {
  const half = (window - 1) / 2;
  const width = window * channels + (appendOnes ? 1 : 0);
  let row = out;
  for (let b = 0; b < batch; b++) {
    const xRow = x + b * length * channels;
    const mRow = mask === undefined ? 0 : mask + b * length;
    for (let t = 0; t < length; t++) {
      let to = row;
      for (let j = 0; j < window; j++) {
        const s = t + j - half;
        if (s < 0 || s >= length || (maskView !== undefined && maskView[mRow + s] === 0)) {
          view.fill(0, to, to + channels);
        } else {
          const from = xRow + s * channels;
          view.copyWithin(to, from, from + channels);
        }
        to += channels;
      }
      if (appendOnes) view[to] = 1;
      row += width;
    }
  }
}

function outShape(x: tf.TensorInfo, attrs: Im2ColAttrs): number[] {
  const [batch, length, channels] = x.shape;
  return [batch * length, attrs.window * channels + (attrs.appendOnes ? 1 : 0)];
}

function checkInputs(x: tf.TensorInfo, mask: tf.TensorInfo | undefined, attrs: Im2ColAttrs): void {
  if (x.shape.length !== 3 || x.dtype !== 'float32')
    throw new ShapeError(IM2COL_KERNEL, `${IM2COL_KERNEL}: x must be float32 (batch, length, channels)`);
  if (!Number.isInteger(attrs.window) || attrs.window < 1 || attrs.window % 2 === 0) {
    throw new RangeError(`${IM2COL_KERNEL}: window must be odd and positive, got ${attrs.window}`);
  }
  if (
    mask !== undefined &&
    (mask.dtype !== 'float32' ||
      mask.shape.length !== 2 ||
      mask.shape[0] !== x.shape[0] ||
      mask.shape[1] !== x.shape[1])
  ) {
    throw new ShapeError(IM2COL_KERNEL, `${IM2COL_KERNEL}: mask must be float32 (batch, length)`);
  }
}

/** The parts of tfjs-backend-wasm's `BackendWasm` used here. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  wasm: { HEAPU8: Uint8Array };
}

function im2colWasm(args: KernelArgs): tf.TensorInfo {
  const { x, mask } = args.inputs as { x: tf.TensorInfo; mask?: tf.TensorInfo };
  const attrs = args.attrs as unknown as Im2ColAttrs;
  checkInputs(x, mask, attrs);
  const backend = args.backend as unknown as WasmBackendLike;
  const out = backend.makeOutput(outShape(x, attrs), 'float32');
  if (tf.util.sizeFromShape(out.shape) === 0) return out;
  // After makeOutput: an allocation can replace the heap buffer.
  const view = new Float32Array(backend.wasm.HEAPU8.buffer);
  const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset / 4;
  fillPatches(view, at(x), mask === undefined ? undefined : at(mask), at(out), x.shape, attrs);
  return out;
}

/** The parts of tfjs-backend-cpu's `MathBackendCPU` used here. */
interface CpuBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

function im2colCpu(args: KernelArgs): tf.TensorInfo {
  const { x, mask } = args.inputs as { x: tf.TensorInfo; mask?: tf.TensorInfo };
  const attrs = args.attrs as unknown as Im2ColAttrs;
  checkInputs(x, mask, attrs);
  const backend = args.backend as unknown as CpuBackendLike;
  const shape = outShape(x, attrs);
  const xValues = backend.readSync(x.dataId) as Float32Array;
  const out = new Float32Array(xValues.length + tf.util.sizeFromShape(shape));
  out.set(xValues);
  const maskValues = mask === undefined ? undefined : (backend.readSync(mask.dataId) as Float32Array);
  // x sits at the start of the scratch array, the patches after it.
  fillPatches(out, 0, maskValues === undefined ? undefined : 0, xValues.length, x.shape, attrs, maskValues);
  return backend.makeTensorInfo(shape, 'float32', out.slice(xValues.length));
}

let registered = false;

/** Registers `EmrIm2Col1D` for wasm and cpu (idempotent). */
export function registerIm2ColKernels(): void {
  if (registered) return;
  registered = true;
  for (const [backendName, kernelFunc] of [
    ['wasm', im2colWasm],
    ['cpu', im2colCpu],
  ] as const) {
    if (tf.getKernel(IM2COL_KERNEL, backendName) === undefined)
      tf.registerKernel({ kernelName: IM2COL_KERNEL, backendName, kernelFunc });
  }
}

/**
 * Patch rows `(batch·length, window·channels [+ 1])` of `x (batch, length, channels)` (see the file comment): the
 * `EmrIm2Col1D` kernel where the active backend has it, else the same matrix from tfjs ops. Not differentiable.
 */
export function im2colRows(x: tf.Tensor3D, window: number, mask?: tf.Tensor2D, appendOnes = false): tf.Tensor2D {
  const attrs = { window, appendOnes };
  if (tf.getKernel(IM2COL_KERNEL, tf.getBackend()) !== undefined) {
    const inputs = (mask === undefined ? { x } : { x, mask }) as unknown as tf.NamedTensorMap;
    return tf.engine().runKernel(IM2COL_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  return im2colRowsFromOps(x, window, mask, appendOnes);
}

/** `im2colRows` composed of tfjs ops (pad, slices, concat, mask multiply): any backend, differentiable. */
export function im2colRowsFromOps(x: tf.Tensor3D, window: number, mask?: tf.Tensor2D, appendOnes = false): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, length, channels] = x.shape;
    const half = (window - 1) / 2;
    const masked = mask === undefined ? x : tf.mul(x, tf.expandDims(mask, 2));
    const padded = tf.pad(masked, [
      [0, 0],
      [half, half],
      [0, 0],
    ]);
    const parts: tf.Tensor[] = [];
    for (let j = 0; j < window; j++) parts.push(tf.slice(padded, [0, j, 0], [batch, length, channels]));
    if (appendOnes) parts.push(tf.ones([batch, length, 1]));
    return tf.reshape(tf.concat(parts, 2), [batch * length, window * channels + (appendOnes ? 1 : 0)]) as tf.Tensor2D;
  });
}
