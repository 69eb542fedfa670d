/**
 * Backend selection and the kernel/gradient fixes that make training work and run fast on tfjs' wasm backend.
 * Importing this module applies the fixes, so code that calls `tf.setBackend('wasm')` itself also gets them.
 */
import { installEngineFixes } from './select';

export type { BackendName, SelectBackendOptions } from './select';
export {
  BACKEND_ENV_VAR,
  BACKEND_NAMES,
  DEFAULT_WASM_THREADS,
  WASM_THREADS_ENV_VAR,
  BackendUnavailableError,
  installEngineFixes,
  selectBackend,
  selectedBackend,
} from './select';
export { batchMatMulGradConfig, matMulGradient, registerFastGradients, stockBatchMatMulGradConfig } from './gradients';
export {
  batchMatMulWasmFast,
  conv2dBackpropFilterWasm,
  gatherRowsWasm,
  originalWasmBatchMatMul,
  originalWasmGather,
  originalWasmTanh,
  tanhWasm,
  registerWasmKernels,
  unsortedSegmentSumCpu,
  unsortedSegmentSumWasm,
} from './wasm-kernels';
export { MAX_WASM_THREADS, wasmThreadsInUse } from './wasm-threads';
export { IM2COL_KERNEL, im2colRows, im2colRowsFromOps, registerIm2ColKernels } from './im2col';
export {
  COPY_KERNELS,
  registerFastWasmCopyKernels,
  registerFastWasmSliceKernels,
  stockWasmCopyKernel,
} from './wasm-copy-kernels';

installEngineFixes();
