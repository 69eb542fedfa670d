import { Architecture, ModelConfig, PAPER_DEFAULTS, mergeConfig, validateConfig } from './config';
import { findEncoder } from './encoders/registry';

/** Names of the shipped presets. */
export const PRESET_NAMES = ['paper', 'small', 'best'] as const;

/** One of `PRESET_NAMES`. */
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * `paper`: Table 3 as published (GPU-sized). `small`: a CPU/wasm-sized model of the same architecture
 * (one window of 3, 48 filters, 2 residual blocks = a 5-layer ResNet, one BiGRU layer of 48 units,
 * 80-character windows) that trains on 1,000 CMeIE sentences (~15,000 candidates) × 3 epochs in minutes on
 * two cores with the wasm backend (measured ~0.5 s a step of 64 on a shared 2-core machine). `best`: `small`'s
 * sizes, up to 10 epochs (patience 4), entity types and entity pooling (max), the options chosen on dev (issue 16).
 */
export const PRESETS: Record<PresetName, ModelConfig> = {
  paper: PAPER_DEFAULTS,
  small: {
    version: 1,
    arch: 'resgru-att',
    maxLength: 80,
    charDim: 64,
    positionDim: 16,
    maxDistance: 80,
    cnn: { filters: 48, windows: [3], blocks: 2 },
    rnn: { units: 48, layers: 1 },
    dropout: 0.3,
    batchSize: 64,
    learningRate: 0.004,
    epochs: 5,
    seed: 1,
    patience: 2,
    minCount: 1,
  },
  // `best`: the `small` sizes trained up to 10 epochs (patience 4, about twice `small`'s time) with the entity-aware
  // options that dev macro-F1 picked with word2vec at three seeds or more (the largest mean gain over PCNN, BiGRU-Att
  // and ResGRU-Att on both CMeIE and the paper schema, BENCHMARKS.md "Models / Session 7"): the head's and the tail's
  // type embedding at their spans, and entity pooling, max over the spans.
  best: {
    version: 1,
    arch: 'resgru-att',
    maxLength: 80,
    charDim: 64,
    positionDim: 16,
    maxDistance: 80,
    cnn: { filters: 48, windows: [3], blocks: 2 },
    rnn: { units: 48, layers: 1 },
    dropout: 0.3,
    batchSize: 64,
    learningRate: 0.004,
    epochs: 10,
    seed: 1,
    patience: 4,
    minCount: 1,
    entityTypes: true,
    entityPooling: 'max',
  },
};

/** True when `name` is a preset name. */
export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/**
 * The configuration of `arch` under a preset, with optional overrides (deep-merged, then validated). A preset's
 * `entityAttention` applies to architectures with attention pooling; for the others (cnn, pcnn, resnet, resgru)
 * it is left out, unless the overrides ask for it (then validation refuses it).
 * @example configFor('bigru-att', 'small', { epochs: 3 })
 */
export function configFor(
  arch: Architecture,
  preset: PresetName = 'paper',
  overrides: Partial<ModelConfig> = {},
): ModelConfig {
  const base: Partial<ModelConfig> = { ...PRESETS[preset], arch };
  if (!findEncoder(arch)?.configKeys.includes('attentionForm')) delete base.entityAttention;
  return validateConfig(mergeConfig(base, overrides));
}
