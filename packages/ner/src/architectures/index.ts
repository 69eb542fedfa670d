/** The tagger encoders: one file per architecture, and the registry that `config.arch` names. */
export type { NerArchitecture, NerConfigKey, NerEncoderInput } from './architecture';
export {
  BUILTIN_NER_ARCHITECTURES,
  findNerArchitecture,
  nerArchitectureFor,
  registerNerArchitecture,
  registeredNerArchitectures,
} from './registry';
export { concatenateFeatures, recurrentFeatures, residualFeatures } from './parts';
