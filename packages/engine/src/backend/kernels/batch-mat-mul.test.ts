import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../select';
import { valuesOn } from '../../__tests__/backends';
import { fixedRandom, maxAbsDiff } from '../../__tests__/gradcheck';

describe('BatchMatMul on wasm (explicit transposes, folded batches)', () => {
  const shapes: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [5, 4], b: [4, 3], ta: false, tb: false },
    { a: [4, 5], b: [4, 3], ta: true, tb: false },
    { a: [5, 4], b: [3, 4], ta: false, tb: true },
    { a: [4, 5], b: [3, 4], ta: true, tb: true },
    { a: [3, 5, 4], b: [4, 2], ta: false, tb: false },
    { a: [3, 4, 5], b: [2, 4], ta: true, tb: true },
    { a: [3, 5, 4], b: [3, 4, 2], ta: false, tb: false },
    { a: [5, 4], b: [3, 2, 4], ta: false, tb: true },
  ];
  for (const s of shapes) {
    it(`equals cpu for ${JSON.stringify(s)}`, async () => {
      const run = () => tf.matMul(fixedRandom(s.a, 41), fixedRandom(s.b, 42), s.ta, s.tb);
      const [wasm] = await valuesOn('wasm', run);
      const [cpu] = await valuesOn('cpu', run);
      expect(wasm.length).toBeGreaterThan(0);
      expect(maxAbsDiff(wasm, cpu)).toBeLessThan(1e-5);
      await selectBackend({ backend: 'wasm' });
      const shape = tf.tidy(() => run().shape);
      await selectBackend({ backend: 'cpu' });
      expect(shape).toEqual(tf.tidy(() => run().shape));
    });
  }
});
