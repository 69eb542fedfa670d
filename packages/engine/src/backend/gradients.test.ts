import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './select';
import { batchMatMulGradConfig, stockBatchMatMulGradConfig } from './gradients';
import { fixedRandom, maxAbsDiff } from '../__tests__/gradcheck';

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
