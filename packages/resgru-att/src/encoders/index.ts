/** The sentence encoders: one file per architecture, and the registry that `config.arch` names. */
export { BASE_INPUTS, FEATURE_INPUTS } from './encoder';
export type { EncoderConfigKey, EncoderDefinition, EncoderInput, EntityInputs, FeatureInput } from './encoder';
export { BUILTIN_ENCODERS, encoderFor, findEncoder, registerEncoder, registeredArchitectures } from './registry';
export {
  attend,
  concatenate,
  convolutionStem,
  maxPool,
  piecewisePool,
  recurrentBranch,
  residualBranch,
  withEntityPooling,
} from './parts';
