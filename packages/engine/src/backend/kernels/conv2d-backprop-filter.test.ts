import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../select';
import { valuesOn } from '../../__tests__/backends';
import { fixedRandom, gradientError, maxAbsDiff } from '../../__tests__/gradcheck';

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
