import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../select';
import { valuesOn } from '../../__tests__/backends';
import { fixedRandom, maxAbsDiff } from '../../__tests__/gradcheck';
import { PRODUCT_FLOPS } from './thread-pool-gate';

describe('thread-pool gate around wasm products', () => {
  it('wraps _FusedMatMul, Conv2D and Conv2DBackpropInput, which still equal cpu', async () => {
    await selectBackend({ backend: 'wasm' });
    expect(Object.keys(PRODUCT_FLOPS).sort()).toEqual(['Conv2D', 'Conv2DBackpropInput', '_FusedMatMul']);
    const run = () => {
      // (tfjs' wasm _FusedMatMul mis-computes a batched a times an unbatched b, gate or not: rank 2 here.)
      const a = fixedRandom([5, 4], 1);
      const b = fixedRandom([4, 3], 2);
      const x = fixedRandom([1, 1, 7, 3], 3) as tf.Tensor4D;
      const w = fixedRandom([1, 3, 3, 2], 4) as tf.Tensor4D;
      const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, w, 1, 'same')))(x);
      return [tf.fused.matMul({ a, b, bias: fixedRandom([3], 5), activation: 'relu' }), tf.conv2d(x, w, 1, 'same'), dx];
    };
    const wasm = await valuesOn('wasm', run);
    const cpu = await valuesOn('cpu', run);
    wasm.forEach((v, i) => expect([i, maxAbsDiff(v, cpu[i]) < 1e-5]).toEqual([i, true]));
  });

  it('counts 2·m·k·n FLOPs for a fused matMul', () => {
    const info = (shape: number[]) => ({ shape, dtype: 'float32', dataId: {} }) as unknown as tf.TensorInfo;
    const args = {
      inputs: { a: info([2, 5, 4]), b: info([4, 3]) },
      backend: {} as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    } as unknown as Parameters<tf.KernelFunc>[0];
    expect(PRODUCT_FLOPS._FusedMatMul(args)).toBe(2 * 2 * 5 * 4 * 3);
  });
});
