import type * as tfl from '@tensorflow/tfjs-layers';
import type { NerConfig } from '../config';

/** The sections of `NerConfig` an architecture may read besides the shared sizes. */
export type NerConfigKey = 'rnn' | 'cnn';

/** What an architecture is given to build its part of the tagger. */
export interface NerEncoderInput {
  /** The embedded, masked characters: `(batch, length, charDim)`. */
  x: tfl.SymbolicTensor;
  /** 1 for real characters, 0 for padding at the end of each row: `(batch, length)`. */
  mask: tfl.SymbolicTensor;
  config: NerConfig;
  /** The next initialiser seed; call it once per weight-initialising layer, in construction order. */
  seed: () => number;
}

/**
 * A character encoder of the tagger: the part between the character embeddings and the per-character tag scores.
 * An architecture is an encoder (then a dense layer to tag scores and the CRF, which every architecture shares);
 * adding one is adding a file that defines it and passing it to `registerNerArchitecture`.
 */
export interface NerArchitecture {
  /** The `config.arch` name, e.g. `bigru-crf`. */
  name: string;
  /** The config sections it reads. */
  configKeys: readonly NerConfigKey[];
  /** One line for listings. */
  description: string;
  /** Builds the encoder: `x (batch, length, charDim)` → per-character features `(batch, length, d)`. */
  encode(input: NerEncoderInput): tfl.SymbolicTensor;
}
