import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../select';
import { valuesOn } from '../../__tests__/backends';
import { fixedRandom, gradientError, maxAbsDiff } from '../../__tests__/gradcheck';

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
