/** `queue collect`: a job's chunk outputs, in chunk order, as one JSONL file written atomically. */
import { gunzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { EmrReError, UsageError, writeFileAtomic } from '@emr-re/tokenize';
import { chunkJobId, jobKeys, queueName } from './keys';
import { redisOptions } from './redis';
import { doneChunks, readChunkOutput } from './store';

/** A job whose chunks are not all done cannot be collected (unless partly, on request). */
export class IncompleteJobError extends EmrReError {
  constructor(message: string) {
    super('INCOMPLETE_JOB', message);
  }
}

/** Options of `collectJob`. */
export interface CollectOptions {
  url: string;
  redis: Redis;
  job: string;
  /** The output file (claimed by the caller). */
  out: string;
  /** Write the chunks that are done and skip the others, instead of refusing. */
  partial?: boolean;
}

/** What `collectJob` wrote. */
export interface CollectSummary {
  job: string;
  chunks: number;
  /** Chunks written. */
  collected: number;
  /** Chunks not done, skipped with `partial`. */
  missing: number[];
  records: number;
  out: string;
}

/**
 * Concatenates the stored outputs of `job` in chunk order into `out` (atomically: the file appears complete or not
 * at all). Refuses, naming the chunks not done and why the failed ones failed, unless `partial`.
 * @throws IncompleteJobError when chunks are missing and `partial` is not set; UsageError for an unknown job.
 */
export async function collectJob(options: CollectOptions): Promise<CollectSummary> {
  const { redis, job } = options;
  const keys = jobKeys(job);
  const meta = await redis.hgetall(keys.meta);
  if (meta.submittedAt === undefined) throw new UsageError(`no job '${job}' in Redis`);
  if (meta.chunks === undefined) throw new IncompleteJobError(`job '${job}' is still being submitted`);
  const chunks = Number(meta.chunks);
  const done = await doneChunks(redis, job);
  const missing = Array.from({ length: chunks }, (_, i) => i).filter((i) => !done.has(i));
  if (missing.length > 0 && !options.partial) {
    const queue = new Queue(queueName(job), { connection: redisOptions(options.url) });
    const reasons: string[] = [];
    try {
      for (const chunk of missing.slice(0, 3)) {
        const j = await queue.getJob(chunkJobId(chunk));
        if (j?.failedReason) reasons.push(j.failedReason);
      }
    } finally {
      await queue.close();
    }
    throw new IncompleteJobError(
      `job '${job}': ${missing.length} of ${chunks} chunks not done (${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''})` +
        (reasons.length > 0 ? `; failed: ${reasons.join(' | ')}` : '') +
        '; --partial writes the others',
    );
  }
  let records = 0;
  async function* outputs(): AsyncIterable<Buffer> {
    for (let chunk = 0; chunk < chunks; chunk++) {
      const entry = done.get(chunk);
      if (entry === undefined) continue;
      const data = await readChunkOutput(redis, job, chunk, entry);
      if (data === null) throw new IncompleteJobError(`job '${job}': the output of chunk ${chunk} is gone from Redis`);
      records += entry.records;
      yield gunzipSync(data);
    }
  }
  await writeFileAtomic(options.out, outputs());
  return { job, chunks, collected: chunks - missing.length, missing, records, out: options.out };
}
