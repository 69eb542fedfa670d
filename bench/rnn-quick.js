#!/usr/bin/env node
// Quick benchmark of FastRNN alone: one BiGRU/BiLSTM layer, batch 64, length 100, input 350, 128 units,
// train step (forward + backward + Adam; the input needs its gradient, as under an embedding) and inference,
// for the 'bptt' and 'autodiff' implementations. Needs a build (`npm run build`). Prints one JSON line per
// measurement; the first line calibrates the machine with one plain matMul (XNNPACK reaches ~26-30 GFLOP/s
// on an idle core here; a lower figure means the cores are shared).
//
//   node bench/rnn-quick.js [--backend wasm|cpu] [--cell gru|lstm] [--shape B,T,D,U] [--reps N] [--threads N|auto]
'use strict';

const path = require('node:path');
const { parseArgs } = require('node:util');

const PACKAGE_DIR = path.join(__dirname, '..', 'packages', 'engine');
const fromPkg = (id) => require(require.resolve(id, { paths: [PACKAGE_DIR] }));

async function main() {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      cell: { type: 'string', default: 'gru' },
      shape: { type: 'string', default: '64,100,350,128' },
      reps: { type: 'string', default: '3' },
      threads: { type: 'string' },
    },
  });
  const tf = fromPkg('@tensorflow/tfjs-core');
  const { FastRNN, selectBackend } = require(PACKAGE_DIR);
  const [B, T, D, U] = values.shape.split(',').map(Number);
  const reps = Number(values.reps);
  const threads =
    values.threads === undefined ? {} : { threads: values.threads === 'auto' ? 'auto' : Number(values.threads) };
  await selectBackend({ backend: values.backend, ...threads });

  const ca = tf.randomNormal([6400, 350]);
  const cb = tf.randomNormal([350, 768]);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const c = tf.matMul(ca, cb);
    c.dataSync();
    c.dispose();
    const cpu = process.cpuUsage(c0);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e3);
  }
  tf.dispose([ca, cb]);
  const flop = 2 * 6400 * 350 * 768;
  console.log(
    JSON.stringify({
      calibration: 'matMul 6400x350x768',
      ms: +best.toFixed(1),
      gflops: +(flop / best / 1e6).toFixed(1),
      cpuGflops: +(flop / bestCpu / 1e6).toFixed(1),
    }),
  );

  // The input is a function of a trainable scalar, so the layer must produce dx (as under an embedding
  // layer) without an Adam update of a (B, T, D) variable inflating the step.
  const xData = tf.randomNormal([B, T, D]);
  const inputScale = tf.variable(tf.scalar(1), true);
  const input = () => tf.mul(xData, inputScale);
  // Ragged rows (lengths T, T-10, T-20, T-30), padding at the end, as in a real batch.
  const lengths = Array.from({ length: B }, (_, i) => T - (i % 4) * Math.floor(T / 10));
  const mask = tf.tensor2d(lengths.map((len) => Array.from({ length: T }, (_, t) => (t < len ? 1 : 0))));
  for (const implementation of ['bptt', 'autodiff']) {
    const rnn = new FastRNN({ cell: values.cell, units: U, implementation });
    tf.dispose(rnn.apply([xData, mask]));
    const probe = tf.randomNormal([B, T, 2 * U]);
    const optimizer = tf.train.adam(1e-3);
    const train = () => {
      const cost = optimizer.minimize(() => tf.mean(tf.mul(rnn.apply([input(), mask]), probe)), true);
      cost.dataSync();
      cost.dispose();
    };
    const infer = () => {
      const y = tf.tidy(() => rnn.apply([xData, mask]));
      y.dataSync();
      y.dispose();
    };
    // Wall time and this process's CPU time (single-threaded wasm: CPU time is the work done, which
    // stays meaningful when other processes share the cores).
    const time = (f) => {
      f();
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      for (let i = 0; i < reps; i++) f();
      const c = process.cpuUsage(c0);
      return [Number(process.hrtime.bigint() - t0) / 1e6 / reps, (c.user + c.system) / 1e3 / reps];
    };
    const [trainMs, trainCpuMs] = time(train);
    const [inferMs, inferCpuMs] = time(infer);
    console.log(
      JSON.stringify({
        backend: tf.getBackend(),
        cell: values.cell,
        bidirectional: true,
        implementation,
        batch: B,
        length: T,
        inputDim: D,
        units: U,
        trainMs: Math.round(trainMs),
        trainCpuMs: Math.round(trainCpuMs),
        inferMs: Math.round(inferMs),
        inferCpuMs: Math.round(inferCpuMs),
      }),
    );
    optimizer.dispose();
    rnn.dispose();
    probe.dispose();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
