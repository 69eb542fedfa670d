import { Architecture, ModelConfig, PAPER_DEFAULTS, mergeConfig, validateConfig } from './config';

/** Names of the shipped presets. */
export const PRESET_NAMES = ['paper', 'small'] as const;

/** One of `PRESET_NAMES`. */
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * `paper`: Table 3 as published (GPU-sized). `small`: a CPU/wasm-sized model that trains on
 * ~1,000 sentences × 3 epochs in minutes on two cores; same architecture, narrower and shallower.
 */
export const PRESETS: Record<PresetName, ModelConfig> = {
  paper: PAPER_DEFAULTS,
  small: {
    version: 1,
    arch: 'resgru-att',
    maxLength: 100,
    charDim: 64,
    positionDim: 16,
    maxDistance: 100,
    cnn: { filters: 32, windows: [3, 5, 7], blocks: 2 },
    rnn: { units: 64, layers: 1 },
    dropout: 0.3,
    batchSize: 64,
    learningRate: 0.002,
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
export function configFor(arch: Architecture, preset: PresetName = 'paper', overrides: Partial<ModelConfig> = {}): ModelConfig {
  return validateConfig(mergeConfig({ ...PRESETS[preset], arch }, overrides));
}
