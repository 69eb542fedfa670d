/**
 * Entry point of one training thread (a worker_threads Worker). It trains a `Word2VecKernel` over its
 * slice of the shared corpus to the end (or until `control[0]` is set) and exits; progress, loss and the
 * vectors themselves live in SharedArrayBuffers that the parent reads.
 */
import { workerData } from 'node:worker_threads';
import { Word2VecKernel, type KernelArrays, type KernelConfig } from './kernel';

/** What the parent passes in `workerData`. */
export interface TrainingWorkerInput {
  arrays: KernelArrays;
  config: KernelConfig;
}

const input = workerData as TrainingWorkerInput;
const kernel = new Word2VecKernel(input.arrays, input.config);
while (!kernel.finished && Atomics.load(input.arrays.control, 0) === 0) kernel.run(1 << 20);
