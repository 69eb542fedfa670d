import { ConfigError } from '@emr-re/engine';
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

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges `overrides` onto `base` (objects key by key; arrays and scalars replace; `undefined` is skipped).
 * The result is not validated; pass it to `validateNerConfig`.
 */
export function mergeNerConfig(base: unknown, overrides: unknown): unknown {
  if (!isObject(base) || !isObject(overrides)) return overrides === undefined ? base : overrides;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(out[k]) ? mergeNerConfig(out[k], v) : v;
  }
  return out;
}

/**
 * Checks a parsed JSON NER configuration and returns it typed. Missing keys take `NER_PAPER_DEFAULTS`; unknown keys,
 * wrong types and out-of-range values throw a `ConfigError` naming the key (`source`, a file name, prefixes it).
 */
export function validateNerConfig(value: unknown, source?: string): NerConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError(key, reason, source);
  };
  if (!isObject(value)) return fail('(root)', 'must be a JSON object');
  for (const k of Object.keys(value)) if (!TOP_KEYS.has(k)) fail(k, 'unknown key');
  const merged = mergeNerConfig(NER_PAPER_DEFAULTS, value) as Json;
  const int = (key: string, v: unknown, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v))
      return fail(key, `must be an integer (got ${JSON.stringify(v)})`);
    if (v < min || v > max) return fail(key, `must be between ${min} and ${max} (got ${v})`);
    return v;
  };
  const num = (key: string, v: unknown, min: number, max: number, minExclusive = false): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(key, `must be a number (got ${JSON.stringify(v)})`);
    if (v > max || v < min || (minExclusive && v === min)) {
      return fail(key, `must be in ${minExclusive ? '(' : '['}${min}, ${max}] (got ${v})`);
    }
    return v;
  };
  const section = (key: string, allowed: string[]): Json => {
    const s = merged[key];
    if (!isObject(s)) return fail(key, 'must be an object');
    for (const k of Object.keys(s)) if (!allowed.includes(k)) fail(`${key}.${k}`, 'unknown key');
    return s;
  };
  if (merged.version !== 1) fail('version', `must be 1 (got ${JSON.stringify(merged.version)})`);
  const arch = merged.arch;
  if (typeof arch !== 'string' || findNerArchitecture(arch) === undefined) {
    fail('arch', `must be one of ${registeredNerArchitectures().join(', ')} (got ${JSON.stringify(arch)})`);
  }
  const cnn = section('cnn', ['filters', 'windows', 'blocks']);
  const rnn = section('rnn', ['units', 'layers']);
  const windows = cnn.windows;
  if (!Array.isArray(windows) || windows.length === 0) fail('cnn.windows', 'must be a non-empty array of odd integers');
  (windows as unknown[]).forEach((w, i) => {
    int(`cnn.windows[${i}]`, w, 1, 64);
    if ((w as number) % 2 === 0) fail(`cnn.windows[${i}]`, `must be odd so that "same" padding centres it (got ${w})`);
  });
  const maxLength = int('maxLength', merged.maxLength, 8, 4096);
  const config: NerConfig = {
    version: 1,
    arch: arch as string,
    maxLength,
    overlap: int('overlap', merged.overlap, 0, Math.floor((maxLength - 1) / 2)),
    charDim: int('charDim', merged.charDim, 1, 4096),
    rnn: { units: int('rnn.units', rnn.units, 1, 4096), layers: int('rnn.layers', rnn.layers, 1, 16) },
    cnn: {
      filters: int('cnn.filters', cnn.filters, 1, 4096),
      windows: [...(windows as number[])],
      blocks: int('cnn.blocks', cnn.blocks, 0, 64),
    },
    dropout: num('dropout', merged.dropout, 0, 0.95),
    batchSize: int('batchSize', merged.batchSize, 1, 65536),
    learningRate: num('learningRate', merged.learningRate, 0, 10, true),
    epochs: int('epochs', merged.epochs, 0, 100000),
    seed: int('seed', merged.seed, 0, 2 ** 31 - 1),
  };
  if (merged.patience !== undefined) config.patience = int('patience', merged.patience, 1, 100000);
  if (merged.minCount !== undefined) config.minCount = int('minCount', merged.minCount, 1, 1e9);
  return config;
}

/** Parses NER configuration JSON text (e.g. a `--config` file); a syntax error is a `ConfigError` too. */
export function parseNerConfig(text: string, source?: string): NerConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('(root)', `not valid JSON (${(err as Error).message})`, source);
  }
  return validateNerConfig(value, source);
}
