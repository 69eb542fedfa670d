import * as tfl from '@tensorflow/tfjs-layers';
import { positionVocabularySize } from '@emr-re/tokenize';
import {
  AttentionPooling,
  Conv1DSame,
  FastRNN,
  MaskedMaxPooling,
  PiecewiseMaxPooling,
  ResidualBlock1D,
  SequenceMask,
  StepDropout,
  initializerSeeds,
} from '@emr-re/engine';
import type { Architecture, ModelConfig } from './config';

/** Names of the feature inputs a network may take, in feed order. */
export const FEATURE_INPUTS = ['chars', 'headPosition', 'tailPosition', 'mask', 'segments'] as const;

/** One of `FEATURE_INPUTS`. */
export type FeatureInput = (typeof FEATURE_INPUTS)[number];

/** The inputs each architecture reads: all read chars, both positions and the mask; PCNN also the segments. */
export function inputsOf(arch: Architecture): FeatureInput[] {
  return arch === 'pcnn' ? [...FEATURE_INPUTS] : ['chars', 'headPosition', 'tailPosition', 'mask'];
}

/** Sizes a network needs beyond its configuration. */
export interface NetworkShape {
  /** Character vocabulary size (PAD and UNK included). */
  vocabularySize: number;
  /** Output labels (UNKNOWN_LABEL included). */
  labelCount: number;
}

type ST = tfl.SymbolicTensor;

/** One seed per weight-initialising layer, drawn in construction order (`initializerSeeds(config.seed)`). */
type NextSeed = () => number;

/**
 * The first convolution layer: one `Conv1DSame` per window (paper Table 3: 3, 5, 7), concatenated on the
 * channel axis, so windows of several widths see the same input, as in Kim's multi-window CNN. Every
 * convolution takes the mask, so padded steps stay zero between layers and a padded sentence encodes
 * exactly as the unpadded one.
 * `(batch, length, dv)` → `(batch, length, filters × windows)`.
 */
function convolutionStem(x: ST, mask: ST, config: ModelConfig, prefix: string, seed: NextSeed): ST {
  const convs = config.cnn.windows.map(
    (w) =>
      new Conv1DSame({
        filters: config.cnn.filters,
        kernelSize: w,
        activation: 'relu',
        seed: seed(),
        name: `${prefix}_conv_w${w}`,
      }).apply([x, mask]) as ST,
  );
  return convs.length === 1
    ? convs[0]
    : (tfl.layers.concatenate({ axis: -1, name: `${prefix}_stem` }).apply(convs) as ST);
}

/**
 * The ResNet branch (paper Figure 3, eqs. 3-5): convolution stem then `cnn.blocks` residual blocks of two
 * convolutions each, depth 1 + 2 × blocks (Figure 7: 5/9/11/13 layers = 2/4/5/6 blocks).
 * Blocks use the smallest window; `(batch, length, dv)` → `(batch, length, filters × windows)`.
 */
function residualBranch(x: ST, mask: ST, config: ModelConfig, seed: NextSeed): ST {
  let h = convolutionStem(x, mask, config, 'res', seed);
  const width = config.cnn.filters * config.cnn.windows.length;
  const kernel = Math.min(...config.cnn.windows);
  for (let b = 0; b < config.cnn.blocks; b++) {
    h = new ResidualBlock1D({ filters: width, kernelSize: kernel, seed: seed(), name: `res_block${b + 1}` }).apply([
      h,
      mask,
    ]) as ST;
  }
  return h;
}

/** Stacked bidirectional RNN: `(batch, length, dv)` → `(batch, length, 2 × units)`. */
function recurrentBranch(x: ST, mask: ST, config: ModelConfig, cell: 'gru' | 'lstm', seed: NextSeed): ST {
  let h = x;
  for (let l = 0; l < config.rnn.layers; l++) {
    h = new FastRNN({
      cell,
      units: config.rnn.units,
      bidirectional: true,
      returnSequences: true,
      seed: seed(),
      name: `bi${cell}${l + 1}`,
    }).apply([h, mask]) as ST;
  }
  return h;
}

/** Attention pooling (paper eqs. 10-11) in the config's form: `(batch, length, d)` → `(batch, d)`. */
function attend(h: ST, mask: ST, name: string, config: ModelConfig, seed: NextSeed): ST {
  return new AttentionPooling({ name, form: config.attentionForm, seed: seed() }).apply([h, mask]) as ST;
}

/** Masked max pooling over time: `(batch, length, d)` → `(batch, d)`. */
function maxPool(h: ST, mask: ST, name: string): ST {
  return new MaskedMaxPooling({ name }).apply([h, mask]) as ST;
}

/** The sentence encoder of `config.arch`: embedded input `(batch, length, dv)` → sentence vector `(batch, d)`. */
function encode(x: ST, mask: ST, segments: ST | undefined, config: ModelConfig, seed: NextSeed): ST {
  switch (config.arch) {
    case 'cnn':
      return maxPool(convolutionStem(x, mask, config, 'cnn', seed), mask, 'cnn_pool');
    case 'cnn-att':
      return attend(convolutionStem(x, mask, config, 'cnn', seed), mask, 'cnn_attention', config, seed);
    case 'pcnn':
      return new PiecewiseMaxPooling({ name: 'pcnn_pool' }).apply([
        convolutionStem(x, mask, config, 'cnn', seed),
        segments as ST,
      ]) as ST;
    case 'resnet':
      return maxPool(residualBranch(x, mask, config, seed), mask, 'res_pool');
    case 'bilstm-att':
      return attend(recurrentBranch(x, mask, config, 'lstm', seed), mask, 'rnn_attention', config, seed);
    case 'bigru-att':
      return attend(recurrentBranch(x, mask, config, 'gru', seed), mask, 'rnn_attention', config, seed);
    case 'resgru': {
      const res = maxPool(residualBranch(x, mask, config, seed), mask, 'res_pool');
      const gru = maxPool(recurrentBranch(x, mask, config, 'gru', seed), mask, 'rnn_pool');
      return tfl.layers.concatenate({ axis: -1, name: 'hybrid' }).apply([res, gru]) as ST;
    }
    case 'resgru-att': {
      // Paper eq. 12: S = Sc ⊕ SG, each branch with its own attention.
      const res = attend(residualBranch(x, mask, config, seed), mask, 'res_attention', config, seed);
      const gru = attend(recurrentBranch(x, mask, config, 'gru', seed), mask, 'rnn_attention', config, seed);
      return tfl.layers.concatenate({ axis: -1, name: 'hybrid' }).apply([res, gru]) as ST;
    }
  }
}

/**
 * Builds the network of `config.arch` as a functional tfjs-layers model:
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
  const segments = config.arch === 'pcnn' ? tfl.input({ shape: [T], dtype: 'float32', name: 'segments' }) : undefined;

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

  const sentence = encode(x, mask, segments, config, seed);
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
