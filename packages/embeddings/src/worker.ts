/**
 * Entry point of one training thread (a worker_threads Worker). It trains a `Word2VecKernel` (or, given
 * `wasm`, a `WasmWord2VecKernel` instantiated on the shared WebAssembly.Memory) over its slice of the
 * shared corpus to the end (or until `control[0]` is set) and exits; progress, loss and the vectors
 * themselves live in shared memory that the parent reads.
 */
import { workerData } from 'node:worker_threads';
import { Word2VecKernel, type KernelArrays, type KernelConfig } from './kernel';
import { WasmWord2VecKernel, type WasmKernelContext } from './simd/wasm-kernel';

/** What the parent passes in `workerData`. */
export interface TrainingWorkerInput {
  arrays: KernelArrays;
  config: KernelConfig;
  /** Set for the wasm kernel: the compiled module and the shared memory every thread instantiates it on. */
  wasm?: WasmKernelContext;
}

const input = workerData as TrainingWorkerInput;
const kernel = input.wasm
  ? new WasmWord2VecKernel(input.arrays, input.config, input.wasm)
  : new Word2VecKernel(input.arrays, input.config);
while (!kernel.finished && Atomics.load(input.arrays.control, 0) === 0) kernel.run(1 << 20);
