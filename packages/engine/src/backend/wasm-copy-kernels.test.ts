import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './select';
import { registerFastWasmCopyKernels, stockWasmCopyKernel } from './wasm-copy-kernels';

describe('copying wasm Slice / SplitV / Unpack / Reverse / Concat / Pack', () => {
  afterAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('are installed by selectBackend (idempotent), and unstack a large tensor ≥ 5× faster than the stock kernel', async () => {
    await selectBackend({ backend: 'wasm' });
    const fast = tf.getKernel('Unpack', 'wasm');
    const stock = stockWasmCopyKernel('Unpack');
    expect(fast).toBeDefined();
    expect(stock).toBeDefined();
    expect(fast?.kernelFunc).not.toBe(stock?.kernelFunc);
    registerFastWasmCopyKernels();
    expect(tf.getKernel('Unpack', 'wasm')?.kernelFunc).toBe(fast?.kernelFunc);
    const big = tf.randomNormal([64, 64, 512]);
    const backend = tf.backend();
    const time = (kernel: tf.KernelConfig) => {
      const t0 = process.hrtime.bigint();
      const outs = kernel.kernelFunc({ inputs: { value: big }, backend, attrs: { axis: 0 } }) as tf.TensorInfo[];
      const ns = Number(process.hrtime.bigint() - t0);
      expect(outs.length).toBe(64);
      for (const o of outs) backend.disposeData(o.dataId);
      return ns;
    };
    const stockTime = Math.min(time(stock as tf.KernelConfig), time(stock as tf.KernelConfig));
    const fastTime = Math.min(
      time(fast as tf.KernelConfig),
      time(fast as tf.KernelConfig),
      time(fast as tf.KernelConfig),
    );
    big.dispose();
    // The stock kernel copies the whole 8 MB input for each of the 64 slices.
    expect(stockTime / fastTime).toBeGreaterThan(5);
  });
});
