import { isTrainingCheckpoint, readTrainingCheckpoint, writeTrainingCheckpoint } from '@emr-re/engine';
import type { CheckpointKind, TrainingCheckpoint } from '@emr-re/engine';
import { NerCheckpointError } from './errors';

/** Where a NER training run stands after a completed epoch. */
export interface NerTrainingState {
  /** Completed epochs. */
  epoch: number;
  /** Completed optimisation steps. */
  step: number;
  /** State of the shuffling generator after the last completed epoch. */
  rngState: number;
  /** Mean training loss (CRF negative log-likelihood per window) per completed epoch. */
  loss: number[];
  /** Dev strict micro-F1 per completed epoch (empty without a dev set). */
  devF1: number[];
  bestF1: number | null;
  bestEpoch: number | null;
  /** Epochs since the best dev F1. */
  sinceBest: number;
  /** True once early stopping fired: a resumed run does not train further. */
  stopped: boolean;
}

/** Everything needed to continue a run exactly: network and CRF weights (`network/…` then `crf/…`), Adam moments,
 * generator and bookkeeping. */
export type NerCheckpoint = TrainingCheckpoint<NerTrainingState>;

const KIND: CheckpointKind = {
  kind: 'emr-re-ner-checkpoint',
  error: (dir, reason) => new NerCheckpointError(dir, reason),
};

/**
 * Writes a checkpoint directory atomically: checkpoint.json (state, fingerprint, the SHA-256 and index of every
 * binary part) and weights.bin, moments1.bin, moments2.bin, best.bin (float32 tensor files). An existing directory
 * is replaced only when it is an earlier NER checkpoint.
 */
export async function writeNerCheckpoint(dir: string, checkpoint: NerCheckpoint): Promise<void> {
  await writeTrainingCheckpoint(dir, KIND, checkpoint);
}

/** True when `dir` holds a NER training checkpoint (its checkpoint.json says so). */
export async function isNerCheckpointDirectory(dir: string): Promise<boolean> {
  return isTrainingCheckpoint(dir, KIND.kind);
}

/**
 * Reads a checkpoint directory; undefined when there is none. Every binary part is checked against its SHA-256.
 * @throws NerCheckpointError when the checkpoint is damaged or not a NER checkpoint.
 */
export async function readNerCheckpoint(dir: string): Promise<NerCheckpoint | undefined> {
  return readTrainingCheckpoint<NerTrainingState>(dir, KIND);
}
