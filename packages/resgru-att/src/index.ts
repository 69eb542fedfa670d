/**
 * @emr-re/resgru-att: ResGRU-Att and the baseline relation classifiers of the paper (CNN, CNN-Att, PCNN,
 * ResNet, BiLSTM-Att, BiGRU-Att, ResGRU) on TensorFlow.js: one config schema, seeded resumable training,
 * verified save/load, and record-level serving (`loadModel(dir).predict(records)`).
 */
export {
  ARCHITECTURES,
  ATTENTION_FORMS,
  ConfigError,
  PAPER_DEFAULTS,
  mergeConfig,
  parseConfig,
  validateConfig,
} from './config';
export type { Architecture, AttentionForm, ClassWeights, CnnConfig, ModelConfig, RnnConfig } from './config';
export { PRESETS, PRESET_NAMES, configFor, isPresetName } from './presets';
export type { PresetName } from './presets';
export { FEATURE_INPUTS, buildNetwork, inputsOf } from './architectures';
export type { FeatureInput, NetworkShape } from './architectures';
export { SequenceMask, StepDropout } from './network-layers';
export type { StepDropoutArgs } from './network-layers';
export { featureTensors, labelIndices } from './features';
export { RelationModel, createRelationModel, initialiseCharEmbeddings, loadRelationModel } from './model';
export type { Prediction, RelationModelOptions } from './model';
export { toCandidates, train } from './train';
export type { TrainOptions } from './train';
export {
  ExampleWeightsError,
  TrainingCancelledError,
  TrainingDivergedError,
  argmax,
  classWeightVector,
} from './trainer';
export type { TrainFitOptions } from './trainer';
export { CheckpointError, isCheckpointDirectory } from './checkpoint';
export type { TrainingState } from './checkpoint';
export { MODEL_FILES, MODEL_FORMAT_VERSION, ModelFormatError, isModelDirectory } from './manifest';
export type { ModelManifest } from './manifest';
export { RelationExtractor, loadModel } from './extractor';
export type { ExtractOptions, RecordInput } from './extractor';
export { ensureBackend } from './engine';
export { BACKEND_NAMES, BackendUnavailableError, selectBackend, selectedBackend } from './backend';
export type { BackendName, SelectBackendOptions } from './backend';
export * from './layers';
