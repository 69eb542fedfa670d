import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from './select';
import { registerFastWasmCopyKernels, stockWasmCopyKernel } from './wasm-copy-kernels';

// Distinct values everywhere, so a misplaced element cannot go unnoticed.
function ramp(shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  return tf.reshape(
    tf.range(
      0,
      shape.reduce((a, b) => a * b, 1),
      1,
      dtype,
    ),
    shape,
  );
}

/** Runs `f` on wasm (with the fast kernels) and on cpu and returns both results as plain arrays. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<{ wasm: unknown; cpu: unknown; shapes: number[][] }> {
  const read = (r: tf.Tensor | tf.Tensor[]) =>
    (Array.isArray(r) ? r : [r]).map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
  await selectBackend({ backend: 'wasm' });
  const w = tf.tidy(() => read(f()));
  await selectBackend({ backend: 'cpu' });
  const c = tf.tidy(() => read(f()));
  return { wasm: w, cpu: c, shapes: w.map((x) => x.shape) };
}

describe('copying wasm Slice / SplitV / Unpack / Reverse / Concat / Pack', () => {
  afterAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('are installed on import (idempotent), and unstack a large tensor ≥ 5× faster than the stock kernel', async () => {
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

  it.each([
    [[6, 4, 5], [2, 1, 3], 0],
    [[6, 4, 5], [1, 3], 1],
    [[6, 4, 5], [2, 2, 1], 2],
  ])('split of %j into %j along %i equals cpu', async (shape, sizes, axis) => {
    const r = await onBoth(() => tf.split(ramp(shape), sizes, axis));
    expect(r.shapes.length).toBe(sizes.length);
    expect(r.wasm).toEqual(r.cpu);
  });

  it.each([0, 1, 2, -1])('unstack along axis %i equals cpu', async (axis) => {
    const r = await onBoth(() => tf.unstack(ramp([3, 4, 2]), axis));
    expect(r.wasm).toEqual(r.cpu);
  });

  it.each([[[0]], [[1]], [[0, 2]]])('reverse along %j equals cpu', async (axes) => {
    const r = await onBoth(() => tf.reverse(ramp([4, 3, 2]), axes));
    expect(r.wasm).toEqual(r.cpu);
  });

  it.each([
    [
      'axis 0',
      [
        [2, 3],
        [4, 3],
        [1, 3],
      ],
      0,
    ],
    [
      'inner axis, mixed widths',
      [
        [2, 3, 1],
        [2, 3, 4],
        [2, 3, 2],
      ],
      2,
    ],
    [
      'middle axis with an empty part',
      [
        [2, 1, 3],
        [2, 0, 3],
        [2, 2, 3],
      ],
      1,
    ],
  ])('concat: %s equals cpu', async (_name, shapes, axis) => {
    const r = await onBoth(() =>
      tf.concat(
        (shapes as number[][]).map((s, i) => tf.add(ramp(s), 100 * i)),
        axis as number,
      ),
    );
    expect(r.wasm).toEqual(r.cpu);
  });

  it('concat of bool tensors equals cpu', async () => {
    const r = await onBoth(() =>
      tf.concat(
        [
          tf.tensor2d([[1, 0]], [1, 2], 'bool'),
          tf.tensor2d(
            [
              [0, 1],
              [1, 1],
            ],
            [2, 2],
            'bool',
          ),
        ],
        0,
      ),
    );
    expect(r.wasm).toEqual(r.cpu);
    expect(r.wasm).toEqual([{ shape: [3, 2], values: [1, 0, 0, 1, 1, 1] }]);
  });

  it.each([0, 1, 2, -1])('stack along axis %i equals cpu', async (axis) => {
    const r = await onBoth(() => tf.stack([ramp([3, 4]), tf.add(ramp([3, 4]), 50), tf.add(ramp([3, 4]), 90)], axis));
    expect(r.wasm).toEqual(r.cpu);
  });
});
