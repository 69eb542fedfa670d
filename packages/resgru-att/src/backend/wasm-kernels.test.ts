import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './select';
import { batchMatMulGradConfig, stockBatchMatMulGradConfig } from './gradients';
import { originalWasmTanh } from './wasm-kernels';
import { fixedRandom, gradientError, maxAbsDiff } from '../layers/__tests__/gradcheck';

/** Runs `fn` on `backend` and returns its result tensors' values. */
async function valuesOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await selectBackend({ backend });
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

describe('UnsortedSegmentSum on wasm and cpu', () => {
  it.each(['wasm', 'cpu'] as const)(
    'on %s sums rows per segment and drops out-of-range ids (hand-computed)',
    async (backend) => {
      const [out] = await valuesOn(backend, () =>
        tf.unsortedSegmentSum(
          tf.tensor2d([
            [1, 2],
            [3, 4],
            [5, 6],
            [7, 8],
            [9, 10],
          ]),
          tf.tensor1d([2, 0, 2, -1, 3], 'int32'),
          3,
        ),
      );
      expect(Array.from(out)).toEqual([3, 4, 0, 0, 6, 8]);
    },
  );

  it('on cpu is linear time: a 5,000-row embedding gradient takes well under a second', async () => {
    await selectBackend({ backend: 'cpu' });
    tf.tidy(() => {
      const start = Date.now();
      const sum = tf.unsortedSegmentSum(
        tf.ones([3200, 16]),
        tf.tensor1d(
          Array.from({ length: 3200 }, (_, i) => i % 5000),
          'int32',
        ),
        5000,
      );
      expect(sum.shape).toEqual([5000, 16]);
      expect(tf.sum(sum).dataSync()[0]).toBe(3200 * 16);
      expect(Date.now() - start).toBeLessThan(1000);
    });
  });

  it('sums duplicate ids when all are in range (ScatterNd path), equal to cpu', async () => {
    const run = () => tf.unsortedSegmentSum(fixedRandom([6, 2, 3], 81), tf.tensor1d([3, 0, 3, 3, 1, 0], 'int32'), 5);
    const [wasm] = await valuesOn('wasm', run);
    const [cpu] = await valuesOn('cpu', run);
    expect(wasm.length).toBe(30);
    expect(maxAbsDiff(wasm, cpu)).toBeLessThan(1e-6);
    expect(Array.from(wasm.slice(12, 18))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('makes the embedding (gather) gradient work, equal to cpu and to central differences', async () => {
    const ids = [
      [1, 4, 4, 0],
      [2, 1, 5, 5],
    ];
    const run = () => {
      const table = fixedRandom([6, 3], 11);
      const weights = fixedRandom([2, 4, 3], 12);
      const loss = (t: tf.Tensor) =>
        tf.sum(tf.mul(tf.tanh(tf.gather(t, tf.tensor2d(ids, [2, 4], 'int32'))), weights)) as tf.Scalar;
      return tf.grad(loss)(table);
    };
    const [wasm] = await valuesOn('wasm', run);
    const [cpu] = await valuesOn('cpu', run);
    expect(maxAbsDiff(wasm, cpu)).toBeLessThan(1e-6);
    // Row 3 is never looked up: zero gradient.
    expect(Array.from(wasm.slice(9, 12))).toEqual([0, 0, 0]);
    await selectBackend({ backend: 'wasm' });
    const table = fixedRandom([6, 3], 11);
    const weights = fixedRandom([2, 4, 3], 12);
    const idTensor = tf.tensor2d(ids, [2, 4], 'int32');
    const { worst, at } = gradientError(
      (t) => tf.sum(tf.mul(tf.tanh(tf.gather(t, idTensor)), weights)) as tf.Scalar,
      [table],
    );
    expect({ worst: worst < 1 ? 'ok' : worst, at }).toMatchObject({ worst: 'ok' });
    tf.dispose([table, weights, idTensor]);
  });
});

describe('GatherV2 on wasm (row-copy fast path)', () => {
  it('equals cpu for embedding lookups and falls back for other axes', async () => {
    const run = () => {
      const table = fixedRandom([7, 3], 71);
      const ints = tf.tensor2d(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [3, 2],
        'int32',
      );
      return [
        tf.gather(
          table,
          tf.tensor2d(
            [
              [6, 0, 0],
              [2, 5, 1],
            ],
            [2, 3],
            'int32',
          ),
        ),
        tf.gather(table, tf.tensor1d([4], 'int32')),
        tf.gather(ints, tf.tensor1d([2, 0, 2], 'int32')),
        tf.gather(table, tf.tensor1d([2, 0], 'int32'), 1),
      ];
    };
    const wasm = await valuesOn('wasm', run);
    const cpu = await valuesOn('cpu', run);
    expect(wasm.map((v) => v.length)).toEqual([18, 3, 6, 14]);
    wasm.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(cpu[i])));
    await selectBackend({ backend: 'wasm' });
    const shape = tf.tidy(
      () =>
        tf.gather(
          fixedRandom([7, 3], 1),
          tf.tensor2d(
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [2, 3],
            'int32',
          ),
        ).shape,
    );
    expect(shape).toEqual([2, 3, 3]);
  });

  it('throws on an index out of range and leaks nothing', async () => {
    await selectBackend({ backend: 'wasm' });
    const table = fixedRandom([4, 2], 1);
    const ids = tf.tensor1d([1, 4], 'int32');
    const buffers = tf.engine().backend.numDataIds();
    expect(() => tf.gather(table, ids)).toThrow('GatherV2: the index value 4 is not in [0, 3]');
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([table, ids]);
  });
});

describe('Conv2DBackpropFilter on wasm', () => {
  const cases: Array<{
    name: string;
    x: number[];
    f: number[];
    stride: number | [number, number];
    pad: 'same' | 'valid' | number;
  }> = [
    { name: 'conv1d-like same', x: [2, 1, 9, 4], f: [1, 3, 4, 5], stride: 1, pad: 'same' },
    { name: '2d stride 2 same', x: [2, 7, 6, 3], f: [3, 2, 3, 4], stride: 2, pad: 'same' },
    { name: '2d valid', x: [1, 6, 5, 2], f: [2, 3, 2, 3], stride: [1, 2], pad: 'valid' },
    { name: '2d explicit pad 1', x: [2, 5, 5, 2], f: [3, 3, 2, 2], stride: 1, pad: 1 },
  ];
  for (const c of cases) {
    it(`equals cpu: ${c.name}`, async () => {
      const run = () => {
        const x = fixedRandom(c.x, 21) as tf.Tensor4D;
        const f = fixedRandom(c.f, 22) as tf.Tensor4D;
        const out = tf.conv2d(x, f, c.stride, c.pad);
        const dy = fixedRandom(out.shape, 23);
        return tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad), dy)),
        )([x, f]);
      };
      const wasm = await valuesOn('wasm', run);
      const cpu = await valuesOn('cpu', run);
      expect(maxAbsDiff(wasm[1], cpu[1])).toBeLessThan(1e-4);
      expect(maxAbsDiff(wasm[0], cpu[0])).toBeLessThan(1e-4);
    });
  }

  it('lets stock tf.conv1d train on wasm (filter gradient vs central differences)', async () => {
    await selectBackend({ backend: 'wasm' });
    const x = fixedRandom([2, 6, 3], 31) as tf.Tensor3D;
    const w = fixedRandom([3, 3, 2], 32) as tf.Tensor3D;
    const r = fixedRandom([2, 6, 2], 33);
    const { worst, at } = gradientError(
      (ww) => tf.sum(tf.mul(tf.conv1d(x, ww as tf.Tensor3D, 1, 'same'), r)) as tf.Scalar,
      [w],
    );
    expect({ worst: worst < 1 ? 'ok' : worst, at }).toMatchObject({ worst: 'ok' });
    tf.dispose([x, w, r]);
  });
});

describe('BatchMatMul on wasm (explicit transposes, folded batches)', () => {
  const shapes: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [5, 4], b: [4, 3], ta: false, tb: false },
    { a: [4, 5], b: [4, 3], ta: true, tb: false },
    { a: [5, 4], b: [3, 4], ta: false, tb: true },
    { a: [4, 5], b: [3, 4], ta: true, tb: true },
    { a: [3, 5, 4], b: [4, 2], ta: false, tb: false },
    { a: [3, 4, 5], b: [2, 4], ta: true, tb: true },
    { a: [3, 5, 4], b: [3, 4, 2], ta: false, tb: false },
    { a: [5, 4], b: [3, 2, 4], ta: false, tb: true },
  ];
  for (const s of shapes) {
    it(`equals cpu for ${JSON.stringify(s)}`, async () => {
      const run = () => tf.matMul(fixedRandom(s.a, 41), fixedRandom(s.b, 42), s.ta, s.tb);
      const [wasm] = await valuesOn('wasm', run);
      const [cpu] = await valuesOn('cpu', run);
      expect(wasm.length).toBeGreaterThan(0);
      expect(maxAbsDiff(wasm, cpu)).toBeLessThan(1e-5);
      await selectBackend({ backend: 'wasm' });
      const shape = tf.tidy(() => run().shape);
      await selectBackend({ backend: 'cpu' });
      expect(shape).toEqual(tf.tidy(() => run().shape));
    });
  }
});

describe('re-registered BatchMatMul gradient', () => {
  it('equals the stock gradient on cpu for every transpose combination', async () => {
    await selectBackend({ backend: 'cpu' });
    const stock = stockBatchMatMulGradConfig;
    expect(stock).toBeDefined();
    const shapes: Array<[number[], number[], boolean, boolean]> = [
      [[5, 4], [4, 3], false, false],
      [[4, 5], [4, 3], true, false],
      [[5, 4], [3, 4], false, true],
      [[4, 5], [3, 4], true, true],
      [[2, 5, 4], [2, 4, 3], false, false],
      [[2, 4, 5], [2, 3, 4], true, true],
      [[2, 4, 5], [2, 4, 3], true, false],
    ];
    for (const [sa, sb, transposeA, transposeB] of shapes) {
      tf.tidy(() => {
        const a = fixedRandom(sa, 51);
        const b = fixedRandom(sb, 52);
        const dy = fixedRandom(tf.matMul(a, b, transposeA, transposeB).shape, 53);
        const attrs = { transposeA, transposeB };
        const ours = batchMatMulGradConfig.gradFunc(dy, [a, b], attrs);
        const theirs = stock!.gradFunc(dy, [a, b], attrs);
        for (const key of ['a', 'b']) {
          const x = ours[key]();
          const y = theirs[key]();
          expect(x.shape).toEqual(y.shape);
          expect(maxAbsDiff(x.dataSync(), y.dataSync())).toBeLessThan(1e-5);
        }
      });
    }
  });

  it('sums broadcast batch dims (which the stock gradient does not), checked against tiled inputs', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await selectBackend({ backend });
      tf.tidy(() => {
        const cases: Array<[number[], number[], number[], number[]]> = [
          // a shape, b shape, tile of a, tile of b (to the broadcast shape)
          [
            [3, 5, 4],
            [4, 2],
            [1, 1, 1],
            [3, 1, 1],
          ],
          [
            [5, 4],
            [3, 4, 2],
            [3, 1, 1],
            [1, 1, 1],
          ],
          [
            [2, 3, 5, 4],
            [4, 2],
            [1, 1, 1, 1],
            [2, 3, 1, 1],
          ],
          // (tfjs' forward kernels mis-compute two-sided broadcasts such as (2,1,..)·(1,3,..), so none here.)
        ];
        for (const [sa, sb, tileA, tileB] of cases) {
          const a = fixedRandom(sa, 61);
          const b = fixedRandom(sb, 62);
          const out = tf.matMul(a, b);
          const r = fixedRandom(out.shape, 63);
          const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), r)))([a, b]);
          const lift = (x: tf.Tensor, tile: number[]) =>
            tf.tile(tf.reshape(x, [...Array(tile.length - x.rank).fill(1), ...x.shape]), tile);
          const [ra, rb] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(tf.mul(tf.matMul(lift(x, tileA), lift(y, tileB)), r)),
          )([a, b]);
          expect(ga.shape).toEqual(sa);
          expect(gb.shape).toEqual(sb);
          expect(maxAbsDiff(ga.dataSync(), ra.dataSync())).toBeLessThan(1e-4);
          expect(maxAbsDiff(gb.dataSync(), rb.dataSync())).toBeLessThan(1e-4);
        }
      });
    }
  });
});

describe('Tanh on wasm (2σ(2x) − 1)', () => {
  it('equals cpu tanh within 2e-7 from saturation to tiny inputs, and so does its gradient', async () => {
    const values = [-40, -9, -3, -1, -0.5, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.5, 1, 3, 9, 40];
    const run = () => {
      const x = tf.tensor1d(values);
      return [tf.tanh(x), tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(x)];
    };
    const wasm = await valuesOn('wasm', run);
    const cpu = await valuesOn('cpu', run);
    expect(maxAbsDiff(wasm[0], cpu[0])).toBeLessThan(2e-7);
    expect(maxAbsDiff(wasm[1], cpu[1])).toBeLessThan(5e-7);
    expect([wasm[0][0], wasm[0][7], wasm[0][14]]).toEqual([-1, 0, 1]);
  });

  it('is ≥ 3× faster than the stock wasm kernel on 6400×256', async () => {
    await selectBackend({ backend: 'wasm' });
    const x = tf.randomNormal([6400, 256]);
    const backend = tf.backend();
    const time = (kernel: tf.KernelConfig) => {
      const c0 = process.cpuUsage();
      const out = kernel.kernelFunc({ inputs: { x }, backend, attrs: {} }) as tf.TensorInfo;
      const c = process.cpuUsage(c0);
      backend.disposeData(out.dataId);
      return c.user + c.system;
    };
    const stock = originalWasmTanh() as tf.KernelConfig;
    const fast = tf.getKernel('Tanh', 'wasm') as tf.KernelConfig;
    expect(fast.kernelFunc).not.toBe(stock.kernelFunc);
    const ratio = Math.min(time(stock), time(stock), time(stock)) / Math.min(time(fast), time(fast), time(fast));
    x.dispose();
    expect(ratio).toBeGreaterThan(3);
  });
});
