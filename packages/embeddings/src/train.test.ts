import { SeededRandom } from '@emr-re/tokenize';
import { UsageError, type ProgressEvent } from '@emr-re/tokenize';
import { EmbeddingCorpusError } from './errors';
import { STATS_PER_THREAD, Word2VecKernel, type KernelArrays, type KernelConfig } from './kernel';
import { createWasmKernelContext, wasmKernelLayout, WasmWord2VecKernel } from './simd/wasm-kernel';
import { nearestNeighbours, type EmbeddingTable } from './table';
import { keepProbabilities, negativeSamplingTable, trainWord2Vec } from './train';

/** Deterministic test data: `sentences` lines, each `length` characters drawn from one of `groups` groups of 6. */
function groupedCorpus(
  sentences: number,
  length: number,
  groups = 4,
  seed = 7,
): { lines: string[]; groupOf: Map<string, number> } {
  const alphabet = '心肝脾肺肾胃胸腹头颈手足红肿热痛咳喘血尿便秘呕吐'; // 24 characters
  const groupOf = new Map<string, number>();
  for (let i = 0; i < groups * 6; i++) groupOf.set(alphabet[i], Math.floor(i / 6));
  const rng = new SeededRandom(seed);
  const rand = (n: number): number => rng.int(n);
  const lines: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const g = rand(groups);
    let line = '';
    for (let i = 0; i < length; i++) line += alphabet[g * 6 + rand(6)] + (i % 7 === 6 ? ' ' : '');
    lines.push(line);
  }
  return { lines, groupOf };
}

/** Share of each token's 5 nearest neighbours that lie in its own group. */
function groupPrecision(table: EmbeddingTable, groupOf: Map<string, number>): number {
  let hits = 0;
  let total = 0;
  for (const token of table.tokens) {
    for (const n of nearestNeighbours(table, token, 5)) {
      hits += groupOf.get(n.token) === groupOf.get(token) ? 1 : 0;
      total++;
    }
  }
  return hits / total;
}

describe('sampling tables', () => {
  it('draws noise tokens in proportion to count^0.75', () => {
    const table = negativeSamplingTable([8, 1, 1]);
    const share = [0, 0, 0];
    for (const t of table) share[t]++;
    // 8^0.75 = 4.7568; shares 4.7568 / 6.7568 = 0.70400, 1 / 6.7568 = 0.14800
    expect(share[0] / table.length).toBeCloseTo(0.704, 3);
    expect(share[1] / table.length).toBeCloseTo(0.148, 3);
    expect(share[2] / table.length).toBeCloseTo(0.148, 3);
  });

  it("keeps frequent tokens with word2vec's subsampling probability", () => {
    // total 1011, sample 1e-3: threshold 1.011; (sqrt(1000/1.011) + 1) * 1.011/1000 = 0.0328072;
    // (sqrt(10/1.011) + 1) * 0.1011 = 0.4190623; the singleton's 2.016 is capped at 1
    const keep = keepProbabilities([1000, 10, 1], 1e-3);
    expect(keep[0]).toBeCloseTo(0.0328072, 6);
    expect(keep[1]).toBeCloseTo(0.4190623, 6);
    expect(keep[2]).toBe(1);
    expect(Array.from(keepProbabilities([1000, 10], 0))).toEqual([1, 1]);
  });
});

/** A kernel of either kind over `vocab` tokens, with its (possibly wasm-memory) syn0/syn1/negTable. */
function makeKernel(
  kind: 'js' | 'wasm',
  vocab: number,
  negTable: number[],
  rest: Omit<KernelArrays, 'syn0' | 'syn1' | 'negTable'>,
  config: KernelConfig,
): { kernel: Word2VecKernel; syn0: Float32Array; syn1: Float32Array } {
  if (kind === 'js') {
    const arrays = {
      ...rest,
      syn0: new Float32Array(vocab * config.dim),
      syn1: new Float32Array(vocab * config.dim),
      negTable: Int32Array.from(negTable),
    };
    return { kernel: new Word2VecKernel(arrays, config), syn0: arrays.syn0, syn1: arrays.syn1 };
  }
  const layout = wasmKernelLayout(vocab, config.dim, config.negative, negTable.length, 1)!;
  const wasm = createWasmKernelContext(layout)!;
  wasm.negTable.set(negTable);
  const arrays = { ...rest, syn0: wasm.syn0, syn1: wasm.syn1, negTable: wasm.negTable };
  return { kernel: new WasmWord2VecKernel(arrays, config, wasm.context), syn0: wasm.syn0, syn1: wasm.syn1 };
}

describe.each(['js', 'wasm'] as const)('Word2VecKernel (%s)', (kind) => {
  it('moves vectors along the numerical gradient of -log sigmoid(u.v)', () => {
    // dim 6 covers the wasm code's groups of four and its single-value tail
    const dim = 6;
    const u0 = [0.3, -0.2, 0.5, 0.1, -0.4, 0.25]; // syn0 of token 1 (the context of token 0)
    const v0 = [0.4, 0.6, -0.3, 0.2, 0.15, -0.35]; // syn1 of token 0 (the predicted centre)
    const alpha = 0.1;
    const { kernel, syn0, syn1 } = makeKernel(
      kind,
      2,
      [0],
      {
        ids: Int32Array.from([0, 1, -1]),
        keep: Float32Array.from([1, 1]),
        stats: new Float64Array(STATS_PER_THREAD),
        control: new Int32Array(1),
      },
      {
        dim,
        window: 1,
        negative: 0,
        cbow: false,
        learningRate: alpha,
        epochs: 1,
        totalWords: 1e9,
        threads: 1,
        thread: 0,
        from: 0,
        to: 3,
        seed: 3,
      },
    );
    syn0.set(u0, dim);
    syn1.set(v0, 0);
    kernel.run(10);
    const loss = (u: number[], v: number[]): number =>
      -Math.log(1 / (1 + Math.exp(-u.reduce((s, x, i) => s + x * v[i], 0))));
    const h = 1e-6;
    for (let k = 0; k < dim; k++) {
      const up = [...u0];
      const down = [...u0];
      up[k] += h;
      down[k] -= h;
      const grad = (loss(up, v0) - loss(down, v0)) / (2 * h);
      // syn0[1] took one SGD step on the pair (1 -> 0); the sigmoid table is exact to about 3e-3
      expect(syn0[dim + k] - u0[k]).toBeCloseTo(-alpha * grad, 3);
      const vp = [...v0];
      const vm = [...v0];
      vp[k] += h;
      vm[k] -= h;
      const gradV = (loss(u0, vp) - loss(u0, vm)) / (2 * h);
      expect(syn1[k] - v0[k]).toBeCloseTo(-alpha * gradV, 3);
    }
    // counted 2 words, 2 positive pairs (0 -> 1 and 1 -> 0), loss near 2 * ln 2 for the untrained second pair
    const stats = (kernel as unknown as { a: { stats: Float64Array } }).a.stats;
    expect(stats[0]).toBe(2);
    expect(stats[2]).toBe(2);
    expect(kernel.finished).toBe(true);
  });
});

describe.each(['js', 'wasm'] as const)('trainWord2Vec (kernel %s)', (kernel) => {
  const { lines, groupOf } = groupedCorpus(300, 30);
  const base = { dim: 16, window: 3, negative: 5, epochs: 4, sample: 0, threads: 1, seed: 11, kernel };

  it('skip-gram puts characters that co-occur next to each other, and reports progress', async () => {
    const events: ProgressEvent[] = [];
    const table = await trainWord2Vec(lines, base, { onProgress: (e) => events.push(e) });
    expect(table.size).toBe(24);
    expect(table.dim).toBe(16);
    expect(groupPrecision(table, groupOf)).toBeGreaterThanOrEqual(0.95);
    const last = events[events.length - 1];
    expect(last.phase).toBe('embeddings');
    expect(last.total).toBe(4 * 300 * 30);
    expect(last.done).toBe(last.total);
    expect(last.values!['words/s']).toBeGreaterThan(0);
    expect(last.values!.lr).toBeCloseTo(0.025 * 1e-4, 8);
    // untrained pairs cost ln 2 = 0.693 each; a learnt corpus costs much less
    expect(last.values!.loss).toBeGreaterThan(0);
    expect(last.values!.loss).toBeLessThan(0.5);
    for (let i = 1; i < events.length; i++) expect(events[i].done).toBeGreaterThanOrEqual(events[i - 1].done);
  });

  it('is deterministic for a seed on one thread', async () => {
    const a = await trainWord2Vec(lines.slice(0, 60), { ...base, epochs: 1, sample: 1e-3 });
    const b = await trainWord2Vec(lines.slice(0, 60), { ...base, epochs: 1, sample: 1e-3 });
    const c = await trainWord2Vec(lines.slice(0, 60), { ...base, epochs: 1, sample: 1e-3, seed: 12 });
    expect(a.tokens).toEqual(b.tokens);
    expect(Array.from(a.vectors)).toEqual(Array.from(b.vectors));
    expect(Array.from(a.vectors)).not.toEqual(Array.from(c.vectors));
  });

  it('CBOW learns the same structure', async () => {
    const table = await trainWord2Vec(lines, { ...base, model: 'cbow' });
    expect(groupPrecision(table, groupOf)).toBeGreaterThanOrEqual(0.95);
  });

  it('trains on two worker threads (Hogwild) from an async stream', async () => {
    async function* stream(): AsyncGenerator<string> {
      yield* lines;
    }
    const table = await trainWord2Vec(stream(), { ...base, threads: 2 });
    expect(table.size).toBe(24);
    expect(table.vectors.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(groupPrecision(table, groupOf)).toBeGreaterThanOrEqual(0.95);
  });

  it.each([1, 2])('stops when aborted (threads %i)', async (threads) => {
    const big = groupedCorpus(4000, 50).lines;
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    await expect(
      trainWord2Vec(big, { dim: 100, epochs: 50, threads, kernel }, { signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(10000);
  });

  it('rejects an empty corpus and bad options with user errors', async () => {
    await expect(trainWord2Vec(['  ', ''], base)).rejects.toThrow(EmbeddingCorpusError);
    await expect(trainWord2Vec(['ab'], { ...base, minCount: 2 })).rejects.toThrow(
      'the corpus has no token seen at least 2 times',
    );
    await expect(trainWord2Vec(['ab'], { dim: 0 })).rejects.toThrow(UsageError);
    await expect(trainWord2Vec(['ab'], { window: 1.5 })).rejects.toThrow('window must be an integer >= 1, got 1.5');
    await expect(trainWord2Vec(['ab'], { model: 'glove' as 'cbow' })).rejects.toThrow(UsageError);
    await expect(trainWord2Vec(['ab'], { kernel: 'gpu' as 'js' })).rejects.toThrow(
      "kernel must be 'js', 'wasm' or 'auto', got 'gpu'",
    );
  });
});
