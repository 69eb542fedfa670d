import { ATTENTION_FORMS, AttentionForm, ConfigError } from '@emr-re/engine';
import { findEncoder, registeredArchitectures } from './encoders/registry';

// The layer option and the error class live in the engine; re-exported here, where they always were.
export { ATTENTION_FORMS, ConfigError };
export type { AttentionForm };

/** The architectures of the paper's comparison (Section "Models, Parameters and Evaluation metrics"). */
export const ARCHITECTURES = [
  'cnn',
  'cnn-att',
  'pcnn',
  'resnet',
  'bilstm-att',
  'bigru-att',
  'resgru',
  'resgru-att',
] as const;

/**
 * One of `ARCHITECTURES`, the built-in encoders. An architecture added with `registerEncoder` is valid in a config
 * too (`registeredArchitectures()` lists them all); its name is typed as a string.
 */
export type Architecture = (typeof ARCHITECTURES)[number];

/** Convolution settings shared by the CNN, PCNN and ResNet encoders. */
export interface CnnConfig {
  /** Filters per window; the first layer concatenates one convolution per window, so its width is `filters × windows.length`. */
  filters: number;
  /** Window sizes of the parallel first-layer convolutions (paper Table 3: 3, 5, 7). */
  windows: number[];
  /** Residual blocks of the ResNet branch, 2 convolutions each: depth = 1 + 2 × blocks (11 layers = 5 blocks). */
  blocks: number;
}

/** Recurrent settings of the BiGRU / BiLSTM encoders. */
export interface RnnConfig {
  /** Hidden units per direction. */
  units: number;
  /** Stacked bidirectional layers. */
  layers: number;
}

/** Per-label loss weights, or `'balanced'` for inverse label frequency in the training set. */
export type ClassWeights = Record<string, number> | 'balanced';

/** The one configuration schema of every architecture (JSON, `version: 1`). Defaults are the paper's Table 3. */
export interface ModelConfig {
  version: 1;
  arch: Architecture;
  /** Characters per candidate window; longer sentences are cropped around the entity pair. */
  maxLength: number;
  charDim: number;
  positionDim: number;
  /** Relative distances are clipped to ±maxDistance. */
  maxDistance: number;
  cnn: CnnConfig;
  rnn: RnnConfig;
  /** Dropout rate before the classification layer. */
  dropout: number;
  batchSize: number;
  learningRate: number;
  epochs: number;
  seed: number;
  classWeights?: ClassWeights;
  /** Epochs without dev macro-F1 improvement before early stopping (default: never stop early). */
  patience?: number;
  /** Characters seen fewer times than this in training map to UNK (default 1). */
  minCount?: number;
  /**
   * Candidate windows are whole records instead of sentences (default false). Corpora such as CMeIE
   * annotate relations across 。; a model keeps the windowing it was trained with.
   */
  crossSentence?: boolean;
  /** Where the tanh of every attention layer sits (`ATTENTION_FORMS`); default 'tanh-features'. */
  attentionForm?: AttentionForm;
}

/** Paper Table 3 (batch 64, char 300, position 25, GRU 512 × 3, windows 3/5/7, 128 filters, lr 0.015, Adam, dropout 0.5, 11-layer ResNet). */
export const PAPER_DEFAULTS: ModelConfig = {
  version: 1,
  arch: 'resgru-att',
  maxLength: 150,
  charDim: 300,
  positionDim: 25,
  maxDistance: 150,
  cnn: { filters: 128, windows: [3, 5, 7], blocks: 5 },
  rnn: { units: 512, layers: 3 },
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
  'charDim',
  'positionDim',
  'maxDistance',
  'cnn',
  'rnn',
  'dropout',
  'batchSize',
  'learningRate',
  'epochs',
  'seed',
  'classWeights',
  'patience',
  'minCount',
  'crossSentence',
  'attentionForm',
]);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges `overrides` onto `base` (objects merge key by key, arrays and scalars replace).
 * The result is not validated; pass it to `validateConfig`.
 */
export function mergeConfig(base: unknown, overrides: unknown): unknown {
  if (!isObject(base) || !isObject(overrides)) return overrides === undefined ? base : overrides;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(out[k]) ? mergeConfig(out[k], v) : v;
  }
  return out;
}

/**
 * Checks a parsed JSON configuration and returns it typed. Missing optional sections take the paper's
 * defaults; unknown keys, wrong types and out-of-range values throw a `ConfigError` naming the key.
 * `source` (a file name) prefixes error messages.
 */
export function validateConfig(value: unknown, source?: string): ModelConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError(key, reason, source);
  };
  if (!isObject(value)) return fail('(root)', 'must be a JSON object');
  for (const k of Object.keys(value)) if (!TOP_KEYS.has(k)) fail(k, 'unknown key');
  const merged = mergeConfig(PAPER_DEFAULTS, value) as Json;

  const int = (key: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number => {
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
  if (typeof arch !== 'string' || findEncoder(arch) === undefined) {
    fail('arch', `must be one of ${registeredArchitectures().join(', ')} (got ${JSON.stringify(arch)})`);
  }
  const cnn = section('cnn', ['filters', 'windows', 'blocks']);
  const rnn = section('rnn', ['units', 'layers']);
  const windows = cnn.windows;
  if (!Array.isArray(windows) || windows.length === 0) fail('cnn.windows', 'must be a non-empty array of odd integers');
  (windows as unknown[]).forEach((w, i) => {
    int(`cnn.windows[${i}]`, w, 1, 64);
    if ((w as number) % 2 === 0) fail(`cnn.windows[${i}]`, `must be odd so that "same" padding centres it (got ${w})`);
  });

  const config: ModelConfig = {
    version: 1,
    arch: arch as Architecture,
    maxLength: int('maxLength', merged.maxLength, 4, 4096),
    charDim: int('charDim', merged.charDim, 1, 4096),
    positionDim: int('positionDim', merged.positionDim, 1, 1024),
    maxDistance: int('maxDistance', merged.maxDistance, 1, 4096),
    cnn: {
      filters: int('cnn.filters', cnn.filters, 1, 4096),
      windows: [...(windows as number[])],
      blocks: int('cnn.blocks', cnn.blocks, 0, 64),
    },
    rnn: { units: int('rnn.units', rnn.units, 1, 4096), layers: int('rnn.layers', rnn.layers, 1, 16) },
    dropout: num('dropout', merged.dropout, 0, 0.95),
    batchSize: int('batchSize', merged.batchSize, 1, 65536),
    learningRate: num('learningRate', merged.learningRate, 0, 10, true),
    epochs: int('epochs', merged.epochs, 0, 100000),
    seed: int('seed', merged.seed, 0, 2 ** 31 - 1),
  };
  if (merged.patience !== undefined) config.patience = int('patience', merged.patience, 1, 100000);
  if (merged.minCount !== undefined) config.minCount = int('minCount', merged.minCount, 1, 1e9);
  if (merged.crossSentence !== undefined) {
    if (typeof merged.crossSentence !== 'boolean')
      fail('crossSentence', `must be true or false (got ${JSON.stringify(merged.crossSentence)})`);
    config.crossSentence = merged.crossSentence as boolean;
  }
  if (merged.attentionForm !== undefined) {
    if (!(ATTENTION_FORMS as readonly unknown[]).includes(merged.attentionForm))
      fail(
        'attentionForm',
        `must be one of ${ATTENTION_FORMS.join(', ')} (got ${JSON.stringify(merged.attentionForm)})`,
      );
    config.attentionForm = merged.attentionForm as AttentionForm;
  }
  const cw = merged.classWeights;
  if (cw !== undefined) {
    if (cw === 'balanced') config.classWeights = 'balanced';
    else if (isObject(cw)) {
      const weights: Record<string, number> = {};
      for (const [label, w] of Object.entries(cw)) weights[label] = num(`classWeights.${label}`, w, 0, 1e6);
      config.classWeights = weights;
    } else fail('classWeights', 'must be "balanced" or an object of label → weight');
  }
  return config;
}

/** Parses configuration JSON text (e.g. a `--config` file's content); a syntax error is a `ConfigError`. */
export function parseConfig(text: string, source?: string): ModelConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('(root)', `not valid JSON (${(err as Error).message})`, source);
  }
  return validateConfig(value, source);
}
