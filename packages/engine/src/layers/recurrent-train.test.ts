import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeededRandom } from '@emr-re/tokenize';
import { selectBackend } from '../backend/select';
import { initializerSeeds } from '../random';
import { FastRNN, FastRNNArgs } from './recurrent';

/**
 * Toy task: a row of length 4..T holds token A once and token B once among filler tokens, padding after;
 * the label says whether A comes before B. Solving it needs order information carried across steps.
 * Tokens are one-hot (dim 6: pad, A, B, three fillers). Deterministic (`SeededRandom`).
 */
function orderTask(rows: number, T: number, seed: number): { x: tf.Tensor; mask: tf.Tensor; y: tf.Tensor } {
  const rng = new SeededRandom(seed);
  const rand = (n: number) => rng.int(n);
  const x = new Float32Array(rows * T * 6);
  const mask = new Float32Array(rows * T);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const len = 4 + rand(T - 3);
    const a = rand(len);
    let b = rand(len - 1);
    if (b >= a) b++;
    for (let t = 0; t < T; t++) {
      const token = t >= len ? 0 : t === a ? 1 : t === b ? 2 : 3 + rand(3);
      x[(r * T + t) * 6 + token] = 1;
      mask[r * T + t] = t < len ? 1 : 0;
    }
    y[r] = a < b ? 1 : 0;
  }
  return { x: tf.tensor3d(x, [rows, T, 6]), mask: tf.tensor2d(mask, [rows, T]), y: tf.tensor2d(y, [rows, 1]) };
}

function orderModel(T: number, rnn: FastRNNArgs): tfl.LayersModel {
  const seed = initializerSeeds(7);
  const xIn = tfl.input({ shape: [T, 6] });
  const maskIn = tfl.input({ shape: [T] });
  const h = new FastRNN({ ...rnn, returnSequences: false, seed: seed() }).apply([xIn, maskIn]) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({ units: 1, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }) })
    .apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [xIn, maskIn], outputs: out });
}

function accuracy(model: tfl.LayersModel, data: { x: tf.Tensor; mask: tf.Tensor; y: tf.Tensor }): number {
  return tf.tidy(() => {
    const p = model.predict([data.x, data.mask]) as tf.Tensor;
    return tf.mean(tf.cast(tf.equal(tf.greater(p, 0.5), tf.greater(data.y, 0.5)), 'float32')).dataSync()[0];
  });
}

describe('FastRNN learns a toy order task on wasm', () => {
  const T = 10;
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('BiGRU (bptt) reaches ≥ 0.95 held-out accuracy with Adam, tensor count flat over 240 steps', () => {
    const train = orderTask(2048, T, 1);
    const test = orderTask(512, T, 2);
    const model = orderModel(T, { cell: 'gru', units: 16, implementation: 'bptt' });
    const optimizer = tf.train.adam(0.01);
    const batch = 32;
    const step = (i: number) => {
      const from = (i * batch) % 2048;
      const cost = optimizer.minimize(() => {
        const x = tf.slice(train.x, [from, 0, 0], [batch, T, 6]);
        const mask = tf.slice(train.mask, [from, 0], [batch, T]);
        const y = tf.slice(train.y, [from, 0], [batch, 1]);
        const p = model.apply([x, mask], { training: true }) as tf.Tensor;
        return tf.losses.logLoss(y, p);
      }, true) as tf.Scalar;
      const v = cost.dataSync()[0];
      cost.dispose();
      return v;
    };
    // The optimizer creates its slot variables on the first step.
    step(0);
    const tensorsAfterFirst = tf.memory().numTensors;
    let firstLosses = 0;
    let lastLosses = 0;
    for (let i = 1; i < 240; i++) {
      const loss = step(i);
      if (i <= 20) firstLosses += loss;
      if (i > 219) lastLosses += loss;
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    expect(lastLosses).toBeLessThan(firstLosses / 3);
    const acc = accuracy(model, test);
    expect(acc).toBeGreaterThanOrEqual(0.95);
  });

  it('LSTM (bptt, one direction) learns it through model.fit', async () => {
    const train = orderTask(1024, T, 3);
    const test = orderTask(512, T, 4);
    const model = orderModel(T, { cell: 'lstm', units: 16, bidirectional: false });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
    await model.fit([train.x, train.mask], train.y, { epochs: 8, batchSize: 32, shuffle: false, verbose: 0 });
    expect(accuracy(model, test)).toBeGreaterThanOrEqual(0.95);
  });
});
