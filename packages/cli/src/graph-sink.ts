/**
 * `emr-re queue work --store DIR`: the knowledge-graph store as the sink of a queue worker. Several workers (threads
 * of one process, processes, machines sharing the directory) may add to one store: `kg.add` takes the store's lock
 * file, reloads the graph when another writer changed it, and replaces `graph.nq` atomically; a worker that finds
 * the lock held waits for it here instead of failing its chunk.
 */
import * as path from 'node:path';
import { openGraph } from '@emr-re/kg';
import type { EmbeddedGraphStore } from '@emr-re/kg';
import type { ChunkSink } from '@emr-re/queue';
import { OutputLockedError } from '@emr-re/tokenize';
import type { EmrRecord, OutputLockInfo } from '@emr-re/tokenize';

/** How long a worker waits for another writer's lock on the store before it lets BullMQ retry the chunk. */
export const STORE_WAIT_MS = 600_000;

/** Options of `openGraphSink`. */
export interface GraphSinkOptions {
  /** Give up waiting for the lock after this long (default `STORE_WAIT_MS`): the add fails and BullMQ retries. */
  waitMs?: number;
  /** How often the lock is tried again while another writer holds it (default 200 ms). */
  pollMs?: number;
  /** Told once per add that had to wait, with the lock's holder (pid, host, command). */
  onWait?: (holder: OutputLockInfo, where: { job: string; chunk: number }) => void;
}

/** A graph store as a queue sink; `close()` releases the store's memory. */
export interface GraphSink extends ChunkSink {
  readonly store: EmbeddedGraphStore;
  close(): Promise<void>;
}

/**
 * Opens (creating it when missing or empty, as `emr-re kg add` does) the store in `dir` as a `ChunkSink` whose id
 * is the store's absolute directory. Adds of this process are run one at a time; across processes the store's lock
 * keeps them apart, and a held lock is waited for (polled every `pollMs`, for at most `waitMs`).
 * @throws GraphStoreError when `dir` is not a store (a user's mistake: one line, before any chunk is taken).
 */
export async function openGraphSink(dir: string, options: GraphSinkOptions = {}): Promise<GraphSink> {
  const store = await openGraph(path.resolve(dir));
  const waitMs = options.waitMs ?? STORE_WAIT_MS;
  const pollMs = options.pollMs ?? 200;
  let last: Promise<unknown> = Promise.resolve();
  const addWaiting = async (records: EmrRecord[], where: { job: string; chunk: number }): Promise<void> => {
    const started = Date.now();
    let told = false;
    for (;;) {
      try {
        await store.add(records);
        return;
      } catch (err) {
        if (!(err instanceof OutputLockedError)) throw err;
        if (Date.now() - started >= waitMs)
          // Not a user's mistake: BullMQ retries the chunk with backoff, and the retry adds its stored output.
          throw new Error(
            `job ${where.job} chunk ${where.chunk}: the store ${store.dir} stayed locked by pid ${err.holder.pid} on ${err.holder.host} for ${Math.round((Date.now() - started) / 1000)} s`,
          );
        if (!told) options.onWait?.(err.holder, where);
        told = true;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    }
  };
  return {
    id: store.dir,
    store,
    add(records, where) {
      const next = last.then(() => addWaiting(records, where));
      last = next.catch(() => undefined);
      return next;
    },
    async close() {
      await last;
      await store.close();
    },
  };
}
