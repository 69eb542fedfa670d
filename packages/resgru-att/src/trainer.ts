import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { EmrReError, UNKNOWN_LABEL } from '@emr-re/tokenize';
import type { Candidate, CharVocabulary, FitOptions, FitReport, Schema } from '@emr-re/tokenize';
import { scorePairs } from '@emr-re/metrics';
import { Adam, SeededRandom, StepDropout, recordDevScore } from '@emr-re/engine';
import type { NamedArray } from '@emr-re/engine';
import type { FeatureInput } from './architectures';
import { Checkpoint, CheckpointError, TrainingState, readCheckpoint, writeCheckpoint } from './checkpoint';
import type { ClassWeights, ModelConfig } from './config';
import { allowedLabelMask, featureTensors, labelIndices } from './features';
import { sha256 } from './files';

/** Training was cancelled through its AbortSignal. */
export class TrainingCancelledError extends EmrReError {
  constructor(epoch: number, step: number) {
    super('CANCELLED', `training cancelled in epoch ${epoch} at step ${step}`);
  }
}

/** The loss became NaN or infinite: the configuration (usually `learningRate`) does not train. */
export class TrainingDivergedError extends EmrReError {
  constructor(epoch: number, step: number) {
    super('DIVERGED', `training diverged (loss is not finite) in epoch ${epoch} at step ${step}; lower "learningRate"`);
  }
}

/** `exampleWeights` do not match the training set: wrong length, or a weight that is negative or not finite. */
export class ExampleWeightsError extends EmrReError {
  constructor(reason: string) {
    super('EXAMPLE_WEIGHTS', `exampleWeights: ${reason}`);
  }
}

/** Checks `weights` against a training set of `count` candidates. @throws ExampleWeightsError */
export function checkExampleWeights(weights: readonly number[], count: number): void {
  if (weights.length !== count)
    throw new ExampleWeightsError(`${weights.length} weights for ${count} training candidates`);
  weights.forEach((w, i) => {
    if (!Number.isFinite(w) || w < 0)
      throw new ExampleWeightsError(`weight ${i} is ${w}; weights must be finite and ≥ 0`);
  });
}

/** Fit options plus resumable checkpoints. */
export interface TrainFitOptions extends FitOptions {
  /** Directory to write a checkpoint into after every epoch (atomically). */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` when there is one. */
  resume?: boolean;
}

/** What the training loop needs of a model. */
export interface TrainableNetwork {
  network: tfl.LayersModel;
  config: ModelConfig;
  labels: readonly string[];
  vocabulary: CharVocabulary;
  /** The schema whose type pairs restrict each candidate's labels (in the loss and in predictions). */
  schema: Schema;
  inputs: readonly FeatureInput[];
  predictProba(candidates: Candidate[]): Promise<Float32Array[]>;
}

/** Every weight of a network as plain arrays, in `network.weights` order. */
export function weightArrays(network: tfl.LayersModel): NamedArray[] {
  return network.weights.map((w) => ({
    name: w.originalName,
    shape: [...w.shape] as number[],
    values: (w.read().dataSync() as Float32Array).slice(),
  }));
}

/** Sets every weight of a network from `weightArrays` output. @throws RangeError on a count or shape mismatch. */
export function setWeightArrays(network: tfl.LayersModel, arrays: NamedArray[]): void {
  const weights = network.weights;
  if (arrays.length !== weights.length)
    throw new RangeError(`got ${arrays.length} weight arrays, network has ${weights.length}`);
  arrays.forEach((a, i) => {
    const want = weights[i].shape.join(',');
    if (a.shape.join(',') !== want)
      throw new RangeError(`weight ${weights[i].originalName}: shape [${a.shape}] ≠ [${want}]`);
  });
  tf.tidy(() => network.setWeights(arrays.map((a) => tf.tensor(a.values, a.shape, 'float32'))));
}

/**
 * Loss weight of each label index: 1 without `classWeights`; `'balanced'` gives n / (k × n_c) over the
 * k labels present in training (absent labels 1); an object gives the listed labels' weights (others 1).
 */
export function classWeightVector(
  spec: ClassWeights | undefined,
  labels: readonly string[],
  trainLabels: Int32Array,
): Float32Array {
  const w = new Float32Array(labels.length).fill(1);
  if (spec === undefined) return w;
  if (spec === 'balanced') {
    const counts = new Array<number>(labels.length).fill(0);
    for (const y of trainLabels) counts[y]++;
    const present = counts.filter((c) => c > 0).length;
    counts.forEach((c, i) => {
      if (c > 0) w[i] = trainLabels.length / (present * c);
    });
    return w;
  }
  labels.forEach((l, i) => {
    if (spec[l] !== undefined) w[i] = spec[l];
  });
  return w;
}

/** Dev macro-F1 (over gold relation classes, `unknown` excluded) of a network's argmax predictions. */
export async function devMacroF1(model: TrainableNetwork, dev: Candidate[]): Promise<number> {
  const rows = await model.predictProba(dev);
  const pairs = rows.map((row, i) => ({ gold: dev[i].label, pred: model.labels[argmax(row)] }));
  return scorePairs(pairs, { negativeLabel: UNKNOWN_LABEL }).macro.f1;
}

/** Index of the largest value (the first on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

function fingerprintOf(
  model: TrainableNetwork,
  train: Candidate[],
  labelsIdx: Int32Array,
  seed: number,
  weights: readonly number[] | undefined,
): string {
  const { epochs: _epochs, patience: _patience, ...config } = model.config;
  const weightOf = (i: number): string => (weights === undefined ? '' : `\t${weights[i]}`);
  const data = sha256(
    train
      .map(
        (c, i) =>
          `${c.recordId}\t${c.head.start},${c.head.end}\t${c.tail.start},${c.tail.end}\t${labelsIdx[i]}${weightOf(i)}`,
      )
      .join('\n'),
  );
  return sha256(JSON.stringify({ config, seed, labels: model.labels, vocabulary: model.vocabulary.size, data }));
}

/**
 * Weight of the outside-mass term of `weightedCrossEntropy`. The restricted cross-entropy alone does not depend on
 * the probabilities of labels the candidate's type pair rules out, so nothing stops their logits from drifting up
 * through the shared weights; after enough epochs the allowed labels' probabilities underflow to 0 in float32, the
 * clamped loss of those examples reads 0 with no gradient, and every prediction of the model collapses (seen on
 * CMeIE: dev macro-F1 47.8 → 2.5 at epoch 8 while the training loss kept falling). A small −log(allowed mass) term
 * pushes the ruled-out labels down and vanishes when they already hold no mass.
 */
export const OUTSIDE_MASS_WEIGHT = 0.1;

/**
 * Cross-entropy of `probabilities (batch, labels)` restricted to the allowed labels `allowed (batch, labels)`
 * (p'_y = p_y / Σ allowed p), plus `OUTSIDE_MASS_WEIGHT` · −log Σ allowed p, against one-hot `targets`, weighted
 * per example `(batch)`, averaged over the batch.
 */
export function weightedCrossEntropy(
  probabilities: tf.Tensor,
  targets: tf.Tensor,
  allowed: tf.Tensor,
  exampleWeights: tf.Tensor,
): tf.Scalar {
  const picked = tf.sum(tf.mul(probabilities, targets), -1);
  const logMass = tf.log(tf.maximum(tf.sum(tf.mul(probabilities, allowed), -1), 1e-7));
  const restricted = tf.sub(logMass, tf.log(tf.maximum(picked, 1e-7)));
  const nll = tf.sub(restricted, tf.mul(logMass, OUTSIDE_MASS_WEIGHT));
  return tf.div(tf.sum(tf.mul(nll, exampleWeights)), probabilities.shape[0] as number) as tf.Scalar;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Trains `model.network` on `train` with Adam (`config.learningRate`), shuffled mini-batches drawn from
 * a PRNG seeded with `seed` (or `config.seed`), dropout masks indexed by step, optional class weights and
 * per-example weights (`exampleWeights`, multiplied with the class weight),
 * early stopping on dev macro-F1 (`config.patience`; the best epoch's weights are restored), progress
 * events (phase `train` per step, `epoch` per epoch), cancellation by `signal`, and an atomic checkpoint
 * after each epoch from which `resume` continues bit-for-bit (weights, Adam moments, PRNG, epoch).
 */
export async function fitNetwork(
  model: TrainableNetwork,
  train: Candidate[],
  options: TrainFitOptions = {},
): Promise<FitReport> {
  const { network, config, labels } = model;
  const epochs = options.epochs ?? config.epochs;
  const seed = options.seed ?? config.seed;
  const dev = options.dev && options.dev.length > 0 ? options.dev : undefined;
  const trainLabels = labelIndices(train, labels);
  if (dev) labelIndices(dev, labels);
  const classWeights = classWeightVector(config.classWeights, labels, trainLabels);
  const itemWeights = options.exampleWeights;
  if (itemWeights !== undefined) checkExampleWeights(itemWeights, train.length);
  const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
  const dropouts = network.layers.filter((l): l is StepDropout => l instanceof StepDropout);
  const optimizer = new Adam(variables, { learningRate: config.learningRate });
  const rng = new SeededRandom(seed);
  const fingerprint = fingerprintOf(model, train, trainLabels, seed, itemWeights);
  let state: TrainingState = {
    epoch: 0,
    step: 0,
    rngState: rng.state,
    loss: [],
    devMacroF1: [],
    bestF1: null,
    bestEpoch: null,
    sinceBest: 0,
    stopped: false,
  };
  let best: NamedArray[] | undefined;

  try {
    if (options.resume && options.checkpointDir) {
      const checkpoint = await readCheckpoint(options.checkpointDir);
      if (checkpoint) {
        if (checkpoint.fingerprint !== fingerprint) {
          throw new CheckpointError(
            options.checkpointDir,
            'checkpoint was made for another configuration, seed, vocabulary or training set; delete it or train without resume',
          );
        }
        setWeightArrays(network, checkpoint.weights);
        optimizer.restore(checkpoint.optimizer);
        state = checkpoint.state;
        rng.state = state.rngState;
        best = checkpoint.best;
      }
    }

    const batchSize = config.batchSize;
    const stepsPerEpoch = Math.ceil(train.length / batchSize);
    const totalSteps = stepsPerEpoch * epochs;
    const order = Array.from({ length: train.length }, (_, i) => i);
    const classWeightTensor = tf.tensor1d(classWeights);
    try {
      while (state.epoch < epochs && !state.stopped && train.length > 0) {
        const epoch = state.epoch + 1;
        order.sort((a, b) => a - b);
        rng.shuffle(order);
        const started = Date.now();
        let lossSum = 0;
        for (let s = 0; s < stepsPerEpoch; s++) {
          if (options.signal?.aborted) throw new TrainingCancelledError(epoch, state.step);
          const idx = order.slice(s * batchSize, (s + 1) * batchSize);
          const batch = idx.map((i) => train[i]);
          for (const d of dropouts) d.step = Math.imul(seed, 1000003) + state.step;
          const features = featureTensors(batch, model.vocabulary, config, model.inputs, model.schema.entityTypes);
          const targetIdx = tf.tensor1d(
            Int32Array.from(idx, (i) => trainLabels[i]),
            'int32',
          );
          const targets = tf.oneHot(targetIdx, labels.length);
          const exampleWeights = tf.tidy(() => {
            const byClass = tf.gather(classWeightTensor, targetIdx);
            if (itemWeights === undefined) return byClass;
            return tf.mul(byClass, tf.tensor1d(Float32Array.from(idx, (i) => itemWeights[i])));
          });
          const allowed = tf.tensor2d(allowedLabelMask(batch, model.schema, labels), [batch.length, labels.length]);
          const { value, grads } = tf.variableGrads(
            () =>
              weightedCrossEntropy(
                network.apply(features, { training: true }) as tf.Tensor,
                targets,
                allowed,
                exampleWeights,
              ),
            variables,
          );
          optimizer.apply(variables.map((v) => grads[v.name]));
          const loss = value.dataSync()[0];
          tf.dispose([value, ...Object.values(grads), ...features, targetIdx, targets, allowed, exampleWeights]);
          state.step += 1;
          if (!Number.isFinite(loss)) throw new TrainingDivergedError(epoch, state.step);
          lossSum += loss * batch.length;
          const seconds = (Date.now() - started) / 1000;
          options.onProgress?.({
            phase: 'train',
            done: (epoch - 1) * stepsPerEpoch + s + 1,
            total: totalSteps,
            values: {
              epoch,
              loss,
              examplesPerSecond:
                seconds > 0 ? Math.round((Math.min((s + 1) * batchSize, train.length) / seconds) * 10) / 10 : 0,
            },
          });
          await nextTick();
        }
        state.loss.push(lossSum / train.length);
        const values: Record<string, number> = { loss: state.loss[state.loss.length - 1] };
        if (dev) {
          const f1 = await devMacroF1(model, dev);
          state.devMacroF1.push(f1);
          values.devMacroF1 = f1;
          if (recordDevScore(state, f1, epoch, config.patience)) best = weightArrays(network);
        }
        state.epoch = epoch;
        state.rngState = rng.state;
        if (options.checkpointDir) {
          const checkpoint: Checkpoint = {
            fingerprint,
            state,
            weights: weightArrays(network),
            best,
            optimizer: optimizer.snapshot(),
          };
          await writeCheckpoint(options.checkpointDir, checkpoint);
        }
        options.onProgress?.({
          phase: 'epoch',
          done: epoch,
          total: epochs,
          values,
          message: state.stopped ? `early stop: no dev improvement for ${config.patience} epochs` : undefined,
        });
      }
    } finally {
      classWeightTensor.dispose();
    }
    if (best && state.bestEpoch !== null && state.bestEpoch !== state.epoch) setWeightArrays(network, best);
  } finally {
    optimizer.dispose();
  }
  const report: FitReport = { epochs: state.epoch, loss: state.loss };
  if (dev) {
    report.devMacroF1 = state.devMacroF1;
    if (state.bestEpoch !== null) report.bestEpoch = state.bestEpoch;
  }
  return report;
}
