import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { packArrays, unpackArrays } from '@emr-re/engine';
import type { AdamSnapshot, NamedArray, TensorIndexEntry } from '@emr-re/engine';
import { existingDirectory, replaceDirectoryAtomic, writeFileAtomic } from '@emr-re/tokenize';
import { NerCheckpointError } from './errors';
import { sha256 } from './weights';

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

/** Everything needed to continue a run exactly: network and CRF weights, Adam moments, generator and bookkeeping. */
export interface NerCheckpoint {
  /** Identifies the run (config, tags, vocabulary, training windows); a resume with another one is refused. */
  fingerprint: string;
  state: NerTrainingState;
  /** Network weights (`network/…`) then CRF weights (`crf/…`). */
  weights: NamedArray[];
  /** The weights of the best dev epoch so far, when early stopping tracks one. */
  best?: NamedArray[];
  optimizer: AdamSnapshot;
}

const FILE = 'checkpoint.json';
const KIND = 'emr-re-ner-checkpoint';

interface CheckpointFile {
  version: 1;
  kind: typeof KIND;
  fingerprint: string;
  state: NerTrainingState;
  optimizerStep: number;
  files: Record<string, { sha256: string; index: TensorIndexEntry[] }>;
}

/**
 * Writes a checkpoint directory atomically: checkpoint.json (state, fingerprint, the SHA-256 and index of every
 * binary part) and weights.bin, moments1.bin, moments2.bin, best.bin (float32 tensor files). An existing directory
 * is replaced only when it is an earlier NER checkpoint.
 */
export async function writeNerCheckpoint(dir: string, checkpoint: NerCheckpoint): Promise<void> {
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
      const files: CheckpointFile['files'] = {};
      for (const [name, arrays] of Object.entries(parts)) {
        const { index, bytes } = packArrays(arrays);
        await fs.writeFile(path.join(tmp, name), bytes);
        files[name] = { sha256: sha256(bytes), index };
      }
      const meta: CheckpointFile = {
        version: 1,
        kind: KIND,
        fingerprint: checkpoint.fingerprint,
        state: checkpoint.state,
        optimizerStep: checkpoint.optimizer.step,
        files,
      };
      await writeFileAtomic(path.join(tmp, FILE), JSON.stringify(meta));
    },
    { canReplace: isNerCheckpointDirectory },
  );
}

/** True when `dir` holds a NER training checkpoint (its checkpoint.json says so). */
export async function isNerCheckpointDirectory(dir: string): Promise<boolean> {
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, FILE), 'utf8')) as { kind?: unknown };
    return meta.kind === KIND;
  } catch {
    return false;
  }
}

/**
 * Reads a checkpoint directory; undefined when there is none. Every binary part is checked against its SHA-256.
 * @throws NerCheckpointError when the checkpoint is damaged or not a NER checkpoint.
 */
export async function readNerCheckpoint(dir: string): Promise<NerCheckpoint | undefined> {
  const found = await existingDirectory(dir);
  if (found === undefined) return undefined;
  let meta: CheckpointFile;
  try {
    meta = JSON.parse(await fs.readFile(path.join(found, FILE), 'utf8')) as CheckpointFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NerCheckpointError(found, `${FILE} is not valid JSON`);
  }
  if (meta.version !== 1 || meta.kind !== KIND) {
    throw new NerCheckpointError(found, `${FILE} is not an emr-re NER checkpoint`);
  }
  const read = async (name: string): Promise<NamedArray[] | undefined> => {
    const entry = meta.files?.[name];
    if (entry === undefined) return undefined;
    const bytes = await fs.readFile(path.join(found, name)).catch(() => {
      throw new NerCheckpointError(found, `${name} is missing`);
    });
    if (sha256(bytes) !== entry.sha256) throw new NerCheckpointError(found, `${name} does not match its checksum`);
    const arrays = unpackArrays(entry.index, bytes);
    if (arrays === undefined) throw new NerCheckpointError(found, `${name} does not match its index`);
    return arrays;
  };
  const weights = await read('weights.bin');
  const m = await read('moments1.bin');
  const v = await read('moments2.bin');
  if (!weights || !m || !v) throw new NerCheckpointError(found, 'weights or optimizer moments are missing');
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
