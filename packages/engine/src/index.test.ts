import os = require('node:os');
import workerThreads = require('node:worker_threads');
import * as tf from '@tensorflow/tfjs-core';
import * as engine from './index';

describe('importing @emr-re/engine', () => {
  it('changes nothing global until selectBackend is called, which installs the kernels and gradient', async () => {
    const random = Math.random;
    const { Worker } = workerThreads;
    const { cpus } = os;
    // The module is loaded (its layer classes registered, as tfjs-layers expects), nothing else.
    expect(engine.LAYER_CLASSES.length).toBeGreaterThan(0);
    expect(tf.serialization.SerializationMap.getMap().classNameMap.EmrConv1DSame).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    expect(tf.getKernel(engine.IM2COL_KERNEL, 'cpu')).toBeUndefined();
    expect(tf.getKernel('Tanh', 'wasm')?.kernelFunc).not.toBe(engine.tanhWasm);
    expect(tf.getGradient('BatchMatMul')).not.toBe(engine.batchMatMulGradConfig);
    expect(engine.selectedBackend()).toBeUndefined();

    await engine.selectBackend({ backend: 'cpu' });
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')?.kernelFunc).toBe(engine.unsortedSegmentSumWasm);
    expect(tf.getKernel(engine.IM2COL_KERNEL, 'cpu')).toBeDefined();
    expect(tf.getKernel('Tanh', 'wasm')?.kernelFunc).toBe(engine.tanhWasm);
    expect(tf.getGradient('BatchMatMul')).toBe(engine.batchMatMulGradConfig);
    // Nothing patched stays patched.
    expect(Math.random).toBe(random);
    expect(workerThreads.Worker).toBe(Worker);
    expect(os.cpus).toBe(cpus);
  });
});
