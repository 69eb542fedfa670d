import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../select';
import { valuesOn } from '../../__tests__/backends';
import { fixedRandom } from '../../__tests__/gradcheck';

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
