import {
  ATTENTION_FORMS,
  AttentionForm,
  ConfigChecks,
  ConfigError,
  isJsonObject,
  mergeDeep,
  parseConfigJson,
} from '@emr-re/engine';
import { MARKERS_PER_WINDOW } from '@emr-re/tokenize';
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
  /**
   * Entity-type input (issue 16; default off): an embedding of the head's and the tail's entity type (the schema's
   * `entityTypes`, saved with the model) added to the input at the characters of their spans. Saved only when true.
   */
  entityTypes?: boolean;
  /**
   * Entity pooling (default off): the encoder's states over the head span and the tail span — their maximum
   * (`'max'`) or the state at the span's first character (`'start'`) — concatenated with every sentence pooling
   * before the classifier.
   */
  entityPooling?: EntityPooling;
  /**
   * Entity-aware attention (default off; architectures with attention pooling only): the scores see the pair,
   * `v · tanh(W_h H_i + W_e [head; tail] + W_p p_i + b)` instead of the paper's `w · tanh(H_i)`; `attentionForm`
   * then does not apply. Saved only when true.
   */
  entityAttention?: boolean;
  /**
   * Typed entity markers (default off; Baldini Soares et al. 2019, Zhou & Chen 2021): `'typed'` inserts
   * `[H:type] … [/H]` and `[T:type] … [/T]` tokens around the head and the tail in the character sequence (one start
   * marker per role and schema entity type, one end marker per role; ids after the character vocabulary, trained
   * embeddings). The characters are cropped to `maxLength - 4` so the window with its markers still fits; the
   * markers are part of their entity's span (distance 0), so `entityPooling: 'start'` reads `[H:type]`/`[T:type]`.
   */
  entityMarkers?: EntityMarkers;
}

/** The kinds of entity markers: typed (`[H:type]`, `[T:type]`, `[/H]`, `[/T]`). */
export const ENTITY_MARKERS = ['typed'] as const;

/** One of `ENTITY_MARKERS`. */
export type EntityMarkers = (typeof ENTITY_MARKERS)[number];

/** How `entityPooling` reads an entity's states. */
export const ENTITY_POOLINGS = ['max', 'start'] as const;

/** One of `ENTITY_POOLINGS`. */
export type EntityPooling = (typeof ENTITY_POOLINGS)[number];

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
  'entityTypes',
  'entityPooling',
  'entityAttention',
  'entityMarkers',
]);

/**
 * Deep-merges `overrides` onto `base` (objects merge key by key, arrays and scalars replace).
 * The result is not validated; pass it to `validateConfig`.
 */
export function mergeConfig(base: unknown, overrides: unknown): unknown {
  return mergeDeep(base, overrides);
}

/**
 * Checks a parsed JSON configuration and returns it typed. Missing optional sections take the paper's
 * defaults; unknown keys, wrong types and out-of-range values throw a `ConfigError` naming the key.
 * `source` (a file name) prefixes error messages.
 */
export function validateConfig(value: unknown, source?: string): ModelConfig {
  const check = new ConfigChecks(source);
  const fail = (key: string, reason: string): never => check.fail(key, reason);
  if (!isJsonObject(value)) return fail('(root)', 'must be a JSON object');
  for (const k of Object.keys(value)) if (!TOP_KEYS.has(k)) fail(k, 'unknown key');
  const merged = mergeConfig(PAPER_DEFAULTS, value) as Record<string, unknown>;

  if (merged.version !== 1) fail('version', `must be 1 (got ${JSON.stringify(merged.version)})`);
  const arch = merged.arch;
  if (typeof arch !== 'string' || findEncoder(arch) === undefined) {
    fail('arch', `must be one of ${registeredArchitectures().join(', ')} (got ${JSON.stringify(arch)})`);
  }
  const { cnn, rnn } = check.branches(merged);

  const config: ModelConfig = {
    version: 1,
    arch: arch as Architecture,
    maxLength: check.int('maxLength', merged.maxLength, 4, 4096),
    charDim: check.int('charDim', merged.charDim, 1, 4096),
    positionDim: check.int('positionDim', merged.positionDim, 1, 1024),
    maxDistance: check.int('maxDistance', merged.maxDistance, 1, 4096),
    cnn,
    rnn,
    ...check.training(merged),
  };
  check.optionalStopping(merged, config);
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
  entityOptions(check, merged, config);
  const cw = merged.classWeights;
  if (cw !== undefined) {
    if (cw === 'balanced') config.classWeights = 'balanced';
    else if (isJsonObject(cw)) {
      const weights: Record<string, number> = {};
      for (const [label, w] of Object.entries(cw)) weights[label] = check.num(`classWeights.${label}`, w, 0, 1e6);
      config.classWeights = weights;
    } else fail('classWeights', 'must be "balanced" or an object of label → weight');
  }
  return config;
}

/**
 * The entity-aware options (absent or off = the paper's network; written into `config` only when on, so configs
 * of models saved before they existed are unchanged).
 */
function entityOptions(check: ConfigChecks, merged: Record<string, unknown>, config: ModelConfig): void {
  for (const key of ['entityTypes', 'entityAttention'] as const) {
    const value = merged[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') check.fail(key, `must be true or false (got ${JSON.stringify(value)})`);
    if (value === true) config[key] = true;
  }
  const pooling = merged.entityPooling;
  if (pooling !== undefined) {
    if (!(ENTITY_POOLINGS as readonly unknown[]).includes(pooling))
      check.fail('entityPooling', `must be one of ${ENTITY_POOLINGS.join(', ')} (got ${JSON.stringify(pooling)})`);
    config.entityPooling = pooling as EntityPooling;
  }
  const markers = merged.entityMarkers;
  if (markers !== undefined) {
    if (!(ENTITY_MARKERS as readonly unknown[]).includes(markers))
      check.fail('entityMarkers', `must be one of ${ENTITY_MARKERS.join(', ')} (got ${JSON.stringify(markers)})`);
    if (config.maxLength <= MARKERS_PER_WINDOW)
      check.fail('entityMarkers', `needs maxLength above ${MARKERS_PER_WINDOW} (got ${config.maxLength})`);
    config.entityMarkers = markers as EntityMarkers;
  }
  if (config.entityAttention && !findEncoder(config.arch)!.configKeys.includes('attentionForm'))
    check.fail(
      'entityAttention',
      `${config.arch} has no attention pooling; use an architecture with attention (${registeredArchitectures()
        .filter((a) => findEncoder(a)!.configKeys.includes('attentionForm'))
        .join(', ')})`,
    );
}

/** Parses configuration JSON text (e.g. a `--config` file's content); a syntax error is a `ConfigError`. */
export function parseConfig(text: string, source?: string): ModelConfig {
  return validateConfig(parseConfigJson(text, source), source);
}
