import { ConfigChecks, isJsonObject, mergeDeep, parseConfigJson } from '@emr-re/engine';
import { findNerArchitecture, registeredNerArchitectures } from './architectures/registry';

/** Convolution settings of the residual branch (`resgru-crf`). */
export interface NerCnnConfig {
  /** Filters per window; the first layer concatenates one convolution per window: width `filters × windows.length`. */
  filters: number;
  /** Odd window sizes of the parallel first-layer convolutions. */
  windows: number[];
  /** Residual blocks of two convolutions each after the first layer. */
  blocks: number;
}

/** Recurrent settings of the BiGRU / BiLSTM branch. */
export interface NerRnnConfig {
  /** Hidden units per direction. */
  units: number;
  /** Stacked bidirectional layers. */
  layers: number;
}

/** The one configuration schema of every NER architecture (JSON, `version: 1`). */
export interface NerConfig {
  version: 1;
  /** A registered architecture (`registeredNerArchitectures()`): `bigru-crf` (default), `bilstm-crf`, `resgru-crf`. */
  arch: string;
  /** Most characters (UTF-16 code units) the tagger reads at once; longer texts go through windows. */
  maxLength: number;
  /** Characters that consecutive windows of one over-long sentence share (< maxLength / 2). */
  overlap: number;
  /** Character embedding width (the word2vec dimension when embeddings are given). */
  charDim: number;
  rnn: NerRnnConfig;
  cnn: NerCnnConfig;
  /** Dropout rate on the per-character features before the tag scores. */
  dropout: number;
  batchSize: number;
  learningRate: number;
  epochs: number;
  seed: number;
  /** Epochs without dev strict micro-F1 improvement before early stopping (default: never stop early). */
  patience?: number;
  /** Characters seen fewer times than this in training map to UNK (default 1). */
  minCount?: number;
}

/**
 * GPU-sized defaults in the paper's sizes (Table 3: 300-dimensional characters, 512 units × 3 layers, windows
 * 3/5/7 × 128 filters, 5 residual blocks, dropout 0.5, batch 64, Adam at 0.015): the paper itself tags no entities
 * (its corpus comes annotated), so these carry its relation encoder's sizes over to the tagger.
 */
export const NER_PAPER_DEFAULTS: NerConfig = {
  version: 1,
  arch: 'bigru-crf',
  maxLength: 150,
  overlap: 30,
  charDim: 300,
  rnn: { units: 512, layers: 3 },
  cnn: { filters: 128, windows: [3, 5, 7], blocks: 5 },
  dropout: 0.5,
  batchSize: 64,
  learningRate: 0.015,
  epochs: 20,
  seed: 1,
  patience: 3,
  minCount: 1,
};

const TOP_KEYS = new Set([
  'version',
  'arch',
  'maxLength',
  'overlap',
  'charDim',
  'rnn',
  'cnn',
  'dropout',
  'batchSize',
  'learningRate',
  'epochs',
  'seed',
  'patience',
  'minCount',
]);

/**
 * Deep-merges `overrides` onto `base` (objects key by key; arrays and scalars replace; `undefined` is skipped).
 * The result is not validated; pass it to `validateNerConfig`.
 */
export function mergeNerConfig(base: unknown, overrides: unknown): unknown {
  return mergeDeep(base, overrides);
}

/**
 * Checks a parsed JSON NER configuration and returns it typed. Missing keys take `NER_PAPER_DEFAULTS`; unknown keys,
 * wrong types and out-of-range values throw a `ConfigError` naming the key (`source`, a file name, prefixes it).
 */
export function validateNerConfig(value: unknown, source?: string): NerConfig {
  const check = new ConfigChecks(source);
  if (!isJsonObject(value)) return check.fail('(root)', 'must be a JSON object');
  for (const k of Object.keys(value)) if (!TOP_KEYS.has(k)) check.fail(k, 'unknown key');
  const merged = mergeNerConfig(NER_PAPER_DEFAULTS, value) as Record<string, unknown>;
  if (merged.version !== 1) check.fail('version', `must be 1 (got ${JSON.stringify(merged.version)})`);
  const arch = merged.arch;
  if (typeof arch !== 'string' || findNerArchitecture(arch) === undefined) {
    check.fail('arch', `must be one of ${registeredNerArchitectures().join(', ')} (got ${JSON.stringify(arch)})`);
  }
  const { cnn, rnn } = check.branches(merged);
  const maxLength = check.int('maxLength', merged.maxLength, 8, 4096);
  const config: NerConfig = {
    version: 1,
    arch: arch as string,
    maxLength,
    overlap: check.int('overlap', merged.overlap, 0, Math.floor((maxLength - 1) / 2)),
    charDim: check.int('charDim', merged.charDim, 1, 4096),
    rnn,
    cnn,
    ...check.training(merged),
  };
  check.optionalStopping(merged, config);
  return config;
}

/** Parses NER configuration JSON text (e.g. a `--config` file); a syntax error is a `ConfigError` too. */
export function parseNerConfig(text: string, source?: string): NerConfig {
  return validateNerConfig(parseConfigJson(text, source), source);
}
