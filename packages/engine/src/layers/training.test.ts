import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeededRandom } from '@emr-re/tokenize';
import { selectBackend } from '../backend/select';
import { Conv1DSame, ResidualBlock1D } from './conv';
import { AttentionPooling, MaskedMaxPooling, PiecewiseMaxPooling } from './pooling';

const VOCAB = 10;
const TARGET = 7;

/** Deterministic toy data: token rows (0 = padding), masks, and label 1 iff `TARGET` occurs among the real tokens. */
function toyData(count: number, length: number, seed: number) {
  const rng = new SeededRandom(seed);
  const rand = () => rng.next();
  const ids: number[][] = [];
  const mask: number[][] = [];
  const segments: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = 3 + Math.floor(rand() * (length - 2));
    const positive = rand() < 0.5;
    const row = Array.from({ length }, (_, t) => {
      if (t >= n) return 0;
      let token = 1 + Math.floor(rand() * (VOCAB - 1));
      while (token === TARGET) token = 1 + Math.floor(rand() * (VOCAB - 1));
      return token;
    });
    if (positive) row[Math.floor(rand() * n)] = TARGET;
    ids.push(row);
    mask.push(row.map((_, t) => (t < n ? 1 : 0)));
    segments.push(row.map((_, t) => (t >= n ? 0 : t < n / 3 ? 1 : t < (2 * n) / 3 ? 2 : 3)));
    labels.push(positive ? 1 : 0);
  }
  return { ids, mask, segments, labels };
}

/** The loss of a softmax output `(batch, 2)` against integer labels. */
function crossEntropy(probs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  const onehot = tf.oneHot(labels, 2);
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.log(tf.clipByValue(probs, 1e-7, 1))), 1))) as tf.Scalar;
}

describe('training on wasm', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('embedding → Conv1DSame → AttentionPooling → dense softmax learns "token 7 present" to ≥ 0.95 accuracy', () => {
    const length = 8;
    const ids = tfl.input({ shape: [length] });
    const mask = tfl.input({ shape: [length] });
    const embedded = tfl.layers
      .embedding({
        inputDim: VOCAB,
        outputDim: 8,
        embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 1 }),
      })
      .apply(ids) as tfl.SymbolicTensor;
    const conv = new Conv1DSame({
      filters: 8,
      kernelSize: 3,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
    }).apply([embedded, mask]);
    const pooled = new AttentionPooling({ kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply([
      conv as tfl.SymbolicTensor,
      mask,
    ]);
    const probs = tfl.layers
      .dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) })
      .apply(pooled) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [ids, mask], outputs: probs });
    const optimizer = tf.train.adam(0.02);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);

    const train = toyData(512, length, 11);
    const test = toyData(256, length, 12);
    const trainIds = tf.tensor2d(train.ids);
    const trainMask = tf.tensor2d(train.mask);
    const trainLabels = tf.tensor1d(train.labels, 'int32');
    const batch = 32;
    let firstLoss = NaN;
    let lastLoss = NaN;
    for (let epoch = 0; epoch < 12; epoch++) {
      for (let start = 0; start < 512; start += batch) {
        const cost = optimizer.minimize(
          () => {
            const x = tf.slice(trainIds, [start, 0], [batch, length]);
            const m = tf.slice(trainMask, [start, 0], [batch, length]);
            const y = tf.slice(trainLabels, [start], [batch]);
            return crossEntropy(model.apply([x, m], { training: true }) as tf.Tensor, y);
          },
          true,
          variables,
        )!;
        lastLoss = cost.dataSync()[0];
        if (Number.isNaN(firstLoss)) firstLoss = lastLoss;
        cost.dispose();
      }
    }
    const predicted = tf.tidy(() =>
      tf.argMax(model.predict([tf.tensor2d(test.ids), tf.tensor2d(test.mask)]) as tf.Tensor, 1),
    );
    const guesses = Array.from(predicted.dataSync());
    const accuracy = guesses.filter((g, i) => g === test.labels[i]).length / test.labels.length;
    expect(lastLoss).toBeLessThan(firstLoss / 4);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    tf.dispose([predicted, trainIds, trainMask, trainLabels]);
    optimizer.dispose();
    model.dispose();
  });
});

describe.each([
  ['wasm', 1000],
  ['cpu', 100],
] as const)('memory on %s', (backend, steps) => {
  it(`a ${steps}-step train loop through every layer holds tensors and backend buffers flat`, async () => {
    await selectBackend({ backend });
    const length = 6;
    const ids = tfl.input({ shape: [length] });
    const mask = tfl.input({ shape: [length] });
    const segments = tfl.input({ shape: [length] });
    const embedded = tfl.layers.embedding({ inputDim: VOCAB, outputDim: 4 }).apply(ids) as tfl.SymbolicTensor;
    const conv = new Conv1DSame({ filters: 4, kernelSize: 3 }).apply([embedded, mask]) as tfl.SymbolicTensor;
    const block = new ResidualBlock1D({ filters: 4, kernelSize: 3 }).apply([conv, mask]) as tfl.SymbolicTensor;
    const pooled = tfl.layers
      .concatenate()
      .apply([
        new AttentionPooling().apply([block, mask]) as tfl.SymbolicTensor,
        new MaskedMaxPooling().apply([block, mask]) as tfl.SymbolicTensor,
        new PiecewiseMaxPooling().apply([block, segments]) as tfl.SymbolicTensor,
      ]) as tfl.SymbolicTensor;
    const probs = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(pooled) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [ids, mask, segments], outputs: probs });
    const optimizer = tf.train.adam(0.01);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const data = toyData(4, length, 5);
    const inputs = [tf.tensor2d(data.ids), tf.tensor2d(data.mask), tf.tensor2d(data.segments)];
    const labels = tf.tensor1d(data.labels, 'int32');
    const step = () =>
      optimizer.minimize(
        () => crossEntropy(model.apply(inputs, { training: true }) as tf.Tensor, labels),
        false,
        variables,
      );
    const dataIds = () => tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    const tensorsAfterWarmup = tf.memory().numTensors;
    const buffersAfterWarmup = dataIds();
    for (let i = 5; i < steps; i++) step();
    expect(tf.memory().numTensors).toBe(tensorsAfterWarmup);
    expect(dataIds()).toBe(buffersAfterWarmup);
    tf.dispose([...inputs, labels]);
    optimizer.dispose();
    model.dispose();
  });
});
