/** A chunk's output stored once: the output and the chunk's "done" mark are written in one atomic step. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from '@emr-re/tokenize';
import { jobKeys } from './keys';

/*
 * Redis runs a Lua script atomically: either the chunk is already done (a redone chunk, whose first worker died
 * after storing but before acknowledging) and nothing is written, or the output, the done mark and the job's
 * finishing time are written together.
 * KEYS: done hash, output key, meta hash. ARGV: chunk, done entry (JSON), output ('' when kept in a file), now.
 */
const STORE_ONCE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], 'finishedAt', ARGV[4])
return 1`;

/** Where a stored chunk output is: its record count, and its file when it was written under `--out-dir`. */
export interface DoneEntry {
  records: number;
  file?: string;
}

/** The file of a chunk's output under `outDir`: `<outDir>/<job>/chunk-<N>.jsonl.gz`. */
export function chunkOutputFile(outDir: string, job: string, chunk: number): string {
  return path.join(path.resolve(outDir), job, `chunk-${chunk}.jsonl.gz`);
}

/**
 * Stores a chunk's gzip output in Redis (or atomically in its file under `outDir`) and marks the chunk done, once:
 * returns false, writing nothing, when the chunk was done already.
 */
export async function storeChunkOutput(
  redis: Redis,
  job: string,
  chunk: number,
  output: Buffer,
  records: number,
  outDir?: string,
): Promise<boolean> {
  const keys = jobKeys(job);
  const entry: DoneEntry = { records };
  if (outDir !== undefined) {
    if ((await redis.hexists(keys.done, String(chunk))) === 1) return false;
    const file = chunkOutputFile(outDir, job, chunk);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // A redo racing this one writes the same records to the same name; only one of them marks the chunk done.
    await writeFileAtomic(file, output);
    entry.file = file;
  }
  const stored = await redis.eval(
    STORE_ONCE,
    3,
    keys.done,
    keys.output(chunk),
    keys.meta,
    String(chunk),
    JSON.stringify(entry),
    outDir === undefined ? output : '',
    String(Date.now()),
  );
  return stored === 1;
}

/**
 * The stored gzip output of a done chunk, from its file or from Redis; null when Redis no longer holds it.
 */
export async function readChunkOutput(
  redis: Redis,
  job: string,
  chunk: number,
  entry: DoneEntry,
): Promise<Buffer | null> {
  return entry.file !== undefined ? fs.readFile(entry.file) : redis.getBuffer(jobKeys(job).output(chunk));
}

/** The done entries of a job, by chunk number. */
export async function doneChunks(redis: Redis, job: string): Promise<Map<number, DoneEntry>> {
  const raw = await redis.hgetall(jobKeys(job).done);
  return new Map(Object.entries(raw).map(([k, v]) => [Number(k), JSON.parse(v) as DoneEntry]));
}
