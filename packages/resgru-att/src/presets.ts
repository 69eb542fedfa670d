import { Architecture, ModelConfig, PAPER_DEFAULTS, mergeConfig, validateConfig } from './config';

/** Names of the shipped presets. */
export const PRESET_NAMES = ['paper', 'small'] as const;

/** One of `PRESET_NAMES`. */
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * `paper`: Table 3 as published (GPU-sized). `small`: a CPU/wasm-sized model of the same architecture
 * (one window of 3, 48 filters, 2 residual blocks = a 5-layer ResNet, one BiGRU layer of 48 units,
 * 80-character windows) that trains on 1,000 CMeIE sentences (~15,000 candidates) × 3 epochs in minutes on
 * two cores with the wasm backend (measured ~0.5 s a step of 64 on a shared 2-core machine).
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
};

/** True when `name` is a preset name. */
export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/**
 * The configuration of `arch` under a preset, with optional overrides (deep-merged, then validated).
 * @example configFor('bigru-att', 'small', { epochs: 3 })
 */
export function configFor(
  arch: Architecture,
  preset: PresetName = 'paper',
  overrides: Partial<ModelConfig> = {},
): ModelConfig {
  return validateConfig(mergeConfig({ ...PRESETS[preset], arch }, overrides));
}
