/** The early-stopping bookkeeping a trainer keeps (and checkpoints) across epochs. */
export interface EarlyStoppingState {
  /** The best dev score so far, or null before the first. */
  bestF1: number | null;
  /** The epoch that scored it. */
  bestEpoch: number | null;
  /** Epochs since the best dev score. */
  sinceBest: number;
  /** True once `patience` epochs went by without a better score: a resumed run does not train further. */
  stopped: boolean;
}

/**
 * Records an epoch's dev score: a strictly better score becomes the best (returns true: keep this epoch's weights);
 * otherwise `sinceBest` grows, and reaching `patience` (when given) stops the run.
 * @example if (recordDevScore(state, f1, epoch, config.patience)) best = weightsOf(network);
 */
export function recordDevScore(
  state: EarlyStoppingState,
  score: number,
  epoch: number,
  patience: number | undefined,
): boolean {
  if (state.bestF1 === null || score > state.bestF1) {
    state.bestF1 = score;
    state.bestEpoch = epoch;
    state.sinceBest = 0;
    return true;
  }
  state.sinceBest += 1;
  if (patience !== undefined && state.sinceBest >= patience) state.stopped = true;
  return false;
}
