import { EmrReError } from '@emr-re/tokenize';
import { isTrainingCheckpoint, readTrainingCheckpoint, writeTrainingCheckpoint } from '@emr-re/engine';
import type { CheckpointKind, TrainingCheckpoint } from '@emr-re/engine';

/** A training checkpoint that cannot be used: damaged, or made for a different run. */
export class CheckpointError extends EmrReError {
  constructor(dir: string, reason: string) {
    super('CHECKPOINT', `${dir}: ${reason}`);
  }
}

/** Where a training run stands after a completed epoch. Epoch numbers are 1-based counts of completed epochs. */
export interface TrainingState {
  /** Completed epochs. */
  epoch: number;
  /** Completed optimisation steps. */
  step: number;
  /** State of the shuffling PRNG after the last completed epoch. */
  rngState: number;
  /** Mean training loss per completed epoch. */
  loss: number[];
  /** Dev macro-F1 per completed epoch (empty without a dev set). */
  devMacroF1: number[];
  bestF1: number | null;
  bestEpoch: number | null;
  /** Epochs since the best dev macro-F1. */
  sinceBest: number;
  /** True once early stopping fired: a resumed run does not train further. */
  stopped: boolean;
}

/** Everything needed to continue a run exactly: weights, Adam moments, PRNG and bookkeeping. */
export type Checkpoint = TrainingCheckpoint<TrainingState>;

const KIND: CheckpointKind = {
  kind: 'emr-re-checkpoint',
  error: (dir, reason) => new CheckpointError(dir, reason),
};

/** Writes a checkpoint directory atomically (temporary directory, then rename over the previous one, never over a directory that is not an emr-re checkpoint). */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  await writeTrainingCheckpoint(dir, KIND, checkpoint);
}

/** True when `dir` holds a checkpoint written by emr-re (its checkpoint.json says so). */
export async function isCheckpointDirectory(dir: string): Promise<boolean> {
  return isTrainingCheckpoint(dir, KIND.kind);
}

/**
 * Reads a checkpoint directory; undefined when there is none. Every binary part is checked against the
 * SHA-256 recorded with it.
 * @throws CheckpointError when the checkpoint is damaged.
 */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  return readTrainingCheckpoint<TrainingState>(dir, KIND);
}
