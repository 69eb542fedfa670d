import { mapBatchesInOrder } from './ordered';

/** Resolves after `ms` milliseconds. */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

describe('mapBatchesInOrder', () => {
  it('yields results in input order when later batches finish first', async () => {
    const input = Array.from({ length: 23 }, (_, i) => i);
    // Batch k takes longer the earlier it is: without ordering, the output would come out reversed by batch.
    const out = await collect(
      mapBatchesInOrder(input, { batchSize: 5, inFlight: 4 }, async (batch, k) => {
        await sleep(40 - 8 * k);
        return batch.map((x) => x * 10);
      }),
    );
    expect(out).toEqual(input.map((x) => x * 10));
  });

  it('cuts the input into batches of batchSize with the rest last', async () => {
    const sizes: number[] = [];
    await collect(
      mapBatchesInOrder(
        Array.from({ length: 11 }, (_, i) => i),
        { batchSize: 4, inFlight: 2 },
        async (b) => {
          sizes.push(b.length);
          return b;
        },
      ),
    );
    expect(sizes).toEqual([4, 4, 3]);
  });

  it('keeps at most inFlight batches running and reads the input no further ahead than that', async () => {
    let running = 0;
    let maxRunning = 0;
    let read = 0;
    let yielded = 0;
    let maxAhead = 0;
    async function* source(): AsyncIterable<number> {
      for (let i = 0; i < 200; i++) {
        read++;
        maxAhead = Math.max(maxAhead, read - yielded);
        yield i;
      }
    }
    for await (const x of mapBatchesInOrder(source(), { batchSize: 10, inFlight: 3 }, async (b) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(2);
      running--;
      return b;
    })) {
      expect(x).toBe(yielded);
      yielded++;
    }
    expect(yielded).toBe(200);
    expect(maxRunning).toBe(3);
    // Items read but not yet yielded: at most inFlight full batches plus the one being filled.
    expect(maxAhead).toBeLessThanOrEqual(3 * 10 + 10);
  });

  it('ends with the error of a failed batch after the running batches settle', async () => {
    const settled: number[] = [];
    const run = mapBatchesInOrder([1, 2, 3, 4, 5, 6], { batchSize: 2, inFlight: 3 }, async (b, k) => {
      await sleep(k === 0 ? 1 : 20);
      settled.push(k);
      if (k === 1) throw new Error('batch 1 failed');
      return b;
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const x of run) seen.push(x);
      })(),
    ).rejects.toThrow('batch 1 failed');
    expect(seen).toEqual([1, 2]);
    expect(settled.sort()).toEqual([0, 1, 2]);
  });

  it('rejects a batch function that returns the wrong number of results', async () => {
    await expect(
      collect(mapBatchesInOrder([1, 2, 3], { batchSize: 3, inFlight: 1 }, async (b) => b.slice(1))),
    ).rejects.toThrow('batch 0 returned 2 results for 3 items');
  });

  it('rejects non-positive sizes', async () => {
    await expect(collect(mapBatchesInOrder([1], { batchSize: 0, inFlight: 1 }, async (b) => b))).rejects.toThrow(
      RangeError,
    );
    await expect(collect(mapBatchesInOrder([1], { batchSize: 1, inFlight: 0 }, async (b) => b))).rejects.toThrow(
      RangeError,
    );
  });
});
