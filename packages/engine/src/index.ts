/**
 * @emr-re/engine: the tfjs training engine of emr-re. Backend selection (tfjs-node(-gpu) > wasm > cpu) with the
 * kernels and gradient that make training work and run fast on wasm, masked convolution/residual/attention/pooling
 * layers, a fast GRU/LSTM with hand-written BPTT, a linear-chain CRF, an exactly resumable Adam, seeded initialisers
 * and tensor files.
 *
 * Nothing global happens on import except what tfjs-layers itself expects: each layer class registers with
 * `tf.serialization.registerClass` when its module loads. Kernels and the `BatchMatMul` gradient are installed by
 * the explicit call `selectBackend()` (or `installEngineFixes()` for code that calls `tf.setBackend` itself).
 */
export * from './backend';
export * from './layers';
export * from './crf';
export { ConfigError, ShapeError } from './errors';
export { SeededRandom, deriveSeed, initializerSeeds } from './random';
export { Adam } from './optimizer';
export type { AdamOptions, AdamSnapshot } from './optimizer';
export { packArrays, unpackArrays } from './tensor-files';
export type { NamedArray, TensorIndexEntry } from './tensor-files';
export {
  sha256,
  writeCheckedDirectory,
  isCheckedDirectory,
  readCheckedDirectory,
  parseJsonFile,
  networkArtifacts,
  loadNetworkArtifacts,
} from './model-directory';
export type { CheckedManifest, CheckedDirectorySpec, DirectoryError } from './model-directory';
export { writeTrainingCheckpoint, readTrainingCheckpoint, isTrainingCheckpoint } from './training-checkpoint';
export type { TrainingCheckpoint, CheckpointKind } from './training-checkpoint';
export { ConfigChecks, isJsonObject, mergeDeep, parseConfigJson } from './config-checks';
export type { JsonObject } from './config-checks';
export { recordDevScore } from './early-stopping';
export type { EarlyStoppingState } from './early-stopping';
