import { NER_PAPER_DEFAULTS, NerConfig, mergeNerConfig, validateNerConfig } from './config';

/** Names of the shipped NER presets. */
export const NER_PRESET_NAMES = ['paper', 'small'] as const;

/** One of `NER_PRESET_NAMES`. */
export type NerPresetName = (typeof NER_PRESET_NAMES)[number];

/**
 * `paper`: the paper's sizes (GPU-sized, see `NER_PAPER_DEFAULTS`). `small`: CPU/wasm-sized (64-dimensional
 * characters, one BiGRU layer of 64 units, a 3-window residual branch of 48 filters × 2 blocks for `resgru-crf`,
 * 100-character windows) that trains on 60 CCKS 2017 documents × 2 epochs in well under a minute on two cores with
 * the wasm backend (see the package README for the measured time). Its batch of 16 windows and Adam at 0.01 (until
 * 2026-12-06: 32 and 0.005) let small data learn in few epochs: on the first 300 CMeIE sentences one epoch went from
 * no entity found to strict F1 13.3 on 50 held-out sentences, and 60 CCKS records × 2 epochs from 76.3 to 81.2, while
 * 120 CCKS records × 5 epochs stayed level (86.3 → 86.1, one seed; BENCHMARKS.md "NER", small-data defaults). On the
 * whole CMeIE 80/20 split × 5 epochs they lean lower (micro-F1 51.15 against 53.28, two seeds; macro level).
 */
export const NER_PRESETS: Record<NerPresetName, NerConfig> = {
  paper: NER_PAPER_DEFAULTS,
  small: {
    version: 1,
    arch: 'bigru-crf',
    maxLength: 100,
    overlap: 20,
    charDim: 64,
    rnn: { units: 64, layers: 1 },
    cnn: { filters: 48, windows: [3], blocks: 2 },
    dropout: 0.2,
    batchSize: 16,
    learningRate: 0.01,
    epochs: 10,
    seed: 1,
    patience: 3,
    minCount: 1,
  },
};

/** True when `name` is a NER preset name. */
export function isNerPresetName(name: string): name is NerPresetName {
  return (NER_PRESET_NAMES as readonly string[]).includes(name);
}

/**
 * The configuration of `arch` under a preset, with optional overrides (deep-merged, then validated).
 * @throws ConfigError for an unknown architecture or a bad override.
 * @example nerConfigFor('resgru-crf', 'small', { epochs: 2 })
 */
export function nerConfigFor(
  arch = 'bigru-crf',
  preset: NerPresetName = 'small',
  overrides: Partial<NerConfig> = {},
): NerConfig {
  return validateNerConfig(mergeNerConfig({ ...NER_PRESETS[preset], arch }, overrides));
}
