/**
 * @emr-re/resgru-att: ResGRU-Att and the baseline relation classifiers of the paper (CNN, CNN-Att, PCNN,
 * ResNet, BiLSTM-Att, BiGRU-Att, ResGRU) on TensorFlow.js: one config schema, seeded resumable training,
 * verified save/load, and record-level serving (`loadModel(dir).predict(records)`).
 */
export {
  ARCHITECTURES,
  ATTENTION_FORMS,
  ConfigError,
  ENTITY_MARKERS,
  ENTITY_POOLINGS,
  PAPER_DEFAULTS,
  mergeConfig,
  parseConfig,
  validateConfig,
} from './config';
export type {
  Architecture,
  AttentionForm,
  ClassWeights,
  CnnConfig,
  EntityMarkers,
  EntityPooling,
  ModelConfig,
  RnnConfig,
} from './config';
export { PRESETS, PRESET_NAMES, configFor, isPresetName } from './presets';
export type { PresetName } from './presets';
export { FEATURE_INPUTS, buildNetwork, inputsOf, networkInputs } from './architectures';
export type { FeatureInput, NetworkShape } from './architectures';
export {
  BASE_INPUTS,
  BUILTIN_ENCODERS,
  attend,
  concatenate,
  convolutionStem,
  encoderFor,
  findEncoder,
  maxPool,
  piecewisePool,
  recurrentBranch,
  registerEncoder,
  registeredArchitectures,
  residualBranch,
  withEntityPooling,
} from './encoders';
export type { EncoderConfigKey, EncoderDefinition, EncoderInput, EntityInputs } from './encoders';
export { entityTypeIds, featureTensors, labelIndices } from './features';
export { charEmbeddingRows, markerSchemeOf } from './markers';
export { RelationModel, createRelationModel, initialiseCharEmbeddings, loadRelationModel } from './model';
export type { Prediction, RelationModelOptions } from './model';
export { RelationEnsemble, loadRelationEnsemble } from './ensemble';
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
// The engine (backend selection, layers) moved to @emr-re/engine; what this package exported before is
// re-exported from there, so imports from '@emr-re/resgru-att' keep working.
export {
  AttentionPooling,
  BACKEND_NAMES,
  EntityAwareAttention,
  EntitySpanMask,
  EntityTypeEmbedding,
  BLOCK_ORTHOGONAL,
  BackendUnavailableError,
  BlockOrthogonal,
  Conv1DSame,
  FastRNN,
  MaskedMaxPooling,
  PIECES,
  PiecewiseMaxPooling,
  ResidualBlock1D,
  SequenceMask,
  ShapeError,
  StepDropout,
  conv1dSame,
  gateCount,
  im2col1d,
  maskedMax,
  maskedSoftmax,
  recurrentSequence,
  registerFastWasmSliceKernels,
  selectBackend,
  selectedBackend,
} from '@emr-re/engine';
export type {
  AttentionPoolingArgs,
  BackendName,
  CellKind,
  Conv1DSameArgs,
  ConvActivation,
  DirectionWeights,
  FastRNNArgs,
  InitializerSpec,
  RecurrentSpec,
  ResidualBlock1DArgs,
  RnnImplementation,
  SelectBackendOptions,
  StepDropoutArgs,
  WeightInitializer,
} from '@emr-re/engine';

/** Temperature scaling of predicted probabilities (fitted on dev so that scores are probabilities). */
export { applyTemperature, calibrationOf, fitTemperature } from './temperature';
export type { CalibrationFit, CalibrationSummary } from './temperature';
