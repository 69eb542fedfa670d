import * as tf from '@tensorflow/tfjs-core';
import { onBoth, ramp } from '../../__tests__/backends';

describe('copying wasm SplitV', () => {
  it.each([
    [[6, 4, 5], [2, 1, 3], 0],
    [[6, 4, 5], [1, 3], 1],
    [[6, 4, 5], [2, 2, 1], 2],
  ])('split of %j into %j along %i equals cpu', async (shape, sizes, axis) => {
    const r = await onBoth(() => tf.split(ramp(shape), sizes, axis));
    expect(r.shapes.length).toBe(sizes.length);
    expect(r.wasm).toEqual(r.cpu);
  });
});
