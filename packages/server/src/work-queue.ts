import { RequestError } from './errors';

/** Runs jobs one at a time, in arrival order, with a bounded number waiting. */
export interface WorkQueue {
  /** Runs `job` after the jobs before it. @throws RequestError 503 `busy` when `maxPending` jobs already wait. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs waiting or running. */
  readonly pending: number;
}

/**
 * A serial queue for the models: inference is CPU-bound on one thread, so running batches one after another keeps
 * memory bounded (one batch's tensors at a time) while requests interleave batch by batch.
 */
export function createWorkQueue(maxPending: number): WorkQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    get pending() {
      return pending;
    },
    run<T>(job: () => Promise<T>): Promise<T> {
      if (pending >= maxPending)
        return Promise.reject(
          new RequestError(503, 'busy', `${pending} batches are waiting for the models; retry later`),
        );
      pending++;
      const result = tail.then(job);
      const settle = (): void => {
        pending--;
      };
      tail = result.then(settle, settle);
      return result;
    },
  };
}
