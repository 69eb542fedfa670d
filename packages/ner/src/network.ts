import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, SequenceMask, StepDropout, initializerSeeds } from '@emr-re/engine';
import type { CharVocabulary, EmbeddingSource } from '@emr-re/tokenize';
import { nerArchitectureFor } from './architectures';
import type { NerConfig } from './config';

/** Name of the character embedding layer (pretrained vectors go there). */
export const CHAR_EMBEDDING_LAYER = 'char_embedding';

/** Sizes a tagger needs beyond its configuration. */
export interface TaggerShape {
  /** Character vocabulary size (PAD and UNK included). */
  vocabularySize: number;
  /** Tags of the scheme (K). */
  numTags: number;
}

type ST = tfl.SymbolicTensor;

/**
 * The tagger network of `config.arch` as a functional tfjs-layers model: inputs `chars (batch, length)` int32 and
 * `mask (batch, length)` float 1/0 (padding at the end of each row), output per-character tag scores — the CRF's
 * emissions — `(batch, length, numTags)`. The length axis is free (`null`): a batch is padded to its longest window,
 * not to `maxLength`. Layers: character embedding → mask → the architecture's encoder `(batch, length, d)` →
 * step-indexed dropout → dense `(d, numTags)`, linear. Every initialiser is seeded from `config.seed`
 * (`initializerSeeds`), so one seed builds the same weights.
 */
export function buildTagger(config: NerConfig, shape: TaggerShape): tfl.LayersModel {
  const seed = initializerSeeds(config.seed);
  const chars = tfl.input({ shape: [null], dtype: 'int32', name: 'chars' });
  const mask = tfl.input({ shape: [null], dtype: 'float32', name: 'mask' });
  const embedded = tfl.layers
    .embedding({
      inputDim: shape.vocabularySize,
      outputDim: config.charDim,
      embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed() }),
      name: CHAR_EMBEDDING_LAYER,
    })
    .apply(chars) as ST;
  const x = new SequenceMask({ name: 'embedding_mask' }).apply([embedded, mask]) as ST;
  const features = nerArchitectureFor(config.arch).encode({ x, mask, config, seed });
  const dropped = new StepDropout({ rate: config.dropout, seed: config.seed, name: 'dropout' }).apply(features) as ST;
  const emissions = tfl.layers
    .dense({
      units: shape.numTags,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }),
      name: 'emissions',
    })
    .apply(dropped) as ST;
  return tfl.model({ inputs: [chars, mask], outputs: emissions, name: `emr_re_ner_${config.arch.replace(/-/g, '_')}` });
}

/**
 * Copies pretrained vectors into the character embedding matrix `(vocabularySize, charDim)`: every
 * single-code-unit token of `source` that the vocabulary knows (not PAD/UNK) gets its vector; the others keep their
 * random ones. Returns how many rows were set. (The tagger's vocabulary is per UTF-16 code unit, the unit of its tags,
 * so a character outside the BMP has no single vector.)
 * @throws ConfigError when the source's dimension differs from `charDim`.
 */
export function initialiseCharEmbeddings(
  network: tfl.LayersModel,
  vocabulary: CharVocabulary,
  source: EmbeddingSource,
  charDim: number,
): number {
  if (source.dim !== charDim) {
    throw new ConfigError('charDim', `is ${charDim} but the pretrained embeddings have dimension ${source.dim}`);
  }
  const layer = network.getLayer(CHAR_EMBEDDING_LAYER);
  const [current] = layer.getWeights();
  const matrix = (current.dataSync() as Float32Array).slice();
  let set = 0;
  for (const [token, vector] of source.entries()) {
    if (token.length !== 1) continue;
    const id = vocabulary.id(token);
    if (id <= 1) continue; // PAD = 0, UNK = 1
    matrix.set(vector.subarray(0, charDim), id * charDim);
    set++;
  }
  tf.tidy(() => layer.setWeights([tf.tensor2d(matrix, current.shape as [number, number])]));
  return set;
}
