/**
 * The engine's kernels for tfjs-backend-wasm 4.22.0 (and one for the cpu backend), one per file under `kernels/`:
 *
 * - `UnsortedSegmentSum` (wasm, missing in tfjs: the gradient of every embedding) and a linear-time one for cpu;
 * - `Conv2DBackpropFilter` (wasm, missing: the weight gradient of stock convolutions);
 * - `BatchMatMul`, `GatherV2` and `Tanh` (wasm): faster forms in front of tfjs' own;
 * - the thread-pool gate around `_FusedMatMul`, `Conv2D` and `Conv2DBackpropInput` (wasm, threaded build).
 *
 * `registerWasmKernels()` registers them all; `installEngineFixes()` (and so `selectBackend`) calls it.
 */
import { registerBatchMatMulWasm } from './kernels/batch-mat-mul';
import { registerConv2dBackpropFilterWasm } from './kernels/conv2d-backprop-filter';
import { registerGatherV2Wasm } from './kernels/gather-v2';
import { registerTanhWasm } from './kernels/tanh';
import { registerThreadPoolGate } from './kernels/thread-pool-gate';
import { registerUnsortedSegmentSumWasm } from './kernels/unsorted-segment-sum';
import { registerUnsortedSegmentSumCpu } from './kernels/unsorted-segment-sum-cpu';

export { batchMatMulWasmFast, originalWasmBatchMatMul } from './kernels/batch-mat-mul';
export { conv2dBackpropFilterWasm } from './kernels/conv2d-backprop-filter';
export { gatherRowsWasm, originalWasmGather } from './kernels/gather-v2';
export { originalWasmTanh, tanhWasm } from './kernels/tanh';
export { unsortedSegmentSumWasm } from './kernels/unsorted-segment-sum';
export { stockCpuUnsortedSegmentSum, unsortedSegmentSumCpu } from './kernels/unsorted-segment-sum-cpu';

/**
 * Registers the missing wasm kernels, the fast `GatherV2`, `BatchMatMul` and `Tanh` replacements, the thread-pool
 * gate around `_FusedMatMul`, `Conv2D` and `Conv2DBackpropInput` (see `withThreadPool`), and a linear-time cpu
 * `UnsortedSegmentSum` (idempotent). Safe to call before or after the wasm backend is initialised: kernels are looked
 * up per call.
 */
export function registerWasmKernels(): void {
  registerUnsortedSegmentSumWasm();
  registerConv2dBackpropFilterWasm();
  registerUnsortedSegmentSumCpu();
  registerGatherV2Wasm();
  registerThreadPoolGate();
  registerTanhWasm();
  registerBatchMatMulWasm();
}
