import * as tf from '@tensorflow/tfjs-core';
import { onBoth, ramp } from '../../__tests__/backends';

describe('copying wasm Slice', () => {
  it.each([
    ['contiguous rows of a 3-D tensor', [5, 4, 3], [1, 0, 0], [3, 4, 3]],
    ['a minor-axis block (row by row)', [5, 4, 3], [1, 1, 1], [3, 2, 2]],
    ['a 5-D box', [3, 2, 4, 2, 3], [1, 0, 1, 1, 0], [2, 2, 2, 1, 2]],
    ['a 1-D range', [10], [3], [4]],
    ['an empty slice', [4, 3], [1, 0], [0, 3]],
  ])('slice: %s equals cpu', async (_name, shape, begin, size) => {
    const r = await onBoth(() => tf.slice(ramp(shape), begin, size));
    expect(r.shapes).toEqual([size]);
    expect(r.wasm).toEqual(r.cpu);
  });

  it('slice of int32 equals cpu', async () => {
    const r = await onBoth(() => tf.slice(ramp([4, 5], 'int32'), [1, 2], [2, 3]));
    expect(r.wasm).toEqual(r.cpu);
    expect(r.wasm).toEqual([{ shape: [2, 3], values: [7, 8, 9, 12, 13, 14] }]);
  });
});
