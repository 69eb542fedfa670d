import * as tfl from '@tensorflow/tfjs-layers';
import { positionVocabularySize } from '@emr-re/tokenize';
import { SequenceMask, StepDropout, initializerSeeds } from '@emr-re/engine';
import type { ModelConfig } from './config';
import { encoderFor } from './encoders';
import type { FeatureInput } from './encoders';

export { FEATURE_INPUTS } from './encoders';
export type { FeatureInput } from './encoders';

/** The inputs an architecture reads (its encoder's): chars, both positions and the mask; PCNN also the segments. */
export function inputsOf(arch: string): FeatureInput[] {
  return [...encoderFor(arch).inputs];
}

/** Sizes a network needs beyond its configuration. */
export interface NetworkShape {
  /** Character vocabulary size (PAD and UNK included). */
  vocabularySize: number;
  /** Output labels (UNKNOWN_LABEL included). */
  labelCount: number;
}

type ST = tfl.SymbolicTensor;

/**
 * Builds the network of `config.arch` (its registered encoder) as a functional tfjs-layers model:
 * inputs chars, headPosition, tailPosition `(batch, length)` int32, mask `(batch, length)` float
 * (and segments `(batch, length)` float for PCNN) → label probabilities `(batch, labelCount)`.
 * Embedding layer: char ⊕ head-position ⊕ tail-position embeddings, `dv = charDim + 2 × positionDim`.
 * Weights are initialised from `config.seed`: every initialiser gets its own seed from `initializerSeeds(config.seed)`
 * (tfjs initializers with explicit seeds, and the engine layers' `seed`), so the same seed builds the same weights.
 */
export function buildNetwork(config: ModelConfig, shape: NetworkShape): tfl.LayersModel {
  const seed = initializerSeeds(config.seed);
  const uniform = () => tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed() });
  const T = config.maxLength;
  const chars = tfl.input({ shape: [T], dtype: 'int32', name: 'chars' });
  const headPosition = tfl.input({ shape: [T], dtype: 'int32', name: 'headPosition' });
  const tailPosition = tfl.input({ shape: [T], dtype: 'int32', name: 'tailPosition' });
  const mask = tfl.input({ shape: [T], dtype: 'float32', name: 'mask' });
  const encoder = encoderFor(config.arch);
  const segments = encoder.inputs.includes('segments')
    ? tfl.input({ shape: [T], dtype: 'float32', name: 'segments' })
    : undefined;

  const positions = positionVocabularySize(config.maxDistance);
  const charEmb = tfl.layers
    .embedding({
      inputDim: shape.vocabularySize,
      outputDim: config.charDim,
      embeddingsInitializer: uniform(),
      name: 'char_embedding',
    })
    .apply(chars) as ST;
  const headEmb = tfl.layers
    .embedding({
      inputDim: positions,
      outputDim: config.positionDim,
      embeddingsInitializer: uniform(),
      name: 'head_position_embedding',
    })
    .apply(headPosition) as ST;
  const tailEmb = tfl.layers
    .embedding({
      inputDim: positions,
      outputDim: config.positionDim,
      embeddingsInitializer: uniform(),
      name: 'tail_position_embedding',
    })
    .apply(tailPosition) as ST;
  const joined = tfl.layers.concatenate({ axis: -1, name: 'embedding' }).apply([charEmb, headEmb, tailEmb]) as ST;
  const x = new SequenceMask({ name: 'embedding_mask' }).apply([joined, mask]) as ST;

  const sentence = encoder.encode({ x, mask, segments, config, seed });
  const dropped = new StepDropout({ rate: config.dropout, seed: config.seed, name: 'dropout' }).apply(sentence) as ST;
  const probabilities = tfl.layers
    .dense({
      units: shape.labelCount,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }),
      name: 'classifier',
    })
    .apply(dropped) as ST;
  const inputs = segments
    ? [chars, headPosition, tailPosition, mask, segments]
    : [chars, headPosition, tailPosition, mask];
  return tfl.model({ inputs, outputs: probabilities, name: `emr_re_${config.arch.replace('-', '_')}` });
}
