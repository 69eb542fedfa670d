import { nerConfigFor } from '../presets';
import type { NerConfig } from '../config';

/** A tagger small enough to learn the toy task in a few seconds on two cores. */
export function toyConfig(overrides: Partial<NerConfig> = {}): NerConfig {
  return nerConfigFor('bigru-crf', 'small', {
    maxLength: 40,
    overlap: 8,
    charDim: 32,
    rnn: { units: 32, layers: 1 },
    cnn: { filters: 32, windows: [3], blocks: 1 },
    batchSize: 16,
    learningRate: 0.01,
    epochs: 3,
    patience: 2,
    ...overrides,
  });
}
