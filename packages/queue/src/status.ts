/** `queue status`: a job's progress from BullMQ's counts and the job's own meta in Redis. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UsageError } from '@emr-re/tokenize';
import { jobKeys, queueName } from './keys';
import { redisOptions } from './redis';
import { doneChunks } from './store';

/** The progress of a job (`emr-re queue status --json` prints exactly these fields). */
export interface JobStatus {
  job: string;
  /** Chunks submitted. */
  chunks: number;
  /** Chunks done (output stored and acknowledged). */
  completed: number;
  /** Chunks failed for good (bad records, or out of tries). */
  failed: number;
  /** Chunks waiting, including those delayed before a retry. */
  waiting: number;
  /** Chunks being worked now. */
  active: number;
  /** Records submitted. */
  records: number;
  /** Records stored per second, from the first chunk started to the last one stored (0 before any). */
  recordsPerSecond: number;
}

/**
 * The status of `job`.
 * @throws UsageError when the job was never submitted.
 */
export async function jobStatus(url: string, redis: Redis, job: string): Promise<JobStatus> {
  const meta = await redis.hgetall(jobKeys(job).meta);
  if (meta.submittedAt === undefined) throw new UsageError(`no job '${job}' in Redis`);
  const queue = new Queue(queueName(job), { connection: redisOptions(url) });
  try {
    const counts = await queue.getJobCounts('completed', 'failed', 'wait', 'delayed', 'prioritized', 'active');
    const done = await doneChunks(redis, job);
    const stored = [...done.values()].reduce((n, e) => n + e.records, 0);
    const seconds = (Number(meta.finishedAt ?? 0) - Number(meta.startedAt ?? 0)) / 1000;
    return {
      job,
      chunks: Number(meta.chunks ?? 0),
      completed: counts.completed,
      failed: counts.failed,
      waiting: counts.wait + counts.delayed + counts.prioritized,
      active: counts.active,
      records: Number(meta.records ?? 0),
      recordsPerSecond: meta.startedAt !== undefined && seconds > 0 ? Math.round((stored / seconds) * 10) / 10 : 0,
    };
  } finally {
    await queue.close();
  }
}
