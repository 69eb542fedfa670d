/** @emr-re/bootstrap: bootstrapping self-training (the paper's Algorithm 1) over any `RelationClassifier`. */
export { runBootstrap } from './bootstrap';
export type {
  BootstrapOptions,
  BootstrapResult,
  BootstrapIteration,
  DevMetrics,
  StopReason,
  GuardMetric,
  AgreementPartner,
  FitSummary,
  PseudoLabelWeight,
} from './bootstrap';
export {
  selectConfident,
  passingItems,
  topPredictions,
  classQuotaLimits,
  validateClassQuotas,
  calibrateThresholds,
  validateCalibration,
} from './select';
export type { ClassQuotas, SelectionRule, TopPrediction, ThresholdCalibration } from './select';
export { candidateKey, uniqueCandidateKeys } from './keys';
export { RUN_FORMAT_VERSION, writeFileAtomic, writeDirAtomic } from './run-dir';
export type { RunInfo, RunState, MovedItem } from './run-dir';
export { BootstrapOptionError, RunDirectoryError } from './errors';
