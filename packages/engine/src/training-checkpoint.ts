import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { existingDirectory, replaceDirectoryAtomic, writeFileAtomic } from '@emr-re/tokenize';
import { sha256 } from './model-directory';
import type { AdamSnapshot } from './optimizer';
import { packArrays, unpackArrays } from './tensor-files';
import type { NamedArray, TensorIndexEntry } from './tensor-files';

/** Everything needed to continue a training run exactly: weights, Adam moments and the trainer's own state. */
export interface TrainingCheckpoint<S> {
  /** Identifies the run (config, labels, vocabulary, data); a resume with another fingerprint is refused. */
  fingerprint: string;
  /** The trainer's bookkeeping (epochs, losses, early stopping, generator state), stored as JSON. */
  state: S;
  weights: NamedArray[];
  /** The weights of the best dev epoch so far, when early stopping tracks one. */
  best?: NamedArray[];
  optimizer: AdamSnapshot;
}

/** The kind of checkpoint a trainer writes (`checkpoint.json`'s `kind`) and the error it reports damage with. */
export interface CheckpointKind {
  kind: string;
  /** Says what is wrong with the checkpoint at `dir`. */
  error: (dir: string, reason: string) => Error;
}

interface CheckpointFile<S> {
  version: 1;
  kind: string;
  fingerprint: string;
  state: S;
  optimizerStep: number;
  files: Record<string, { sha256: string; index: TensorIndexEntry[] }>;
}

const FILE = 'checkpoint.json';

/**
 * Writes a checkpoint directory atomically: checkpoint.json (kind, state, fingerprint, the SHA-256 and index of every
 * binary part) and weights.bin, moments1.bin, moments2.bin, best.bin (float32 tensor files). An existing directory
 * is replaced only when it is an earlier checkpoint of the same kind.
 */
export async function writeTrainingCheckpoint<S>(
  dir: string,
  kind: CheckpointKind,
  checkpoint: TrainingCheckpoint<S>,
): Promise<void> {
  const moments = (values: Float32Array[], prefix: string): NamedArray[] =>
    values.map((v, i) => ({ name: `${prefix}${i}`, shape: [v.length], values: v }));
  const parts: Record<string, NamedArray[]> = {
    'weights.bin': checkpoint.weights,
    'moments1.bin': moments(checkpoint.optimizer.firstMoments, 'm'),
    'moments2.bin': moments(checkpoint.optimizer.secondMoments, 'v'),
  };
  if (checkpoint.best) parts['best.bin'] = checkpoint.best;
  await replaceDirectoryAtomic(
    dir,
    async (tmp) => {
      const files: CheckpointFile<S>['files'] = {};
      for (const [name, arrays] of Object.entries(parts)) {
        const { index, bytes } = packArrays(arrays);
        await fs.writeFile(path.join(tmp, name), bytes);
        files[name] = { sha256: sha256(bytes), index };
      }
      const meta: CheckpointFile<S> = {
        version: 1,
        kind: kind.kind,
        fingerprint: checkpoint.fingerprint,
        state: checkpoint.state,
        optimizerStep: checkpoint.optimizer.step,
        files,
      };
      await writeFileAtomic(path.join(tmp, FILE), JSON.stringify(meta));
    },
    { canReplace: (d) => isTrainingCheckpoint(d, kind.kind) },
  );
}

/** True when `dir` holds a checkpoint of `kind` (its checkpoint.json says so). */
export async function isTrainingCheckpoint(dir: string, kind: string): Promise<boolean> {
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, FILE), 'utf8')) as { kind?: unknown };
    return meta.kind === kind;
  } catch {
    return false;
  }
}

/**
 * Reads a checkpoint directory of `kind`; undefined when there is none. Every binary part is checked against its
 * SHA-256 and index.
 * @throws the kind's error when the checkpoint is damaged or of another kind.
 */
export async function readTrainingCheckpoint<S>(
  dir: string,
  kind: CheckpointKind,
): Promise<TrainingCheckpoint<S> | undefined> {
  const found = await existingDirectory(dir);
  if (found === undefined) return undefined;
  let meta: CheckpointFile<S>;
  try {
    meta = JSON.parse(await fs.readFile(path.join(found, FILE), 'utf8')) as CheckpointFile<S>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw kind.error(found, `${FILE} is not valid JSON`);
  }
  if (meta.version !== 1 || meta.kind !== kind.kind) {
    throw kind.error(found, `${FILE} is not an emr-re checkpoint of kind "${kind.kind}"`);
  }
  const read = async (name: string): Promise<NamedArray[] | undefined> => {
    const entry = meta.files?.[name];
    if (entry === undefined) return undefined;
    const bytes = await fs.readFile(path.join(found, name)).catch(() => {
      throw kind.error(found, `${name} is missing`);
    });
    if (sha256(bytes) !== entry.sha256) throw kind.error(found, `${name} does not match its checksum`);
    const arrays = unpackArrays(entry.index, bytes);
    if (arrays === undefined) throw kind.error(found, `${name} does not match its index`);
    return arrays;
  };
  const weights = await read('weights.bin');
  const m = await read('moments1.bin');
  const v = await read('moments2.bin');
  if (!weights || !m || !v) throw kind.error(found, 'weights or optimizer moments are missing');
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
