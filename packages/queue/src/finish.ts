/**
 * What a worker does once a chunk's output is stored: its input is dropped from Redis, and its records are added to
 * a sink (a graph store) once per sink, marked in Redis only after the sink took them.
 */
import { gunzipSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import { parseRecordLine } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { jobKeys } from './keys';
import { readChunkOutput } from './store';
import type { DoneEntry } from './store';

/** Where a worker adds each stored chunk output: e.g. the knowledge-graph store of `emr-re queue work --store DIR`. */
export interface ChunkSink {
  /** Names the sink in the job's marks (the store's directory): a chunk marked as added to it is not added again. */
  readonly id: string;
  /**
   * Adds a chunk's records, parsed back from its stored canonical JSONL (so exactly what `emr-re kg add` of the
   * collected file reads). Must be idempotent: a chunk whose worker died after adding, before marking, is added
   * again. An error leaves the chunk unmarked; BullMQ retries it, and the retry adds the stored output.
   */
  add(records: EmrRecord[], where: { job: string; chunk: number }): Promise<void>;
}

/** What `finishStoredChunk` did. */
export interface FinishResult {
  /** Whether the chunk's input was deleted from Redis now (false with `keepInputs`, or when already gone). */
  inputDropped: boolean;
  /** Records added to the sink now; undefined when there is no sink or the chunk was added to it before. */
  added?: number;
}

/** Options of `finishStoredChunk`. */
export interface FinishOptions {
  sink?: ChunkSink;
  /** Keep the chunk's input in Redis (default: deleted once the output is stored). */
  keepInputs?: boolean;
  /** The chunk's output as canonical JSONL lines when the caller has them (else read back from where it is stored). */
  lines?: readonly string[];
}

/** The canonical JSONL lines of a done chunk's stored output. */
async function storedLines(redis: Redis, job: string, chunk: number): Promise<string[]> {
  const raw = await redis.hget(jobKeys(job).done, String(chunk));
  if (raw === null) throw new Error(`job ${job} chunk ${chunk}: not stored, nothing to add`);
  const data = await readChunkOutput(redis, job, chunk, JSON.parse(raw) as DoneEntry);
  if (data === null) throw new Error(`job ${job} chunk ${chunk}: its stored output is gone from Redis`);
  const lines = gunzipSync(data).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Finishes a chunk whose output is stored (by this worker or, for a redone chunk, an earlier one): deletes its input
 * unless `keepInputs`, then adds its records to `sink` unless the job's marks say they were added to that sink
 * already, and marks them added. Safe to call again for the same chunk at any point: every step is idempotent.
 */
export async function finishStoredChunk(
  redis: Redis,
  job: string,
  chunk: number,
  options: FinishOptions = {},
): Promise<FinishResult> {
  const keys = jobKeys(job);
  const result: FinishResult = { inputDropped: false };
  if (!options.keepInputs) result.inputDropped = (await redis.del(keys.input(chunk))) === 1;
  const { sink } = options;
  if (sink === undefined || (await redis.hget(keys.added, String(chunk))) === sink.id) return result;
  const lines = options.lines ?? (await storedLines(redis, job, chunk));
  // Record ids and line numbers name a bad line (never its text), as in every other parse of canonical JSONL.
  const records = lines.map((line, i) => parseRecordLine(line, { file: `job ${job} chunk ${chunk}`, line: i + 1 }));
  await sink.add(records, { job, chunk });
  await redis.hset(keys.added, String(chunk), sink.id);
  result.added = records.length;
  return result;
}
