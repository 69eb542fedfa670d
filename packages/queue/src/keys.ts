/** Where a queue job keeps its parts in Redis, and the name of its BullMQ queue. */
import { UsageError } from '@emr-re/tokenize';

/** The Redis set of every submitted job name (workers without `--job` work them all). */
export const JOBS_KEY = 'emr-re:jobs';

/** The Redis keys of one job. */
export interface JobKeys {
  /** Hash: chunks, records, chunkSize, submittedAt, startedAt, finishedAt. */
  meta: string;
  /** Hash: chunk number → `{"records":n,"file"?:path}` once its output is stored (written once, by a Lua script). */
  done: string;
  /** Hash: chunk number → the id of the sink (`--store DIR`) its output was added to, once added. */
  added: string;
  /** String: a chunk's input, gzip-compressed JSONL of `{id,text}` (deleted once its output is stored). */
  input(chunk: number): string;
  /** String: a chunk's output, gzip-compressed canonical JSONL (unless written under `--out-dir`). */
  output(chunk: number): string;
}

/**
 * Checks a job name: letters, digits, `_ . -`, at most 100, so it fits both Redis keys and a BullMQ queue name.
 * @throws UsageError otherwise.
 */
export function checkJobName(job: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(job))
    throw new UsageError(`--job must be letters, digits, '_', '.', '-' (at most 100), got '${job}'`);
  return job;
}

/** The keys of job `job`. */
export function jobKeys(job: string): JobKeys {
  const base = `emr-re:job:${checkJobName(job)}`;
  return {
    meta: `${base}:meta`,
    done: `${base}:done`,
    added: `${base}:added`,
    input: (chunk) => `${base}:in:${chunk}`,
    output: (chunk) => `${base}:out:${chunk}`,
  };
}

/** The BullMQ queue of job `job` (one queue per job; BullMQ forbids ':' in queue names). */
export function queueName(job: string): string {
  return `emr-re.${checkJobName(job)}`;
}

/** The BullMQ job id of a chunk: one per chunk, so a chunk is never enqueued twice. */
export function chunkJobId(chunk: number): string {
  return `chunk-${chunk}`;
}

/** What each BullMQ job carries: which chunk of which job, and where its records sit in the input. */
export interface ChunkJobData {
  job: string;
  chunk: number;
  /** The input position (0-based) of the chunk's first record. */
  first: number;
  /** Records in the chunk. */
  count: number;
}
