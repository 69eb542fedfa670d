import * as tf from '@tensorflow/tfjs-core';
import { CharVocabulary, SchemaError, UNKNOWN_LABEL, encodeBatch, schemaIndex } from '@emr-re/tokenize';
import type { Candidate, Schema } from '@emr-re/tokenize';
import type { ModelConfig } from './config';
import type { FeatureInput } from './architectures';
import { markerSchemeOf } from './markers';

/**
 * Entity type ids of a batch, flat `(batch, 2)` int32: head then tail, each its index in `entityTypes` (the
 * schema's) + 1, or 0 for a type the list lacks.
 */
export function entityTypeIds(candidates: readonly Candidate[], entityTypes: readonly string[]): Int32Array {
  const index = new Map(entityTypes.map((t, i) => [t, i + 1]));
  const out = new Int32Array(candidates.length * 2);
  candidates.forEach((c, i) => {
    out[2 * i] = index.get(c.head.type) ?? 0;
    out[2 * i + 1] = index.get(c.tail.type) ?? 0;
  });
  return out;
}

/**
 * Feature tensors of a batch of candidates, in the order of `inputs`: chars, headPosition and tailPosition
 * `(batch, maxLength)` int32; mask and segments `(batch, maxLength)` float32; entityTypes `(batch, 2)` int32
 * (`entityTypeIds` over `entityTypes`, which that input needs). With `config.entityMarkers` the characters carry
 * the typed markers (ids after the vocabulary, over `entityTypes`). The caller disposes them.
 */
export function featureTensors(
  candidates: Candidate[],
  vocabulary: CharVocabulary,
  config: Pick<ModelConfig, 'maxLength' | 'maxDistance' | 'entityMarkers'>,
  inputs: readonly FeatureInput[],
  entityTypes?: readonly string[],
): tf.Tensor2D[] {
  const encoded = encodeBatch(candidates, vocabulary, {
    maxLength: config.maxLength,
    maxDistance: config.maxDistance,
    markers: markerSchemeOf(config, vocabulary.size, entityTypes),
  });
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
      case 'entityTypes':
        if (entityTypes === undefined) throw new Error('the entityTypes input needs the list of entity types');
        return tf.tensor2d(entityTypeIds(candidates, entityTypes), [candidates.length, 2], 'int32');
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

/**
 * Which labels each candidate may take, flat `(batch, labels)` 1/0: `unknown`, the labels the schema allows
 * for the candidate's (head type, tail type), and its own gold label. A schema such as CMeIE's has 44
 * labels but at most 8 per type pair; the network does not see entity types, so the schema supplies them.
 */
export function allowedLabelMask(
  candidates: readonly Candidate[],
  schema: Schema,
  labels: readonly string[],
): Float32Array {
  const index = schemaIndex(schema);
  const k = labels.length;
  const out = new Float32Array(candidates.length * k);
  const cache = new Map<string, Float32Array>();
  candidates.forEach((c, row) => {
    const key = `${c.head.type}\u0000${c.tail.type}`;
    let allowed = cache.get(key);
    if (allowed === undefined) {
      const pair = index.pairLabels(c.head.type, c.tail.type);
      allowed = Float32Array.from(labels, (l) => (l === UNKNOWN_LABEL || pair?.has(l) ? 1 : 0));
      cache.set(key, allowed);
    }
    out.set(allowed, row * k);
    const gold = labels.indexOf(c.label);
    if (gold >= 0) out[row * k + gold] = 1;
  });
  return out;
}

/**
 * Restricts probability rows to the allowed labels and renormalises them, in place:
 * `p'_k = p_k · m_k / Σ_j p_j · m_j`.
 */
export function restrictRows(rows: Float32Array[], mask: Float32Array): void {
  rows.forEach((row, i) => {
    const k = row.length;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      row[j] *= mask[i * k + j];
      sum += row[j];
    }
    if (sum > 0) for (let j = 0; j < k; j++) row[j] /= sum;
  });
}
