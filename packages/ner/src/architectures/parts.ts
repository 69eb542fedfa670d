import * as tfl from '@tensorflow/tfjs-layers';
import { Conv1DSame, ResidualBlock1D, stackedBiRnn } from '@emr-re/engine';
import type { NerEncoderInput } from './architecture';

/* The branches the taggers are composed of; every layer takes the mask, so padded steps stay zero throughout. */

type ST = tfl.SymbolicTensor;

/** Stacked bidirectional GRU or LSTM: `(batch, length, dv)` → `(batch, length, 2 × units)`. */
export function recurrentFeatures({ x, mask, config, seed }: NerEncoderInput, cell: 'gru' | 'lstm'): ST {
  return stackedBiRnn(x, mask, { cell, units: config.rnn.units, layers: config.rnn.layers, seed });
}

/**
 * The residual convolution branch: one masked "same" convolution per window (concatenated), then `cnn.blocks`
 * residual blocks of the smallest window, `(batch, length, dv)` → `(batch, length, filters × windows)`. Every
 * character keeps its own vector (no pooling): the local n-gram evidence a tagger needs at each position.
 */
export function residualFeatures({ x, mask, config, seed }: NerEncoderInput): ST {
  const convs = config.cnn.windows.map(
    (w) =>
      new Conv1DSame({
        filters: config.cnn.filters,
        kernelSize: w,
        activation: 'relu',
        seed: seed(),
        name: `res_conv_w${w}`,
      }).apply([x, mask]) as ST,
  );
  let h = convs.length === 1 ? convs[0] : (tfl.layers.concatenate({ axis: -1, name: 'res_stem' }).apply(convs) as ST);
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

/** Per-character concatenation: `(batch, length, d1), (batch, length, d2)` → `(batch, length, d1 + d2)`. */
export function concatenateFeatures(parts: ST[], name: string): ST {
  return tfl.layers.concatenate({ axis: -1, name }).apply(parts) as ST;
}
