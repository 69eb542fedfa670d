import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../select';
import { originalWasmTanh } from './tanh';
import { valuesOn } from '../../__tests__/backends';
import { maxAbsDiff } from '../../__tests__/gradcheck';

describe('Tanh on wasm (2σ(2x) − 1)', () => {
  it('equals cpu tanh within 2e-7 from saturation to tiny inputs, and so does its gradient', async () => {
    const values = [-40, -9, -3, -1, -0.5, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.5, 1, 3, 9, 40];
    const run = () => {
      const x = tf.tensor1d(values);
      return [tf.tanh(x), tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(x)];
    };
    const wasm = await valuesOn('wasm', run);
    const cpu = await valuesOn('cpu', run);
    expect(maxAbsDiff(wasm[0], cpu[0])).toBeLessThan(2e-7);
    expect(maxAbsDiff(wasm[1], cpu[1])).toBeLessThan(5e-7);
    expect([wasm[0][0], wasm[0][7], wasm[0][14]]).toEqual([-1, 0, 1]);
  });

  it('is ≥ 3× faster than the stock wasm kernel on 6400×256', async () => {
    await selectBackend({ backend: 'wasm' });
    const x = tf.randomNormal([6400, 256]);
    const backend = tf.backend();
    const time = (kernel: tf.KernelConfig) => {
      const c0 = process.cpuUsage();
      const out = kernel.kernelFunc({ inputs: { x }, backend, attrs: {} }) as tf.TensorInfo;
      const c = process.cpuUsage(c0);
      backend.disposeData(out.dataId);
      return c.user + c.system;
    };
    const stock = originalWasmTanh() as tf.KernelConfig;
    const fast = tf.getKernel('Tanh', 'wasm') as tf.KernelConfig;
    expect(fast.kernelFunc).not.toBe(stock.kernelFunc);
    const ratio = Math.min(time(stock), time(stock), time(stock)) / Math.min(time(fast), time(fast), time(fast));
    x.dispose();
    expect(ratio).toBeGreaterThan(3);
  });
});
