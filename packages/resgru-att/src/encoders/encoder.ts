import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../config';

/**
 * Names of the feature inputs a network may take, in feed order. `entityTypes` `(batch, 2)` is not an encoder's:
 * the network takes it last when `config.entityTypes` is on.
 */
export const FEATURE_INPUTS = ['chars', 'headPosition', 'tailPosition', 'mask', 'segments', 'entityTypes'] as const;

/** One of `FEATURE_INPUTS`. */
export type FeatureInput = (typeof FEATURE_INPUTS)[number];

/** The sections of `ModelConfig` an encoder may read besides the shared sizes. */
export type EncoderConfigKey = 'cnn' | 'rnn' | 'attentionForm';

/** What an encoder is given to build its part of the network. */
export interface EncoderInput {
  /** The embedded, masked characters: `(batch, length, charDim + 2 × positionDim)`. */
  x: tfl.SymbolicTensor;
  /** 1 for real characters, 0 for padding: `(batch, length)`. */
  mask: tfl.SymbolicTensor;
  /** PCNN's piece ids `(batch, length)`, present when the encoder lists the `segments` input. */
  segments?: tfl.SymbolicTensor;
  /** Where the head and the tail are, present when an entity-aware option (`entityPooling`, `entityAttention`) is on. */
  entities?: EntityInputs;
  config: ModelConfig;
  /** The next initialiser seed; call it once per weight-initialising layer, in construction order. */
  seed: () => number;
}

/**
 * A sentence encoder: the part of a relation network between the embeddings and the classifier. An architecture
 * is an encoder; adding one is adding a file that defines it and passing it to `registerEncoder`.
 */
export interface EncoderDefinition {
  /** The `config.arch` name, e.g. `resgru-att`. */
  name: string;
  /** The feature inputs it reads, a subset of `FEATURE_INPUTS` in their order (chars, positions and mask always). */
  inputs: readonly FeatureInput[];
  /** The config sections it reads. */
  configKeys: readonly EncoderConfigKey[];
  /** One line for listings: what the encoder is (paper section, pooling). */
  description: string;
  /** Builds the encoder: `x (batch, length, dv)` → sentence vector `(batch, d)`. */
  encode(input: EncoderInput): tfl.SymbolicTensor;
}

/** The entity pair as the entity-aware parts see it (see `entityInputs` in architectures.ts). */
export interface EntityInputs {
  /** 1 at the head's characters: `(batch, length)`. */
  headSpan: tfl.SymbolicTensor;
  /** 1 at the tail's characters: `(batch, length)`. */
  tailSpan: tfl.SymbolicTensor;
  /** What entity pooling reads of the head: its span, or its first character under `entityPooling: 'start'`. */
  headPool: tfl.SymbolicTensor;
  /** The same of the tail. */
  tailPool: tfl.SymbolicTensor;
  /** Head- and tail-relative position embeddings: `(batch, length, 2 × positionDim)`. */
  positions: tfl.SymbolicTensor;
}

/** The inputs every encoder reads. */
export const BASE_INPUTS: readonly FeatureInput[] = ['chars', 'headPosition', 'tailPosition', 'mask'];
