import * as tf from '@tensorflow/tfjs-core';
import { onBoth, ramp } from '../../__tests__/backends';

describe('copying wasm Reverse', () => {
  it.each([[[0]], [[1]], [[0, 2]]])('reverse along %j equals cpu', async (axes) => {
    const r = await onBoth(() => tf.reverse(ramp([4, 3, 2]), axes));
    expect(r.wasm).toEqual(r.cpu);
  });
});
