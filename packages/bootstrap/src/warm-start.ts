import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RelationClassifier } from '@emr-re/tokenize';
import type { ClassifierPair } from './agreement';
import { iterationClassifierDir, iterationPartnerDir } from './run-dir';

/**
 * Where a warm start finds the accepted pair's weights: the run directory, which already holds them, or
 * without one a scratch directory they are saved to first.
 */
export type WarmStartSource = { runDir: string } | { scratchDir: string };

/** The source for a run with (or without) a run directory; makes the scratch directory when needed. */
export async function openWarmStart(runDir: string | undefined): Promise<WarmStartSource> {
  if (runDir !== undefined) return { runDir };
  return { scratchDir: await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-bootstrap-')) };
}

/** Removes the scratch directory, if the source has one. */
export async function closeWarmStart(source: WarmStartSource): Promise<void> {
  if ('scratchDir' in source) await fs.rm(source.scratchDir, { recursive: true, force: true });
}

/**
 * Loads the new pair `into` with the weights of the pair accepted in iteration `accepted` (`from`): the
 * classifier from its `classifier/`, the partner from its `partner/`.
 */
export async function warmStartPair(
  into: ClassifierPair,
  from: ClassifierPair,
  source: WarmStartSource,
  accepted: number,
): Promise<void> {
  await warmStartFrom(into.classifier, from.classifier, source, accepted, 'classifier');
  if (into.partner !== undefined) {
    await warmStartFrom(into.partner, from.partner as RelationClassifier, source, accepted, 'partner');
  }
}

async function warmStartFrom(
  into: RelationClassifier,
  from: RelationClassifier,
  source: WarmStartSource,
  accepted: number,
  which: 'classifier' | 'partner',
): Promise<void> {
  if ('runDir' in source) {
    const dirOf = which === 'classifier' ? iterationClassifierDir : iterationPartnerDir;
    await into.load(dirOf(source.runDir, accepted));
    return;
  }
  const dir = path.join(source.scratchDir, `iteration-${accepted}-${which}`);
  await from.save(dir);
  await into.load(dir);
}
