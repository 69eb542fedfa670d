/**
 * tfjs-layers `Layer`s of the engine, each registered with `tf.serialization.registerClass` when its module loads
 * (the tfjs convention: a saved model names the class, and loading finds it in that registry), trainable on the
 * wasm, cpu and tensorflow backends. `registerLayers()` registers them again, idempotently, for code that loads
 * models and wants the dependency on this module explicit.
 */
export * from './conv';
export * from './pooling';
export * from './entity';
export * from './recurrent';
export { gateCount, recurrentSequence } from './recurrent-kernels';
export type { CellKind, DirectionWeights, RecurrentSpec, RnnImplementation } from './recurrent-kernels';
export {
  BLOCK_ORTHOGONAL,
  BlockOrthogonal,
  resolveInitializer,
  serializeInitializer,
  weightInitializer,
} from './initializers';
export type { InitializerSpec, WeightInitializer } from './initializers';
export { SequenceMask } from './sequence-mask';
export { StepDropout } from './step-dropout';
export type { StepDropoutArgs } from './step-dropout';
export { LAYER_CLASSES, registerLayers } from './registry';
export { stackedBiRnn } from './stacked-rnn';
export type { StackedBiRnnSpec } from './stacked-rnn';
