import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './select';
import { IM2COL_KERNEL, im2colRows, im2colRowsFromOps } from './im2col';

/** Distinct values everywhere, so a misplaced element cannot go unnoticed. */
function ramp(shape: [number, number, number]): tf.Tensor3D {
  return tf.reshape(
    tf.add(
      tf.range(
        0,
        shape.reduce((a, b) => a * b, 1),
      ),
      1,
    ),
    shape,
  ) as tf.Tensor3D;
}

describe.each(['wasm', 'cpu'] as const)('EmrIm2Col1D on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend });
  });

  it('is registered', () => {
    expect(tf.getKernel(IM2COL_KERNEL, backend)).toBeDefined();
  });

  it.each([
    [1, false, false],
    [3, false, false],
    [3, true, true],
    [5, true, false],
    [5, false, true],
  ])('window %i, mask %s, ones column %s: equals the composition of tfjs ops', (window, withMask, ones) => {
    tf.tidy(() => {
      const x = ramp([2, 4, 3]);
      const mask = withMask
        ? tf.tensor2d([
            [1, 1, 1, 0],
            [1, 0, 0, 0],
          ])
        : undefined;
      const fast = im2colRows(x, window, mask, ones);
      const slow = im2colRowsFromOps(x, window, mask, ones);
      expect(fast.shape).toEqual([8, window * 3 + (ones ? 1 : 0)]);
      expect(Array.from(fast.dataSync())).toEqual(Array.from(slow.dataSync()));
    });
  });

  it('builds the hand-computed rows of a window-3 patch matrix with a mask and a ones column', () => {
    tf.tidy(() => {
      // x[0] = [[1], [2], [3]], step 2 masked out.
      const rows = im2colRows(ramp([1, 3, 1]), 3, tf.tensor2d([[1, 1, 0]]), true);
      expect(rows.arraySync()).toEqual([
        [0, 1, 2, 1],
        [1, 2, 0, 1],
        [2, 0, 0, 1],
      ]);
    });
  });

  it('rejects an even window', () => {
    expect(() => tf.tidy(() => im2colRows(ramp([1, 3, 2]), 2))).toThrow('window must be odd');
  });
});
