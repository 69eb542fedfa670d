/**
 * Backend selection and the kernel/gradient fixes that make training work and run fast on tfjs' wasm backend.
 * Importing this module changes nothing: `selectBackend()` installs the fixes (`installEngineFixes()`, which code
 * that calls `tf.setBackend` itself must call) and starts the backend.
 */
export type { BackendName, SelectBackendOptions } from './select';
export {
  BACKEND_ENV_VAR,
  BACKEND_NAMES,
  DEFAULT_WASM_THREADS,
  WASM_THREADS_ENV_VAR,
  BackendUnavailableError,
  selectBackend,
  selectedBackend,
} from './select';
export { installEngineFixes } from './fixes';
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
  stockCpuUnsortedSegmentSum,
  unsortedSegmentSumCpu,
  unsortedSegmentSumWasm,
} from './wasm-kernels';
export {
  MAX_WASM_THREADS,
  setThreadedOpMinFlops,
  threadedOpMinFlops,
  wasmThreadsInUse,
  withThreadPool,
} from './wasm-threads';
export { IM2COL_KERNEL, im2colRows, im2colRowsFromOps, registerIm2ColKernels } from './im2col';
export {
  COPY_KERNELS,
  registerFastWasmCopyKernels,
  registerFastWasmSliceKernels,
  stockWasmCopyKernel,
} from './wasm-copy-kernels';
export { ensureBackend } from './ensure';
