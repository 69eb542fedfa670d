import * as tf from '@tensorflow/tfjs-core';
import { onBoth, ramp } from '../../__tests__/backends';

describe('copying wasm Concat', () => {
  it.each([
    [
      'axis 0',
      [
        [2, 3],
        [4, 3],
        [1, 3],
      ],
      0,
    ],
    [
      'inner axis, mixed widths',
      [
        [2, 3, 1],
        [2, 3, 4],
        [2, 3, 2],
      ],
      2,
    ],
    [
      'middle axis with an empty part',
      [
        [2, 1, 3],
        [2, 0, 3],
        [2, 2, 3],
      ],
      1,
    ],
  ])('concat: %s equals cpu', async (_name, shapes, axis) => {
    const r = await onBoth(() =>
      tf.concat(
        (shapes as number[][]).map((s, i) => tf.add(ramp(s), 100 * i)),
        axis as number,
      ),
    );
    expect(r.wasm).toEqual(r.cpu);
  });

  it('concat of bool tensors equals cpu', async () => {
    const r = await onBoth(() =>
      tf.concat(
        [
          tf.tensor2d([[1, 0]], [1, 2], 'bool'),
          tf.tensor2d(
            [
              [0, 1],
              [1, 1],
            ],
            [2, 2],
            'bool',
          ),
        ],
        0,
      ),
    );
    expect(r.wasm).toEqual(r.cpu);
    expect(r.wasm).toEqual([{ shape: [3, 2], values: [1, 0, 0, 1, 1, 1] }]);
  });
});
