import { ClassifierPair, disposePair } from './agreement';
import { RunDirectoryError } from './errors';
import type { BootstrapIteration } from './iteration-record';
import { KeyedPool, keyMissingFromPool } from './labelled-set';
import type { DevMetrics } from './predict';
import { MovedItem, RUN_FORMAT_VERSION, RunState } from './run-dir';

/** Why a bootstrap run stopped. */
export type StopReason = 'pool-empty' | 'nothing-passed' | 'max-iterations' | 'dev-dropped' | 'aborted';

/** `state.json` of a bootstrap run. */
export type CommittedState = RunState<BootstrapIteration, DevMetrics>;

/** The progress `committedState` records. */
export interface Progress {
  completedIteration: number;
  acceptedIteration: number;
  moved: MovedItem[];
  iterations: BootstrapIteration[];
  seedDev?: DevMetrics;
  seedPartnerDev?: DevMetrics;
  stopReason?: StopReason;
}

/** Everything a run changes as it goes: the loop's state. */
export interface BootstrapRun {
  /**
   * The progress last committed to `state.json` (or found there by a resume): finished and accepted iteration,
   * their records, L's moved items. A new run starts from an empty progress that its seed training replaces.
   */
  committed: CommittedState;
  /** L's pool items in the order they moved, including those of the iteration in progress. */
  moved: MovedItem[];
  /** Dev metrics of the seed classifier and partner, as soon as they are scored. */
  seedDev?: DevMetrics;
  seedPartnerDev?: DevMetrics;
  /** Set once the loop must stop. */
  stopReason?: StopReason;
  /** The accepted classifier and partner; none until the seed training is committed (or a resume loaded them). */
  accepted?: ClassifierPair;
  /** The pair being scored and committed in the current iteration; disposed if the iteration fails. */
  training?: ClassifierPair;
}

/** The state of a run about to train its seed classifier. */
export function newRun(): BootstrapRun {
  return {
    committed: committedState({ completedIteration: 0, acceptedIteration: 0, moved: [], iterations: [] }),
    moved: [],
  };
}

/**
 * The state of a resumed run, from its `state.json` (classifiers still to load). A run stopped for a reason a
 * resume would not change stays stopped; one that reached `maxIterations` goes on.
 */
export function resumedRun(stored: CommittedState, pool: KeyedPool, runDir: string): BootstrapRun {
  const missing = keyMissingFromPool(pool, stored.moved);
  if (missing !== undefined) {
    throw new RunDirectoryError(runDir, `state.json names pool item ${missing}, which the pool lacks`);
  }
  const run: BootstrapRun = {
    committed: stored,
    moved: [...stored.moved],
    seedDev: stored.seedDev,
    seedPartnerDev: stored.seedPartnerDev,
  };
  if (stored.stopReason !== undefined && stored.stopReason !== 'max-iterations') {
    run.stopReason = stored.stopReason as StopReason;
  }
  return run;
}

/** `state.json` for a progress (the keys in the order the file has always had them). */
export function committedState(progress: Progress): CommittedState {
  const state: CommittedState = {
    version: RUN_FORMAT_VERSION,
    completedIteration: progress.completedIteration,
    acceptedIteration: progress.acceptedIteration,
    moved: progress.moved,
    iterations: progress.iterations,
    seedDev: progress.seedDev,
  };
  if (progress.seedPartnerDev !== undefined) state.seedPartnerDev = progress.seedPartnerDev;
  if (progress.stopReason !== undefined) state.stopReason = progress.stopReason;
  return state;
}

/** `state.json` after the seed training: nothing moved, iteration 0 finished and accepted. */
export function stateAfterSeed(run: BootstrapRun): CommittedState {
  const { seedDev, seedPartnerDev } = run;
  return committedState({
    completedIteration: 0,
    acceptedIteration: 0,
    moved: [],
    iterations: [],
    seedDev,
    seedPartnerDev,
  });
}

/**
 * `state.json` after iteration `record.iteration`: its record appended, L as `run.moved` and the stop reason so
 * far (after a rollback, `acceptedIteration` stays the previous one).
 */
export function stateAfterIteration(
  run: BootstrapRun,
  record: BootstrapIteration,
  acceptedIteration: number,
): CommittedState {
  return committedState({
    completedIteration: record.iteration,
    acceptedIteration,
    moved: run.moved,
    iterations: [...run.committed.iterations, record],
    seedDev: run.seedDev,
    seedPartnerDev: run.seedPartnerDev,
    stopReason: run.stopReason,
  });
}

/** Dev metrics of the accepted classifier: the seed's, or those of the accepted iteration. */
export function acceptedDev(state: CommittedState): DevMetrics | undefined {
  const k = state.acceptedIteration;
  return k === 0 ? state.seedDev : state.iterations.find((it) => it.iteration === k)?.dev;
}

/** The trained pair becomes the accepted one; the previously accepted pair is disposed. */
export function acceptTraining(run: BootstrapRun): void {
  disposePair(run.accepted);
  run.accepted = run.training;
  run.training = undefined;
}

/** The trained pair is dropped (rolled back, or its iteration failed) and disposed. */
export function discardTraining(run: BootstrapRun): void {
  disposePair(run.training);
  run.training = undefined;
}
