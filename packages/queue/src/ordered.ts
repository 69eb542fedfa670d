/** Streams items through an asynchronous batch function, several batches at once, results in input order. */

/** Options of `mapBatchesInOrder`. */
export interface OrderedBatchOptions {
  /** Items per batch (≥ 1). */
  batchSize: number;
  /**
   * Batches started and not yet yielded (≥ 1): the memory held is at most `inFlight × batchSize` items and their
   * results, whatever the size of the input.
   */
  inFlight: number;
}

/**
 * Cuts `items` into batches of `batchSize`, runs `run` on up to `inFlight` batches at once and yields the results
 * in input order, item for item (each batch's results must be as many as its items, in the same order). The input is
 * read only as fast as results are taken. A failed batch ends the stream with its error, after the batches already
 * started have settled, so none is left running.
 * @example
 * for await (const y of mapBatchesInOrder([1, 2, 3], { batchSize: 2, inFlight: 2 }, async (b) => b.map((x) => 2 * x)))
 *   console.log(y); // 2, 4, 6
 */
export async function* mapBatchesInOrder<I, O>(
  items: Iterable<I> | AsyncIterable<I>,
  options: OrderedBatchOptions,
  run: (batch: I[], index: number) => Promise<O[]>,
): AsyncGenerator<O> {
  const { batchSize, inFlight } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${batchSize}`);
  if (!Number.isInteger(inFlight) || inFlight < 1) throw new RangeError(`inFlight must be ≥ 1, got ${inFlight}`);
  const running: Array<Promise<O[]>> = [];
  let index = 0;
  const start = (batch: I[]): void => {
    const size = batch.length;
    const i = index++;
    const promise = run(batch, i).then((out) => {
      if (out.length !== size) throw new Error(`batch ${i} returned ${out.length} results for ${size} items`);
      return out;
    });
    // Settled later in order; an early rejection must not be reported as unhandled meanwhile.
    promise.catch(() => undefined);
    running.push(promise);
  };
  try {
    let pending: I[] = [];
    for await (const item of items) {
      pending.push(item);
      if (pending.length < batchSize) continue;
      start(pending);
      pending = [];
      if (running.length >= inFlight) yield* await running.shift()!;
    }
    if (pending.length > 0) start(pending);
    while (running.length > 0) yield* await running.shift()!;
  } finally {
    await Promise.allSettled(running);
  }
}
