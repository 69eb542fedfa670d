import { SeededRandom } from '@emr-re/tokenize';
import { trainWord2Vec, type Word2VecOptions } from '../train';
import { wasmKernelLayout, wasmSimdSupported } from './wasm-kernel';

/** `count` deterministic sentences of 20-60 characters over a 30-character alphabet, skewed to the first ones. */
function corpus(count: number, seed = 5): string[] {
  const alphabet = '心肝脾肺肾胃胸腹头颈手足红肿热痛咳喘血尿便秘呕吐发冷汗晕乏力'; // 30 characters
  const rng = new SeededRandom(seed);
  const rand = (): number => rng.next();
  const lines: string[] = [];
  for (let s = 0; s < count; s++) {
    let line = '';
    const length = 20 + Math.floor(rand() * 41);
    for (let i = 0; i < length; i++) line += alphabet[Math.floor(alphabet.length * rand() * rand())];
    lines.push(line);
  }
  return lines;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('wasm SIMD kernel', () => {
  it('is available on this runtime (Node >= 20 has WebAssembly SIMD and shared memory)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  const lines = corpus(150);
  // dim 18: four groups of four plus a tail of two in the wasm loops; sample 1e-3 subsamples the frequent characters
  const cases: [string, Word2VecOptions][] = [
    ['skip-gram', { dim: 18, window: 4, negative: 5, epochs: 2, sample: 1e-3, seed: 3 }],
    ['CBOW', { dim: 18, window: 4, negative: 5, epochs: 2, sample: 1e-3, seed: 3, model: 'cbow' }],
    ['skip-gram, dim 32, no negatives', { dim: 32, window: 2, negative: 0, epochs: 1, sample: 0, seed: 9 }],
  ];
  it.each(cases)('gives the JS kernel vectors on one thread (%s)', async (_name, options) => {
    const lastLoss = { js: 0, wasm: 0 };
    const run = (kernel: 'js' | 'wasm', seed = options.seed) =>
      trainWord2Vec(
        lines,
        { ...options, seed, threads: 1, kernel },
        { onProgress: (e) => (lastLoss[kernel] = e.values!.loss) },
      );
    const js = await run('js');
    const wasm = await run('wasm');
    expect(wasm.tokens).toEqual(js.tokens);
    expect(maxAbsDiff(wasm.vectors, js.vectors)).toBeLessThan(1e-4);
    expect(lastLoss.wasm).toBeCloseTo(lastLoss.js, 4);
    // the tolerance is meaningful: training moved the vectors far more than that, and another seed lands elsewhere
    const init = await trainWord2Vec(lines, { ...options, threads: 1, kernel: 'js', learningRate: 1e-12 });
    expect(maxAbsDiff(js.vectors, init.vectors)).toBeGreaterThan(0.05);
    expect(maxAbsDiff((await run('wasm', 4)).vectors, js.vectors)).toBeGreaterThan(0.05);
  });

  it('is deterministic for a seed on one thread', async () => {
    const a = await trainWord2Vec(lines, { dim: 8, epochs: 1, threads: 1, kernel: 'wasm', seed: 2 });
    const b = await trainWord2Vec(lines, { dim: 8, epochs: 1, threads: 1, kernel: 'wasm', seed: 2 });
    expect(Array.from(a.vectors)).toEqual(Array.from(b.vectors));
  });

  it('lays the memory out in disjoint 64-byte-aligned blocks, and declines what wasm32 cannot address', () => {
    const layout = wasmKernelLayout(100, 30, 5, 100000, 2)!;
    const blocks: [number, number][] = [
      [layout.tables, 3 * 1001 * 8],
      [layout.scratch, 2 * layout.scratchBytes],
      [layout.syn0, 100 * 30 * 4],
      [layout.syn1, 100 * 30 * 4],
      [layout.negTable, 100000 * 4],
    ];
    for (let i = 0; i < blocks.length; i++) {
      expect(blocks[i][0] % 64).toBe(0);
      if (i > 0) expect(blocks[i][0]).toBeGreaterThanOrEqual(blocks[i - 1][0] + blocks[i - 1][1]);
    }
    // each thread's scratch: loss + 5 targets, 1000 sentence ids, gradient and hidden vector (30 f32 each)
    expect(layout.scratchBytes).toBe(64 + 4032 + 128 + 128); // 4000 sentence bytes rounded up to 64
    expect(layout.pages * 65536).toBeGreaterThanOrEqual(layout.negTable + 400000);
    expect(wasmKernelLayout(1e6, 600, 5, 1e7, 2)).toBeUndefined(); // 4.8 GB of weights
  });
});
