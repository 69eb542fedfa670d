import type { RelationClassifier } from '@emr-re/tokenize';
import type { BootstrapIteration } from './iteration-record';
import type { DevMetrics } from './predict';
import type { BootstrapRun, StopReason } from './run-state';

/** The outcome of `runBootstrap`. */
export interface BootstrapResult {
  iterations: BootstrapIteration[];
  stopReason: StopReason;
  /** Dev metrics of the classifier trained on the seed set alone (iteration 0). */
  seedDev?: DevMetrics;
  /** Final size of L. */
  labelled: number;
  /** Final size of U. */
  poolLeft: number;
  /** The iteration whose classifier is returned (0 = seed only). */
  acceptedIteration: number;
  /** The accepted classifier; the caller owns it and must `dispose()` it. Absent if aborted before the seed training ended. */
  classifier?: RelationClassifier;
  /** With `agreement`: dev metrics of the partner trained on the seed set alone. */
  seedPartnerDev?: DevMetrics;
  /** With `agreement`: the accepted iteration's partner; the caller owns it and must `dispose()` it. */
  partner?: RelationClassifier;
}

/** The result of a stopped run over `seedSize` seed and `poolSize` pool items (partner fields with agreement). */
export function bootstrapResult(
  run: BootstrapRun,
  sizes: { seedSize: number; poolSize: number; withPartner: boolean },
): BootstrapResult {
  const result: BootstrapResult = {
    iterations: run.committed.iterations,
    stopReason: run.stopReason as StopReason,
    seedDev: run.seedDev,
    labelled: sizes.seedSize + run.moved.length,
    poolLeft: sizes.poolSize - run.moved.length,
    acceptedIteration: run.committed.acceptedIteration,
    classifier: run.accepted?.classifier,
  };
  if (sizes.withPartner) {
    result.seedPartnerDev = run.seedPartnerDev;
    result.partner = run.accepted?.partner;
  }
  return result;
}
