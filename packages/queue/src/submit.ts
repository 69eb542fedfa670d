/** `queue submit`: an input cut into chunks, each stored gzip-compressed in Redis and enqueued as one BullMQ job. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UsageError } from '@emr-re/tokenize';
import { chunkRecords, encodeLines } from './chunks';
import type { TextRecord } from './chunks';
import { JOBS_KEY, chunkJobId, jobKeys, queueName } from './keys';
import type { ChunkJobData } from './keys';
import { redisOptions } from './redis';

/** Tries and backoff of every chunk: a worker's failure (not a bad record) is retried after 1 s, 2 s, 4 s... */
export const CHUNK_ATTEMPTS = 4;
/** The first retry delay, doubled at every further try. */
export const CHUNK_BACKOFF_MS = 1000;

/** Options of `submitJob`. */
export interface SubmitOptions {
  /** The Redis URL (BullMQ opens its own connections). */
  url: string;
  /** A client of the same server (`connectRedis`), for the chunks and the job's meta. */
  redis: Redis;
  /** The job's name (`checkJobName`). */
  job: string;
  /** The records, read lazily. */
  records: Iterable<TextRecord> | AsyncIterable<TextRecord>;
  /** Records per chunk (default 500). */
  chunkSize?: number;
  /** Called after each chunk is enqueued. */
  onChunk?: (chunk: number, records: number) => void;
}

/** What `submitJob` enqueued. */
export interface SubmitSummary {
  job: string;
  chunks: number;
  records: number;
  chunkSize: number;
}

/**
 * Stores each chunk of `records` in Redis (gzip JSONL of `{id,text}`) and then enqueues its BullMQ job (id
 * `chunk-N`, `CHUNK_ATTEMPTS` tries with exponential backoff) on the job's own queue; the job's meta records the
 * number of chunks and records when the last chunk is in.
 * @throws UsageError when a job of that name exists already.
 */
export async function submitJob(options: SubmitOptions): Promise<SubmitSummary> {
  const { redis, job } = options;
  const chunkSize = options.chunkSize ?? 500;
  const keys = jobKeys(job);
  const claimed = await redis.hsetnx(keys.meta, 'submittedAt', String(Date.now()));
  if (claimed === 0) throw new UsageError(`job '${job}' exists already in Redis; choose another --job name`);
  await redis.hset(keys.meta, 'chunkSize', String(chunkSize));
  await redis.sadd(JOBS_KEY, job);
  const queue = new Queue<ChunkJobData>(queueName(job), { connection: redisOptions(options.url) });
  let chunks = 0;
  let records = 0;
  try {
    for await (const chunk of chunkRecords(options.records, chunkSize)) {
      const n = chunks++;
      await redis.set(keys.input(n), encodeLines(chunk.map((r) => JSON.stringify({ id: r.id, text: r.text }))));
      await queue.add(
        'chunk',
        { job, chunk: n, first: records, count: chunk.length },
        {
          jobId: chunkJobId(n),
          attempts: CHUNK_ATTEMPTS,
          backoff: { type: 'exponential', delay: CHUNK_BACKOFF_MS },
        },
      );
      records += chunk.length;
      options.onChunk?.(n, chunk.length);
    }
    await redis.hset(keys.meta, { chunks: String(chunks), records: String(records) });
  } finally {
    await queue.close();
  }
  return { job, chunks, records, chunkSize };
}
