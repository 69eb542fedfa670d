import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CharVocabulary, generateCandidates, positionVocabularySize } from '@emr-re/tokenize';
import type { Candidate } from '@emr-re/tokenize';
import type { FeatureInput } from './architectures';
import { SequenceMask, StepDropout, initializerSeeds, selectBackend } from '@emr-re/engine';
import { readCheckpoint } from './checkpoint';
import { ModelConfig, validateConfig } from './config';
import { allowedLabelMask, featureTensors, restrictRows } from './features';
import {
  ExampleWeightsError,
  TrainableNetwork,
  TrainingCancelledError,
  argmax,
  classWeightVector,
  devMacroF1,
  fitNetwork,
  OUTSIDE_MASS_WEIGHT,
  weightArrays,
  weightedCrossEntropy,
} from './trainer';
import { TOY_LABELS, TOY_SCHEMA, syntheticRecords } from './__tests__/synthetic';

const INPUTS: FeatureInput[] = ['chars', 'headPosition', 'tailPosition', 'mask'];
/** The one relation each toy tail type allows (TOY_SCHEMA). */
const TOY_RULES: Record<string, string> = { S: '症状', M: '药物' };

/** A small network of stock layers (embeddings → conv → global max pool → dropout → softmax) to test the loop alone. */
function tinyNetwork(config: ModelConfig, vocabularySize: number): tfl.LayersModel {
  // Every initialiser seeded from config.seed, as buildNetwork does.
  const seed = initializerSeeds(config.seed);
  const uniform = () => tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed() });
  const glorot = () => tfl.initializers.glorotUniform({ seed: seed() });
  const T = config.maxLength;
  const chars = tfl.input({ shape: [T], dtype: 'int32', name: 'chars' });
  const head = tfl.input({ shape: [T], dtype: 'int32', name: 'headPosition' });
  const tail = tfl.input({ shape: [T], dtype: 'int32', name: 'tailPosition' });
  const mask = tfl.input({ shape: [T], name: 'mask' });
  const p = positionVocabularySize(config.maxDistance);
  const embedding = (inputDim: number, outputDim: number) =>
    tfl.layers.embedding({ inputDim, outputDim, embeddingsInitializer: uniform() });
  const x = tfl.layers
    .concatenate()
    .apply([
      embedding(vocabularySize, config.charDim).apply(chars) as tfl.SymbolicTensor,
      embedding(p, config.positionDim).apply(head) as tfl.SymbolicTensor,
      embedding(p, config.positionDim).apply(tail) as tfl.SymbolicTensor,
    ]) as tfl.SymbolicTensor;
  const masked = new SequenceMask({}).apply([x, mask]) as tfl.SymbolicTensor;
  const conv = tfl.layers
    .conv1d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: glorot() })
    .apply(masked) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalMaxPooling1d({}).apply(conv) as tfl.SymbolicTensor;
  const dropped = new StepDropout({ rate: config.dropout, seed: config.seed }).apply(pooled) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({ units: TOY_LABELS.length, activation: 'softmax', kernelInitializer: glorot() })
    .apply(dropped) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [chars, head, tail, mask], outputs: out });
}

function trainable(config: ModelConfig, vocabulary: CharVocabulary): TrainableNetwork {
  const network = tinyNetwork(config, vocabulary.size);
  const model: TrainableNetwork = {
    network,
    config,
    labels: TOY_LABELS,
    vocabulary,
    schema: TOY_SCHEMA,
    inputs: INPUTS,
    async predictProba(cands: Candidate[]): Promise<Float32Array[]> {
      const probs = tf.tidy(() => network.predict(featureTensors(cands, vocabulary, config, INPUTS)) as tf.Tensor);
      const flat = probs.dataSync() as Float32Array;
      probs.dispose();
      const rows = cands.map((_, i) => flat.slice(i * TOY_LABELS.length, (i + 1) * TOY_LABELS.length));
      restrictRows(rows, allowedLabelMask(cands, TOY_SCHEMA, TOY_LABELS));
      return rows;
    },
  };
  return model;
}

const config = validateConfig({
  arch: 'cnn',
  maxLength: 40,
  charDim: 12,
  positionDim: 4,
  maxDistance: 40,
  dropout: 0.2,
  batchSize: 16,
  learningRate: 0.01,
  epochs: 3,
  seed: 5,
});
const candidates = (n: number, seed: number): Candidate[] =>
  syntheticRecords(n, seed).flatMap((r) => generateCandidates(r, TOY_SCHEMA));
const train = candidates(100, 1);
const dev = candidates(30, 2);
const vocabulary = CharVocabulary.build(train.map((c) => c.sentence.text));

let tmp: string;
beforeAll(async () => {
  // wasm: the cpu backend's JS loops run ~100x slower inside jest's vm sandbox.
  await selectBackend({ backend: 'wasm' });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-trainer-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const allEqual = (a: ReturnType<typeof weightArrays>, b: ReturnType<typeof weightArrays>): boolean =>
  a.length === b.length &&
  a.every((w, i) => w.values.length === b[i].values.length && w.values.every((v, j) => v === b[i].values[j]));

describe('weightedCrossEntropy', () => {
  // One example, labels [unknown, A, B]; the type pair allows unknown and A, the gold label is A.
  const allowed = () => tf.tensor2d([[1, 1, 0]]);
  const target = () => tf.tensor2d([[0, 1, 0]]);
  const lossOfLogits = (z: tf.Tensor): tf.Scalar =>
    weightedCrossEntropy(tf.softmax(z), target(), allowed(), tf.tensor1d([1]));

  it('is the restricted cross-entropy plus the weighted outside-mass term (hand-computed)', () => {
    const p = [0.2, 0.3, 0.5];
    const loss = tf.tidy(
      () => weightedCrossEntropy(tf.tensor2d([p]), target(), allowed(), tf.tensor1d([2])).dataSync()[0],
    );
    const mass = p[0] + p[1];
    const expected = (2 * (-Math.log(p[1] / mass) - OUTSIDE_MASS_WEIGHT * Math.log(mass))) / 1;
    expect(loss).toBeCloseTo(expected, 5);
  });

  it('pushes down a label the type pair rules out (its logit gradient is positive, not zero)', () => {
    const grad = tf.tidy(() =>
      tf
        .grad(lossOfLogits)(tf.tensor2d([[0, 1, 3]]))
        .dataSync(),
    );
    // d/dz_B of −0.1·log(p_u + p_A) = 0.1 · p_B: positive, so gradient descent lowers z_B.
    const pB = Math.exp(3) / (1 + Math.exp(1) + Math.exp(3));
    expect(grad[2]).toBeCloseTo(OUTSIDE_MASS_WEIGHT * pB, 5);
    expect(grad[2]).toBeGreaterThan(0);
  });
});

describe('fitNetwork', () => {
  it('is deterministic: same seed, same weights; another seed, other weights', async () => {
    const a = trainable(config, vocabulary);
    const b = trainable(config, vocabulary);
    const c = trainable(validateConfig({ ...config, seed: 6 }), vocabulary);
    await fitNetwork(a, train, { epochs: 2 });
    await fitNetwork(b, train, { epochs: 2 });
    await fitNetwork(c, train, { epochs: 2 });
    expect(allEqual(weightArrays(a.network), weightArrays(b.network))).toBe(true);
    expect(allEqual(weightArrays(a.network), weightArrays(c.network))).toBe(false);
    [a, b, c].forEach((m) => m.network.dispose());
  });

  it('learns the toy task, reports per-epoch loss and dev macro-F1, and keeps tensor memory flat', async () => {
    const m = trainable(validateConfig({ ...config, epochs: 8 }), vocabulary);
    const tensorsAfterEpoch: number[] = [];
    const trainEvents: number[] = [];
    const report = await fitNetwork(m, train, {
      dev,
      onProgress: (e) => {
        if (e.phase === 'epoch') tensorsAfterEpoch.push(tf.memory().numTensors);
        if (e.phase === 'train') trainEvents.push(e.done);
      },
    });
    // patience 3 (the default): stops 3 epochs after the best one, or at 8
    const n = report.epochs;
    expect(n === 8 || n === (report.bestEpoch as number) + 3).toBe(true);
    expect(report.loss).toHaveLength(n);
    expect(report.loss[n - 1]).toBeLessThan(report.loss[0]);
    expect(report.devMacroF1).toHaveLength(n);
    expect(report.bestEpoch).toBe(argmax(report.devMacroF1 as number[]) + 1);
    expect(Math.max(...(report.devMacroF1 as number[]))).toBeGreaterThanOrEqual(0.95);
    // the best epoch's weights are the ones kept
    expect(await devMacroF1(m, dev)).toBeCloseTo(Math.max(...(report.devMacroF1 as number[])), 6);
    expect(new Set(tensorsAfterEpoch).size).toBe(1);
    expect(trainEvents[trainEvents.length - 1]).toBe(n * Math.ceil(train.length / config.batchSize));
    m.network.dispose();
  });

  it('resumes after a crash to exactly the weights of an uninterrupted run', async () => {
    const straight = trainable(config, vocabulary);
    await fitNetwork(straight, train, { dev, checkpointDir: path.join(tmp, 'straight') });

    const dir = path.join(tmp, 'crashed');
    const crashed = trainable(config, vocabulary);
    const controller = new AbortController();
    const stepsPerEpoch = Math.ceil(train.length / config.batchSize);
    await expect(
      fitNetwork(crashed, train, {
        dev,
        checkpointDir: dir,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.phase === 'train' && e.done === stepsPerEpoch + 2) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(TrainingCancelledError);
    crashed.network.dispose();
    expect((await readCheckpoint(dir))?.state.epoch).toBe(1);

    // a fresh process would rebuild the model from scratch and resume
    const resumed = trainable(config, vocabulary);
    const report = await fitNetwork(resumed, train, { dev, checkpointDir: dir, resume: true });
    expect(report.epochs).toBe(3);
    expect(report.loss).toHaveLength(3);
    expect(allEqual(weightArrays(straight.network), weightArrays(resumed.network))).toBe(true);
    straight.network.dispose();
    resumed.network.dispose();
  });

  it('refuses a checkpoint of another run', async () => {
    const dir = path.join(tmp, 'other');
    const m = trainable(config, vocabulary);
    await fitNetwork(m, train, { epochs: 1, checkpointDir: dir });
    await expect(fitNetwork(m, train.slice(0, 20), { checkpointDir: dir, resume: true })).rejects.toThrow(
      /another configuration, seed, vocabulary or training set/,
    );
    m.network.dispose();
  });

  it('stops early after `patience` epochs without dev improvement', async () => {
    // learning rate 0 → dev F1 never improves after epoch 1
    const m = trainable(validateConfig({ ...config, learningRate: 1e-12, patience: 2, epochs: 10 }), vocabulary);
    const report = await fitNetwork(m, train, { dev });
    expect(report.epochs).toBe(3);
    expect(report.bestEpoch).toBe(1);
    m.network.dispose();
  });
});

describe('fitNetwork with exampleWeights', () => {
  // Every training candidate twice: once as labelled, once with the label flipped (relation ↔ unknown; the
  // type pair allows both). The copies contradict each other unless the flipped ones weigh nothing.
  const flip = (c: Candidate): Candidate => ({
    ...c,
    label: c.label === 'unknown' ? TOY_RULES[c.tail.type] : 'unknown',
  });
  const doubled = [...train, ...train.map(flip)];
  const weightsFor = (flipped: number): number[] => [...train.map(() => 1), ...train.map(() => flipped)];

  it('learns from the weighted examples alone: flipped copies at weight 0 do not hurt, at weight 1 they do', async () => {
    const ignored = trainable(validateConfig({ ...config, epochs: 8 }), vocabulary);
    const ignoredReport = await fitNetwork(ignored, doubled, { dev, exampleWeights: weightsFor(0) });
    expect(Math.max(...(ignoredReport.devMacroF1 as number[]))).toBeGreaterThanOrEqual(0.95);
    ignored.network.dispose();

    const trusted = trainable(validateConfig({ ...config, epochs: 8 }), vocabulary);
    const trustedReport = await fitNetwork(trusted, doubled, { dev, exampleWeights: weightsFor(1) });
    expect(Math.max(...(trustedReport.devMacroF1 as number[]))).toBeLessThan(0.8);
    trusted.network.dispose();
  });

  it('leaves the weights untouched when every example weighs 0 (no gradient reaches Adam)', async () => {
    const m = trainable(config, vocabulary);
    const before = weightArrays(m.network);
    await fitNetwork(m, train, { epochs: 1, exampleWeights: train.map(() => 0) });
    expect(allEqual(before, weightArrays(m.network))).toBe(true);
    m.network.dispose();
  });

  it('rejects weights that do not match the training set, naming the weight', async () => {
    const m = trainable(config, vocabulary);
    await expect(fitNetwork(m, train, { exampleWeights: [1, 1] })).rejects.toThrow(
      new ExampleWeightsError(`2 weights for ${train.length} training candidates`),
    );
    const bad = train.map(() => 1);
    bad[7] = -0.5;
    await expect(fitNetwork(m, train, { exampleWeights: bad })).rejects.toThrow(/weight 7 is -0.5/);
    m.network.dispose();
  });

  it('refuses to resume a checkpoint made with other weights', async () => {
    const dir = path.join(tmp, 'weighted');
    const m = trainable(config, vocabulary);
    await fitNetwork(m, train, { epochs: 1, checkpointDir: dir, exampleWeights: train.map(() => 1) });
    await expect(
      fitNetwork(m, train, { checkpointDir: dir, resume: true, exampleWeights: train.map(() => 0.5) }),
    ).rejects.toThrow(/another configuration, seed, vocabulary or training set/);
    m.network.dispose();
  });
});

describe('classWeightVector', () => {
  it('balanced weights are n / (k · n_c) over present labels', () => {
    const y = Int32Array.from([0, 0, 0, 1]);
    const w = classWeightVector('balanced', TOY_LABELS, y);
    expect(Array.from(w)).toEqual([4 / (2 * 3), 4 / (2 * 1), 1].map((v) => Math.fround(v)));
    expect(Array.from(classWeightVector({ 药物: 3 }, TOY_LABELS, y))).toEqual([1, 1, 3]);
    expect(Array.from(classWeightVector(undefined, TOY_LABELS, y))).toEqual([1, 1, 1]);
  });
});
