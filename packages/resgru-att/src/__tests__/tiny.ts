/** The tiny models and toy candidates the entity-option tests train and probe. */
import { CharVocabulary, generateCandidates } from '@emr-re/tokenize';
import type { Candidate } from '@emr-re/tokenize';
import { validateConfig } from '../config';
import type { Architecture, ModelConfig } from '../config';
import { TOY_SCHEMA, syntheticRecords } from './synthetic';

/** A model config small enough to train in a test, with `overrides` on top. */
export function tiny(arch: Architecture, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return validateConfig({
    arch,
    maxLength: 32,
    charDim: 8,
    positionDim: 4,
    maxDistance: 32,
    cnn: { filters: 6, windows: [3], blocks: 1 },
    rnn: { units: 6, layers: 1 },
    dropout: 0.1,
    batchSize: 16,
    learningRate: 0.01,
    epochs: 2,
    seed: 3,
    ...overrides,
  });
}

/** The candidates of `n` synthetic records under the toy schema. */
export const candidates = (n: number, seed: number): Candidate[] =>
  syntheticRecords(n, seed).flatMap((r) => generateCandidates(r, TOY_SCHEMA));

/** The toy schema's entity types. */
export const TYPES = TOY_SCHEMA.entityTypes;
/** A vocabulary over 30 synthetic records' sentences. */
export const vocabulary = CharVocabulary.build(candidates(30, 20).map((c) => c.sentence.text));
/** The network shape of a model over `vocabulary` and the toy schema (3 labels). */
export const SHAPE = { vocabularySize: vocabulary.size, labelCount: 3, entityTypeCount: TYPES.length + 1 };
