import * as tf from '@tensorflow/tfjs-core';
import { onBoth, ramp } from '../../__tests__/backends';

describe('copying wasm Pack', () => {
  it.each([0, 1, 2, -1])('stack along axis %i equals cpu', async (axis) => {
    const r = await onBoth(() => tf.stack([ramp([3, 4]), tf.add(ramp([3, 4]), 50), tf.add(ramp([3, 4]), 90)], axis));
    expect(r.wasm).toEqual(r.cpu);
  });
});
