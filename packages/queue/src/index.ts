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
export { QueueConnectionError, connectRedis, displayRedisUrl, redisOptions } from './redis';
export { JOBS_KEY, checkJobName, chunkJobId, jobKeys, queueName } from './keys';
export type { ChunkJobData, JobKeys } from './keys';
export { ChunkFormatError, chunkRecords, decodeTextRecords, encodeLines } from './chunks';
export type { TextRecord } from './chunks';
export { CHUNK_ATTEMPTS, CHUNK_BACKOFF_MS, submitJob } from './submit';
export type { SubmitOptions, SubmitSummary } from './submit';
export { chunkOutputFile, doneChunks, readChunkOutput, storeChunkOutput } from './store';
export type { DoneEntry } from './store';
export { finishStoredChunk } from './finish';
export type { ChunkSink, FinishOptions, FinishResult } from './finish';
export { processChunk, startQueueWorker } from './work';
export type { QueueWorker, QueueWorkerEvent, QueueWorkerOptions } from './work';
export { jobStatus } from './status';
export type { JobStatus } from './status';
export { IncompleteJobError, collectJob } from './collect';
export type { CollectOptions, CollectSummary } from './collect';
