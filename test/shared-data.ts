import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root (this file sits in `<root>/test/`). */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/**
 * The shared data directory the tests read small slices of: `$EMR_RE_DATA` when set, else `../shared/data` beside
 * the repository root. A missing directory fails with one line saying where it was looked for.
 */
export function sharedDataDir(): string {
  const dir = process.env.EMR_RE_DATA ?? path.resolve(REPOSITORY_ROOT, '..', 'shared', 'data');
  if (!existsSync(dir)) {
    throw new Error(`test data not found at ${dir}: put shared/ beside the repository or set EMR_RE_DATA`);
  }
  return dir;
}

/** A path inside the shared data directory, e.g. `sharedData('cmeie/train.jsonl')`. */
export function sharedData(relative: string): string {
  return path.join(sharedDataDir(), relative);
}

/** A file of the shared contract checks (`../shared/contract` beside the repository), e.g. `gold.jsonl`. */
export function sharedContract(relative: string): string {
  const dir = path.resolve(REPOSITORY_ROOT, '..', 'shared', 'contract');
  if (!existsSync(dir)) throw new Error(`contract files not found at ${dir}: put shared/ beside the repository`);
  return path.join(dir, relative);
}
