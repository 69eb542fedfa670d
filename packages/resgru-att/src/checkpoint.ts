import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EmrReError } from '@emr-re/tokenize';
import { packArrays, unpackArrays } from '@emr-re/engine';
import type { AdamSnapshot, NamedArray, TensorIndexEntry } from '@emr-re/engine';
import { existingDirectory, replaceDirectoryAtomic, sha256, writeFileAtomic } from './files';

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
export interface Checkpoint {
  /** Identifies the run (config, labels, vocabulary, training data); a resume with another fingerprint is refused. */
  fingerprint: string;
  state: TrainingState;
  weights: NamedArray[];
  /** The weights of the best dev epoch so far, when early stopping tracks one. */
  best?: NamedArray[];
  optimizer: AdamSnapshot;
}

interface CheckpointFile {
  version: 1;
  kind: 'emr-re-checkpoint';
  fingerprint: string;
  state: TrainingState;
  optimizerStep: number;
  files: Record<string, { sha256: string; index: TensorIndexEntry[] }>;
}

const FILE = 'checkpoint.json';

/** Writes a checkpoint directory atomically (temporary directory, then rename over the previous one, never over a directory that is not an emr-re checkpoint). */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  const parts: Record<string, NamedArray[]> = {
    'weights.bin': checkpoint.weights,
    'moments1.bin': checkpoint.optimizer.firstMoments.map((values, i) => ({
      name: `m${i}`,
      shape: [values.length],
      values,
    })),
    'moments2.bin': checkpoint.optimizer.secondMoments.map((values, i) => ({
      name: `v${i}`,
      shape: [values.length],
      values,
    })),
  };
  if (checkpoint.best) parts['best.bin'] = checkpoint.best;
  await replaceDirectoryAtomic(
    dir,
    async (tmp) => {
      const files: CheckpointFile['files'] = {};
      for (const [name, arrays] of Object.entries(parts)) {
        const { index, bytes } = packArrays(arrays);
        await fs.writeFile(path.join(tmp, name), bytes);
        files[name] = { sha256: sha256(bytes), index };
      }
      const meta: CheckpointFile = {
        version: 1,
        kind: 'emr-re-checkpoint',
        fingerprint: checkpoint.fingerprint,
        state: checkpoint.state,
        optimizerStep: checkpoint.optimizer.step,
        files,
      };
      await writeFileAtomic(path.join(tmp, FILE), JSON.stringify(meta));
    },
    { canReplace: isCheckpointDirectory },
  );
}

/** True when `dir` holds a checkpoint written by emr-re (its checkpoint.json says so). */
export async function isCheckpointDirectory(dir: string): Promise<boolean> {
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, FILE), 'utf8')) as { kind?: unknown };
    return meta.kind === 'emr-re-checkpoint';
  } catch {
    return false;
  }
}

/**
 * Reads a checkpoint directory; undefined when there is none. Every binary part is checked against the
 * SHA-256 recorded with it.
 * @throws CheckpointError when the checkpoint is damaged.
 */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const found = await existingDirectory(dir);
  if (found === undefined) return undefined;
  let meta: CheckpointFile;
  try {
    meta = JSON.parse(await fs.readFile(path.join(found, FILE), 'utf8')) as CheckpointFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CheckpointError(found, `${FILE} is not valid JSON`);
  }
  if (meta.version !== 1 || meta.kind !== 'emr-re-checkpoint')
    throw new CheckpointError(found, `${FILE} is not an emr-re checkpoint`);
  const read = async (name: string): Promise<NamedArray[] | undefined> => {
    const entry = meta.files[name];
    if (entry === undefined) return undefined;
    const bytes = await fs.readFile(path.join(found, name)).catch(() => {
      throw new CheckpointError(found, `${name} is missing`);
    });
    if (sha256(bytes) !== entry.sha256) throw new CheckpointError(found, `${name} does not match its checksum`);
    const arrays = unpackArrays(entry.index, bytes);
    if (arrays === undefined) throw new CheckpointError(found, `${name} does not match its index`);
    return arrays;
  };
  const weights = await read('weights.bin');
  const m = await read('moments1.bin');
  const v = await read('moments2.bin');
  if (!weights || !m || !v) throw new CheckpointError(found, 'weights or optimizer moments are missing');
  return {
    fingerprint: meta.fingerprint,
    state: meta.state,
    weights,
    best: await read('best.bin'),
    optimizer: {
      step: meta.optimizerStep,
      firstMoments: m.map((a) => a.values),
      secondMoments: v.map((a) => a.values),
    },
  };
}
