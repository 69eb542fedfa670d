/**
 * @emr-re/queue: extraction at hospital scale — a pool of worker threads on one machine, and chunks of a job on a
 * BullMQ queue in Redis worked by any number of machines.
 */
export { loadPipeline } from './pipeline';
export type { Pipeline, PipelineDirectories, PipelineOptions } from './pipeline';
export { mapBatchesInOrder } from './ordered';
export type { OrderedBatchOptions } from './ordered';
export { createModelPool, reviveError, workerScript } from './pool';
export type { ModelPool, ModelPoolOptions, PoolStreamOptions } from './pool';
export type { BatchOptions, BatchReply, BatchTask, PoolModels, SerializedError, WorkerSetup } from './task';
