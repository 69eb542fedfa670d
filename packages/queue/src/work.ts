/** `queue work`: BullMQ workers that extract the chunks of submitted jobs and store each output before acknowledging. */
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { formatRecordLine, isUserError, UsageError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { decodeTextRecords, encodeLines } from './chunks';
import type { TextRecord } from './chunks';
import { JOBS_KEY, jobKeys, queueName } from './keys';
import type { ChunkJobData } from './keys';
import { redisOptions } from './redis';
import { storeChunkOutput } from './store';
import { finishStoredChunk } from './finish';
import type { ChunkSink } from './finish';

/** What a queue worker reports, one event a chunk step (the CLI renders them; the library never prints). */
export type QueueWorkerEvent =
  | { type: 'started'; job: string; chunk: number; records: number; attempt: number }
  | { type: 'stored'; job: string; chunk: number; records: number; seconds: number }
  | { type: 'already-done'; job: string; chunk: number }
  | { type: 'added'; job: string; chunk: number; records: number; seconds: number; sink: string }
  | { type: 'failed'; job: string; chunk: number; error: string; final: boolean }
  | { type: 'error'; error: string };

/** Options of `startQueueWorker`. */
export interface QueueWorkerOptions {
  /** The Redis URL (BullMQ opens its own connections). */
  url: string;
  /** A client of the same server (`connectRedis`), for chunks and outputs. */
  redis: Redis;
  /** Extraction of a chunk's records, in order (e.g. `Pipeline.extract` of a pipeline loaded once). */
  extract: (records: TextRecord[]) => Promise<EmrRecord[]>;
  /** Work this job only (default: every submitted job, new ones included). */
  job?: string;
  /** Chunks worked at once by this process (default 1). */
  concurrency?: number;
  /** Write outputs as files under this shared directory instead of into Redis. */
  outDir?: string;
  /**
   * Add each chunk's output to this sink (e.g. a graph store) after it is stored and before the chunk is
   * acknowledged; a chunk redone after its worker died is added from its stored output, once per sink.
   */
  sink?: ChunkSink;
  /** Keep each chunk's input in Redis after its output is stored (default: deleted then; outputs are kept). */
  keepInputs?: boolean;
  /**
   * BullMQ's lock on an active chunk (default 30 000 ms): a chunk whose worker died is redone after about this
   * long (the stalled check runs at the same interval).
   */
  lockDurationMs?: number;
  /** How often new jobs are looked for when `job` is not given (default 2000 ms). */
  rescanMs?: number;
  onEvent?: (event: QueueWorkerEvent) => void;
}

/** Running workers: `whenIdle` resolves once no chunk is waiting, delayed or active; `close` waits for active ones. */
export interface QueueWorker {
  whenIdle(pollMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs one chunk: reads its input, extracts, stores the output (`storeChunkOutput`), then drops the input and adds
 * the output to the sink (`finishStoredChunk`), and only then returns, so BullMQ acknowledges a chunk whose output
 * is durable (and in the sink). A chunk found stored already (its first worker died before acknowledging) is only
 * finished. Bad records (or a model's complaint about them) fail the chunk at once with an `UnrecoverableError`
 * naming positions and ids; anything else is retried with backoff.
 */
export async function processChunk(
  job: Job<ChunkJobData>,
  options: Pick<QueueWorkerOptions, 'redis' | 'extract' | 'outDir' | 'onEvent' | 'sink' | 'keepInputs'>,
): Promise<{ records: number; stored: boolean }> {
  const { redis } = options;
  const { job: name, chunk, first } = job.data;
  const keys = jobKeys(name);
  const finish = async (lines?: readonly string[]): Promise<void> => {
    const started = Date.now();
    const done = await finishStoredChunk(redis, name, chunk, {
      sink: options.sink,
      keepInputs: options.keepInputs,
      lines,
    });
    if (done.added !== undefined)
      options.onEvent?.({
        type: 'added',
        job: name,
        chunk,
        records: done.added,
        seconds: (Date.now() - started) / 1000,
        sink: options.sink!.id,
      });
  };
  const finishedBefore = async (): Promise<boolean> => {
    if ((await redis.hexists(keys.done, String(chunk))) === 0) return false;
    options.onEvent?.({ type: 'already-done', job: name, chunk });
    await finish();
    return true;
  };
  if (await finishedBefore()) return { records: 0, stored: false };
  const input = await redis.getBuffer(keys.input(chunk));
  if (input === null) {
    // Another worker (a redo racing a slow first try) may have stored the chunk and dropped its input meanwhile.
    if (await finishedBefore()) return { records: 0, stored: false };
    throw new UnrecoverableError(`chunk ${chunk}: its input is missing from Redis`);
  }
  let records: TextRecord[];
  try {
    records = decodeTextRecords(input, chunk, first);
  } catch (err) {
    if (isUserError(err)) throw new UnrecoverableError((err as Error).message);
    throw err;
  }
  const started = Date.now();
  options.onEvent?.({ type: 'started', job: name, chunk, records: records.length, attempt: job.attemptsStarted });
  await redis.hsetnx(keys.meta, 'startedAt', String(started));
  let output: EmrRecord[];
  try {
    output = await options.extract(records);
  } catch (err) {
    if (isUserError(err)) throw new UnrecoverableError(`chunk ${chunk}: ${(err as Error).message}`);
    throw err;
  }
  if (output.length !== records.length)
    throw new Error(`chunk ${chunk}: extraction returned ${output.length} records for ${records.length}`);
  const lines = output.map(formatRecordLine);
  const stored = await storeChunkOutput(redis, name, chunk, encodeLines(lines), output.length, options.outDir);
  if (stored)
    options.onEvent?.({
      type: 'stored',
      job: name,
      chunk,
      records: output.length,
      seconds: (Date.now() - started) / 1000,
    });
  else options.onEvent?.({ type: 'already-done', job: name, chunk });
  // A worker racing this one stored first: the sink gets what is stored, read back, not this worker's copy.
  await finish(stored ? lines : undefined);
  return { records: output.length, stored };
}

/**
 * Starts BullMQ workers on the queue of `job`, or of every submitted job (looking for new ones every `rescanMs`).
 * @throws UsageError when `job` was never submitted.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { redis } = options;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const connection = { ...redisOptions(options.url), maxRetriesPerRequest: null };
  const running = new Map<string, { worker: Worker<ChunkJobData>; queue: Queue<ChunkJobData> }>();
  if (options.job !== undefined && (await redis.exists(jobKeys(options.job).meta)) === 0)
    throw new UsageError(`no job '${options.job}' in Redis (submit it first with emr-re queue submit)`);
  const add = (job: string): void => {
    if (running.has(job)) return;
    const worker = new Worker<ChunkJobData>(queueName(job), (j) => processChunk(j, options), {
      connection,
      concurrency: options.concurrency ?? 1,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 1,
    });
    worker.on('failed', (j, err) => {
      if (j === undefined) return;
      const final = err instanceof UnrecoverableError || j.attemptsMade >= (j.opts.attempts ?? 1);
      options.onEvent?.({ type: 'failed', job, chunk: j.data.chunk, error: err.message.split('\n')[0], final });
    });
    worker.on('error', (err) => options.onEvent?.({ type: 'error', error: err.message.split('\n')[0] }));
    running.set(job, { worker, queue: new Queue<ChunkJobData>(queueName(job), { connection }) });
  };
  const scan = async (): Promise<void> => {
    for (const job of options.job !== undefined ? [options.job] : await redis.smembers(JOBS_KEY)) add(job);
  };
  await scan();
  const timer =
    options.job === undefined
      ? setInterval(() => {
          scan().catch((err: Error) => options.onEvent?.({ type: 'error', error: err.message.split('\n')[0] }));
        }, options.rescanMs ?? 2000)
      : undefined;
  timer?.unref();
  const pending = async (): Promise<number> => {
    let n = 0;
    for (const { queue } of running.values()) {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
      n += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    return n;
  };
  return {
    async whenIdle(pollMs = 300) {
      for (;;) {
        if ((await pending()) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await Promise.all([...running.values()].map(({ worker }) => worker.close()));
      await Promise.all([...running.values()].map(({ queue }) => queue.close()));
    },
  };
}
