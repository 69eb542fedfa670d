import * as tf from '@tensorflow/tfjs-core';
import { onBoth, ramp } from '../../__tests__/backends';

describe('copying wasm Unpack', () => {
  it.each([0, 1, 2, -1])('unstack along axis %i equals cpu', async (axis) => {
    const r = await onBoth(() => tf.unstack(ramp([3, 4, 2]), axis));
    expect(r.wasm).toEqual(r.cpu);
  });
});
