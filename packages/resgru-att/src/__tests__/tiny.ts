/** The tiny models and toy candidates the entity-option tests train and probe. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CharVocabulary, generateCandidates } from '@emr-re/tokenize';
import type { Candidate } from '@emr-re/tokenize';
import { validateConfig } from '../config';
import type { FeatureInput } from '../architectures';
import type { Architecture, ModelConfig } from '../config';
import { TOY_SCHEMA, syntheticRecords } from './synthetic';

/** A model config small enough to train in a test, with `overrides` on top. */
export function tiny(arch: Architecture, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return validateConfig({
    arch,
    maxLength: 32,
    charDim: 8,
    positionDim: 4,
    maxDistance: 32,
    cnn: { filters: 6, windows: [3], blocks: 1 },
    rnn: { units: 6, layers: 1 },
    dropout: 0.1,
    batchSize: 16,
    learningRate: 0.01,
    epochs: 2,
    seed: 3,
    ...overrides,
  });
}

/** The candidates of `n` synthetic records under the toy schema. */
export const candidates = (n: number, seed: number): Candidate[] =>
  syntheticRecords(n, seed).flatMap((r) => generateCandidates(r, TOY_SCHEMA));

/** The toy schema's entity types. */
export const TYPES = TOY_SCHEMA.entityTypes;
/** A vocabulary over 30 synthetic records' sentences. */
export const vocabulary = CharVocabulary.build(candidates(30, 20).map((c) => c.sentence.text));
/** The network shape of a model over `vocabulary` and the toy schema (3 labels). */
export const SHAPE = { vocabularySize: vocabulary.size, labelCount: 3, entityTypeCount: TYPES.length + 1 };

/**
 * Expects the network's output on `features` not to move when the padding of chars and positions is scribbled on
 * (call inside `tf.tidy`). Returns the unscribbled output.
 */
export function expectPaddingIgnored(
  network: tfl.LayersModel,
  features: tf.Tensor[],
  inputs: readonly FeatureInput[],
): tf.Tensor {
  const p = network.predict(features) as tf.Tensor;
  const mask = features[inputs.indexOf('mask')];
  const scribbled = features.map((f, k) =>
    ['chars', 'headPosition', 'tailPosition'].includes(inputs[k])
      ? tf.add(f, tf.cast(tf.mul(tf.sub(1, mask), 5), 'int32'))
      : f,
  );
  const q = network.predict(scribbled) as tf.Tensor;
  expect(tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]).toBeLessThan(1e-5);
  return p;
}

/** The gradients of a 3-class training loss (candidate i labelled i mod 3) on `features` for `vars` (inside `tf.tidy`). */
export function lossGradients(
  network: tfl.LayersModel,
  features: tf.Tensor[],
  rows: number,
  vars: tf.Variable[],
): tf.NamedTensorMap {
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: rows }, (_, i) => i % 3),
      'int32',
    ),
    3,
  );
  return tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, tf.log(network.apply(features, { training: true }) as tf.Tensor)),
    vars,
  ).grads;
}
