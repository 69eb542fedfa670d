import * as tfl from '@tensorflow/tfjs-layers';
import {
  AttentionPooling,
  Conv1DSame,
  EntityAwareAttention,
  stackedBiRnn,
  MaskedMaxPooling,
  PiecewiseMaxPooling,
  ResidualBlock1D,
} from '@emr-re/engine';
import type { EncoderInput } from './encoder';

/* The branches and poolings the encoders are composed of (paper Figures 2-4). */

type ST = tfl.SymbolicTensor;

/**
 * The first convolution layer: one `Conv1DSame` per window (paper Table 3: 3, 5, 7), concatenated on the
 * channel axis, so windows of several widths see the same input, as in Kim's multi-window CNN. Every
 * convolution takes the mask, so padded steps stay zero between layers and a padded sentence encodes
 * exactly as the unpadded one.
 * `(batch, length, dv)` → `(batch, length, filters × windows)`.
 */
export function convolutionStem({ x, mask, config, seed }: EncoderInput, prefix: string): ST {
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
export function residualBranch(input: EncoderInput): ST {
  const { mask, config, seed } = input;
  let h = convolutionStem(input, 'res');
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
export function recurrentBranch({ x, mask, config, seed }: EncoderInput, cell: 'gru' | 'lstm'): ST {
  return stackedBiRnn(x, mask, { cell, units: config.rnn.units, layers: config.rnn.layers, seed });
}

/**
 * Attention pooling: `(batch, length, d)` → `(batch, d)`, or `(batch, 3d)` with entity pooling. Paper eqs. 10-11 in
 * the config's form, or, with `entityAttention`, scores conditioned on the pair (`EntityAwareAttention`).
 */
export function attend(h: ST, input: EncoderInput, name: string): ST {
  const { mask, config, seed, entities } = input;
  let pooled: ST;
  if (config.entityAttention) {
    if (entities === undefined) throw new Error('entity-aware attention needs the entity inputs');
    pooled = new EntityAwareAttention({ name, seed: seed() }).apply([
      h,
      mask,
      entities.headSpan,
      entities.tailSpan,
      entities.positions,
    ]) as ST;
  } else pooled = new AttentionPooling({ name, form: config.attentionForm, seed: seed() }).apply([h, mask]) as ST;
  return withEntityPooling(pooled, h, input, name);
}

/** Masked max pooling over time: `(batch, length, d)` → `(batch, d)`, or `(batch, 3d)` with entity pooling. */
export function maxPool(h: ST, input: EncoderInput, name: string): ST {
  return withEntityPooling(new MaskedMaxPooling({ name }).apply([h, input.mask]) as ST, h, input, name);
}

/**
 * PCNN's piecewise max pooling over the three pieces the entities cut: `(batch, length, d)` → `(batch, 3d)`, or
 * `(batch, 5d)` with entity pooling.
 */
export function piecewisePool(h: ST, input: EncoderInput, name: string): ST {
  if (input.segments === undefined) throw new Error('piecewise pooling needs the segments input');
  return withEntityPooling(new PiecewiseMaxPooling({ name }).apply([h, input.segments]) as ST, h, input, name);
}

/**
 * Entity pooling (`config.entityPooling`): `pooled (batch, p)` ⊕ the states `h (batch, length, d)` over the head
 * ⊕ over the tail (max over the span, or the span's first state) → `(batch, p + 2d)`; `pooled` itself when off.
 * Every pooling of every branch gets it, so any encoder composes with it.
 */
export function withEntityPooling(pooled: ST, h: ST, { config, entities }: EncoderInput, name: string): ST {
  if (config.entityPooling === undefined) return pooled;
  if (entities === undefined) throw new Error('entity pooling needs the entity inputs');
  const head = new MaskedMaxPooling({ name: `${name}_head` }).apply([h, entities.headPool]) as ST;
  const tail = new MaskedMaxPooling({ name: `${name}_tail` }).apply([h, entities.tailPool]) as ST;
  return concatenate([pooled, head, tail], `${name}_entities`);
}

/** Concatenates branch vectors (paper eq. 12: S = Sc ⊕ SG): `(batch, d1), (batch, d2)` → `(batch, d1 + d2)`. */
export function concatenate(parts: ST[], name: string): ST {
  return tfl.layers.concatenate({ axis: -1, name }).apply(parts) as ST;
}
