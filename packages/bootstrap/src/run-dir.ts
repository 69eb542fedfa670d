import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseTemporaryName, writeFileAtomic } from '@emr-re/tokenize';
import { RunDirectoryError } from './errors';

/** The version of the run-directory layout (`run.json`, `state.json`, `iteration-K/`). */
export const RUN_FORMAT_VERSION = 1;

/** This library's version, recorded in `run.json`. */
export const LIBRARY_VERSION: string = readLibraryVersion();

function readLibraryVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

/** `run.json`: what a run was started with; a resume must match it. */
export interface RunInfo {
  version: number;
  library: string;
  /** The options that decide which items move; `maxIterations` may differ on resume. */
  options: Record<string, unknown>;
  seed: { size: number; fingerprint: string };
  pool: { size: number; fingerprint: string };
  dev?: { size: number; fingerprint: string };
  /** The separate calibration set, when one was given. */
  calibration?: { size: number; fingerprint: string };
}

/** One pool item moved into the labelled set, as kept in `state.json`. */
export interface MovedItem {
  key: string;
  label: string;
  probability: number;
  iteration: number;
}

/** `state.json`: the committed progress of a run. Written last in each iteration, so it is the commit point. */
export interface RunState<IterationRecord = unknown, Metrics = unknown> {
  version: number;
  /** The last iteration whose directory is complete (0 = seed training). */
  completedIteration: number;
  /** The iteration whose classifier is the current one (differs after a dev-drop rollback). */
  acceptedIteration: number;
  /** Pool items in the labelled set, in the order they were moved (rolled-back items excluded). */
  moved: MovedItem[];
  iterations: IterationRecord[];
  seedDev?: Metrics;
  /** With an agreement partner: its dev metrics after the seed training. */
  seedPartnerDev?: Metrics;
  /** Set once the run has stopped for a reason that a resume would not change. */
  stopReason?: string;
}

/** Atomic file and directory writes, shared with the other packages (`writeDirAtomic` = `replaceDirectoryAtomic`). */
export { writeFileAtomic };
export { replaceDirectoryAtomic as writeDirAtomic } from '@emr-re/tokenize';

/** The directory of iteration `k` inside a run directory. */
export function iterationDir(runDir: string, k: number): string {
  return path.join(runDir, `iteration-${k}`);
}

/** The classifier saved by iteration `k`. */
export function iterationClassifierDir(runDir: string, k: number): string {
  return path.join(iterationDir(runDir, k), 'classifier');
}

/** The agreement partner saved by iteration `k`. */
export function iterationPartnerDir(runDir: string, k: number): string {
  return path.join(iterationDir(runDir, k), 'partner');
}

/** The classifier and partner directories saved by iteration `k`. */
export function iterationPairDirs(runDir: string, k: number): { classifier: string; partner: string } {
  return { classifier: iterationClassifierDir(runDir, k), partner: iterationPartnerDir(runDir, k) };
}

/**
 * Opens a run directory. A new (or empty) directory gets `run.json` and yields `undefined`. An existing run
 * needs `resume`; its `run.json` must match `info` (except `maxIterations`), leftovers of an interrupted
 * iteration (temporary entries, iteration directories past the last commit) are removed, and its committed
 * state is returned (`undefined` when it was killed during seed training).
 */
export async function openRunDirectory(dir: string, info: RunInfo, resume: boolean): Promise<RunState | undefined> {
  await fs.mkdir(dir, { recursive: true });
  const entries = await fs.readdir(dir);
  const runFile = path.join(dir, 'run.json');
  if (!entries.includes('run.json')) {
    const foreign = entries.filter((e) => !isLeftover(e));
    if (foreign.length > 0)
      throw new RunDirectoryError(dir, 'is not empty and holds no bootstrap run (no run.json); choose a new directory');
    await removeLeftovers(dir, entries, -1);
    await writeFileAtomic(runFile, JSON.stringify(info, null, 2) + '\n');
    return undefined;
  }
  if (!resume) throw new RunDirectoryError(dir, 'already holds a bootstrap run; resume it or choose another directory');
  const stored = readJson<RunInfo>(await fs.readFile(runFile, 'utf8'), runFile);
  if (stored.version !== RUN_FORMAT_VERSION) {
    throw new RunDirectoryError(
      dir,
      `run.json has layout version ${String(stored.version)}, this library reads ${RUN_FORMAT_VERSION}`,
    );
  }
  compareRunInfo(dir, stored, info);
  let state: RunState | undefined;
  if (entries.includes('state.json')) {
    const stateFile = path.join(dir, 'state.json');
    state = readJson<RunState>(await fs.readFile(stateFile, 'utf8'), stateFile);
    if (
      state.version !== RUN_FORMAT_VERSION ||
      !Array.isArray(state.moved) ||
      !Number.isInteger(state.completedIteration)
    ) {
      throw new RunDirectoryError(dir, 'state.json is not a bootstrap run state of this version');
    }
  }
  await removeLeftovers(dir, entries, state?.completedIteration ?? -1);
  // `maxIterations` may grow on resume; the stored options keep the latest value.
  await writeFileAtomic(runFile, JSON.stringify({ ...stored, options: info.options }, null, 2) + '\n');
  return state;
}

function isLeftover(entry: string): boolean {
  return parseTemporaryName(entry) !== undefined;
}

/** Removes temporary entries and iteration directories newer than the last committed iteration. */
async function removeLeftovers(dir: string, entries: string[], completed: number): Promise<void> {
  for (const entry of entries) {
    const m = /^iteration-(\d+)$/.exec(entry);
    if (isLeftover(entry) || (m !== null && Number(m[1]) > completed)) {
      await fs.rm(path.join(dir, entry), { recursive: true, force: true });
    }
  }
}

function readJson<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new RunDirectoryError(path.dirname(file), `${path.basename(file)} is not valid JSON`);
  }
}

function compareRunInfo(dir: string, stored: RunInfo, wanted: RunInfo): void {
  for (const part of ['seed', 'pool', 'dev', 'calibration'] as const) {
    const a = stored[part];
    const b = wanted[part];
    if (a?.fingerprint !== b?.fingerprint || a?.size !== b?.size) {
      throw new RunDirectoryError(
        dir,
        `the ${part} set differs from the one this run was started with (${a?.size ?? 0} vs ${b?.size ?? 0} items)`,
      );
    }
  }
  for (const key of Object.keys({ ...stored.options, ...wanted.options })) {
    if (key === 'maxIterations') continue;
    // An option missing from an older run.json was unset (null) there.
    const was = JSON.stringify(stored.options[key] ?? null);
    const is = JSON.stringify(wanted.options[key] ?? null);
    if (was !== is) {
      throw new RunDirectoryError(dir, `option ${key} is ${is} but the run was started with ${was}`);
    }
  }
}
