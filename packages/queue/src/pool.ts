/** A pool of worker threads, each with its own tfjs backend and its own copy of the models. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { EmrReError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import type { BackendName } from '@emr-re/resgru-att';
import { mapBatchesInOrder } from './ordered';
import type { BatchOptions, BatchReply, BatchTask, PoolModels, SerializedError, WorkerSetup } from './task';

/** Options of `createModelPool`. */
export interface ModelPoolOptions {
  /** What every thread loads. */
  models: PoolModels;
  /** Worker threads (≥ 1). */
  threads: number;
  /** The tfjs backend each thread selects (default auto: `EMR_RE_BACKEND`, else the best installed). */
  backend?: BackendName | 'auto';
}

/** Options of `ModelPool.stream`. */
export interface PoolStreamOptions extends BatchOptions {
  /** Records per task (default 64). */
  batchSize?: number;
  /** Batches started and not yet written (default 2 × threads): bounds memory, whatever the input size. */
  inFlight?: number;
}

/** Worker threads running the models on batches of records. */
export interface ModelPool {
  /** The number of threads. */
  readonly threads: number;
  /** The backends the threads reported so far (normally one name). */
  readonly backends: ReadonlySet<string>;
  /** One batch on some thread: records in, records out, in the same order. */
  run(records: unknown[], options?: BatchOptions): Promise<EmrRecord[]>;
  /** Records streamed through the threads in batches, yielded in input order. */
  stream(records: Iterable<unknown> | AsyncIterable<unknown>, options?: PoolStreamOptions): AsyncIterable<EmrRecord>;
  /** Stops the threads (their models go with them). */
  close(): Promise<void>;
}

/**
 * The compiled worker entry. Running from compiled code it sits beside this file; running from sources (ts-jest)
 * it is the package's build, since worker threads load plain JavaScript.
 */
export function workerScript(): string {
  const beside = path.join(__dirname, 'worker.js');
  if (existsSync(beside)) return beside;
  const built = path.join(__dirname, '..', 'dist', 'worker.js');
  if (existsSync(built)) return built;
  throw new Error(`@emr-re/queue: no compiled worker at ${beside} or ${built}; build the package first`);
}

/** A worker's error as thrown in the main thread: a user's mistake stays an `EmrReError` (one line, exit 2). */
export function reviveError(error: SerializedError): Error {
  if (error.userCode !== undefined) {
    const revived = new EmrReError(error.userCode, error.message);
    revived.name = error.name;
    return revived;
  }
  const revived = new Error(`${error.message} (in a worker thread)`);
  revived.name = error.name;
  if (error.stack) revived.stack = `${error.name}: ${revived.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
  return revived;
}

/**
 * Starts `threads` worker threads that each select a backend and load `models` once, on their first batch.
 * @example
 * const pool = createModelPool({ models: { kind: 'extract', ner: 'ner', relations: 're' }, threads: 2 });
 * try { for await (const r of pool.stream(records)) console.log(r.id); } finally { await pool.close(); }
 */
export function createModelPool(options: ModelPoolOptions): ModelPool {
  const threads = options.threads;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be ≥ 1, got ${threads}`);
  const setup: WorkerSetup = { models: options.models, backend: options.backend ?? 'auto' };
  const piscina = new Piscina({
    filename: workerScript(),
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.MAX_SAFE_INTEGER,
    workerData: setup,
  });
  const backends = new Set<string>();
  const run = async (records: unknown[], batchOptions: BatchOptions = {}): Promise<EmrRecord[]> => {
    const task: BatchTask = { records, options: batchOptions };
    const reply = (await piscina.run(task)) as BatchReply;
    if (!reply.ok) throw reviveError(reply.error);
    backends.add(reply.backend);
    return reply.records;
  };
  return {
    threads,
    backends,
    run,
    stream(records, streamOptions = {}) {
      const { batchSize = 64, inFlight = 2 * threads, ...batchOptions } = streamOptions;
      return mapBatchesInOrder(records, { batchSize, inFlight }, (batch) => run(batch, batchOptions));
    },
    close: () => piscina.destroy(),
  };
}
