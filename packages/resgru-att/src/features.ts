import * as tf from '@tensorflow/tfjs-core';
import { CharVocabulary, SchemaError, encodeBatch } from '@emr-re/tokenize';
import type { Candidate } from '@emr-re/tokenize';
import type { ModelConfig } from './config';
import type { FeatureInput } from './architectures';

/**
 * Feature tensors of a batch of candidates, in the order of `inputs`: chars, headPosition and tailPosition
 * `(batch, maxLength)` int32; mask and segments `(batch, maxLength)` float32. The caller disposes them.
 */
export function featureTensors(
  candidates: Candidate[],
  vocabulary: CharVocabulary,
  config: Pick<ModelConfig, 'maxLength' | 'maxDistance'>,
  inputs: readonly FeatureInput[],
): tf.Tensor2D[] {
  const encoded = encodeBatch(candidates, vocabulary, { maxLength: config.maxLength, maxDistance: config.maxDistance });
  const shape: [number, number] = [candidates.length, config.maxLength];
  return inputs.map((name) => {
    switch (name) {
      case 'chars':
        return tf.tensor2d(encoded.charIds, shape, 'int32');
      case 'headPosition':
        return tf.tensor2d(encoded.headPosition, shape, 'int32');
      case 'tailPosition':
        return tf.tensor2d(encoded.tailPosition, shape, 'int32');
      case 'mask':
        return tf.tensor2d(encoded.mask, shape, 'float32');
      case 'segments':
        return tf.tensor2d(Float32Array.from(encoded.segments), shape, 'float32');
    }
  });
}

/**
 * The index of each candidate's gold label in `labels`.
 * @throws SchemaError naming the record when a label is not one of the model's labels.
 */
export function labelIndices(candidates: Candidate[], labels: readonly string[]): Int32Array {
  const index = new Map(labels.map((l, i) => [l, i]));
  const out = new Int32Array(candidates.length);
  candidates.forEach((c, i) => {
    const k = index.get(c.label);
    if (k === undefined) {
      throw new SchemaError(
        `record ${c.recordId}: relation label "${c.label}" (entities ${c.head.id} → ${c.tail.id}) is not a label of the model's schema`,
      );
    }
    out[i] = k;
  });
  return out;
}
