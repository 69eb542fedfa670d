/**
 * @emr-re/ner: character-level named entity recognition for Chinese EMRs on TensorFlow.js. BIOES tags over UTF-16
 * code units, a BiGRU / BiLSTM / residual-CNN⊕BiGRU tagger with a constrained linear-chain CRF (`@emr-re/engine`),
 * sentence-aligned windows for long texts, seeded resumable training with early stopping on strict F1, and verified
 * save/load (`trainNer(records, config)`, `loadNer(dir).recognize(texts)`).
 *
 * Nothing global happens on import: training and loading select a backend (`ensureNerBackend`) when none is chosen.
 */
export {
  OUTSIDE_TAG,
  TAG_POSITIONS,
  addTaggingStats,
  decodeTags,
  emptyTaggingStats,
  encodeTags,
  isValidTagSequence,
  parseTag,
  tagIndex,
  tagSchemeFor,
} from './tagging';
export type { ParsedTag, TagEncoding, TagPosition, TagScheme, TaggedSpan, TaggingStats } from './tagging';
export { SENTENCE_ENDS, mergeWindowSpans, splitWindows } from './windows';
export type { Span, TextWindow, WindowOptions } from './windows';
export { nerTypes } from './types';
export { NER_PAPER_DEFAULTS, mergeNerConfig, parseNerConfig, validateNerConfig } from './config';
export type { NerCnnConfig, NerConfig, NerRnnConfig } from './config';
export { NER_PRESETS, NER_PRESET_NAMES, isNerPresetName, nerConfigFor } from './presets';
export type { NerPresetName } from './presets';
export {
  BUILTIN_NER_ARCHITECTURES,
  concatenateFeatures,
  findNerArchitecture,
  nerArchitectureFor,
  recurrentFeatures,
  registerNerArchitecture,
  registeredNerArchitectures,
  residualFeatures,
} from './architectures';
export type { NerArchitecture, NerConfigKey, NerEncoderInput } from './architectures';
export { CHAR_EMBEDDING_LAYER, buildTagger, initialiseCharEmbeddings } from './network';
export type { TaggerShape } from './network';
export { crfMarginals } from './marginals';
export { clearCutMentions, trainingWindows, windowBatch } from './examples';
export type { TaggedWindow, TrainingDataStats, WindowBatch } from './examples';
export { NerModel, createNerModel } from './model';
export type { CreateNerModelOptions, NerModelParts, RecognizeInput, RecognizeOptions } from './model';
export { loadNer } from './load';
export { devStrictF1, fitNerModel, trainNer } from './trainer';
export type { NerTrainOptions, NerTrainReport } from './trainer';
export { isNerCheckpointDirectory, readNerCheckpoint } from './checkpoint';
export type { NerCheckpoint, NerTrainingState } from './checkpoint';
export { NER_MODEL_FILES, NER_MODEL_FORMAT, NER_MODEL_FORMAT_VERSION, isNerModelDirectory } from './manifest';
export type { NerModelManifest } from './manifest';
export { ensureNerBackend } from './backend';
export {
  NerCheckpointError,
  NerDataError,
  NerModelFormatError,
  NerTrainingCancelledError,
  NerTrainingDivergedError,
} from './errors';
export {
  ASSERTION_PRIORITY,
  AssertionLexiconError,
  NEGATED_LABELS,
  applyAssertions,
  defaultAssertionLexicon,
  detectAssertions,
  dropAbsentRelations,
  findLexiconMatches,
  loadAssertionLexicon,
  mergeAssertionLexicons,
  parseAssertionLexicon,
} from './assertion';
export type {
  ApplyAssertionOptions,
  AssertionLexicon,
  AssertionTrigger,
  LexiconMatch,
  TriggerDirection,
  TriggerScope,
} from './assertion';
