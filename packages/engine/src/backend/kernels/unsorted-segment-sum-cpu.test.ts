import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../select';
import { stockCpuUnsortedSegmentSum, unsortedSegmentSumCpu } from './unsorted-segment-sum-cpu';

describe('UnsortedSegmentSum on cpu', () => {
  it('on cpu is linear time: a 5,000-row embedding gradient takes well under a second', async () => {
    await selectBackend({ backend: 'cpu' });
    tf.tidy(() => {
      const start = Date.now();
      const sum = tf.unsortedSegmentSum(
        tf.ones([3200, 16]),
        tf.tensor1d(
          Array.from({ length: 3200 }, (_, i) => i % 5000),
          'int32',
        ),
        5000,
      );
      expect(sum.shape).toEqual([5000, 16]);
      expect(tf.sum(sum).dataSync()[0]).toBe(3200 * 16);
      expect(Date.now() - start).toBeLessThan(1000);
    });
  });

  it('replaces the stock kernel and agrees with it on a small case', async () => {
    await selectBackend({ backend: 'cpu' });
    expect(tf.getKernel('UnsortedSegmentSum', 'cpu')?.kernelFunc).toBe(unsortedSegmentSumCpu);
    const stock = stockCpuUnsortedSegmentSum() as tf.KernelConfig;
    expect(stock.kernelFunc).not.toBe(unsortedSegmentSumCpu);
    tf.tidy(() => {
      const x = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const segmentIds = tf.tensor1d([1, 1, 0], 'int32');
      const ours = tf.unsortedSegmentSum(x, segmentIds, 3);
      const info = stock.kernelFunc({
        inputs: { x, segmentIds },
        backend: tf.backend(),
        attrs: { numSegments: 3 },
      }) as tf.TensorInfo;
      const theirs = tf.engine().makeTensorFromTensorInfo(info);
      expect(Array.from(ours.dataSync())).toEqual([5, 6, 4, 6, 0, 0]);
      expect(Array.from(theirs.dataSync())).toEqual([5, 6, 4, 6, 0, 0]);
    });
  });
});
