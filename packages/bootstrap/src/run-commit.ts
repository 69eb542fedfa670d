import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Candidate, RelationClassifier } from '@emr-re/tokenize';
import type { ClassifierPair } from './agreement';
import type { BootstrapIteration } from './iteration-record';
import type { KeyedPool } from './labelled-set';
import { iterationDir, MovedItem, writeDirAtomic, writeFileAtomic } from './run-dir';
import type { CommittedState, StopReason } from './run-state';

/** What an iteration leaves in the run directory. */
export interface IterationCommit {
  /** `metrics.json`. */
  record: BootstrapIteration;
  /** The items it moved (`added.jsonl`). */
  added: readonly MovedItem[];
  /** The pair it trained (`classifier/`, `partner/`). */
  pair: ClassifierPair;
  /** `state.json` after it. */
  state: CommittedState;
  /** The pool the moved items come from, and its hidden gold labels (written as `gold`) when known. */
  pool: KeyedPool;
  poolGold?: readonly string[];
}

/**
 * Writes `iteration-K/` (added.jsonl, metrics.json, classifier/, partner/ with agreement) atomically, then
 * `state.json`: the commit point, so a run killed before it resumes from the iteration before.
 */
export async function commitIteration(runDir: string, commit: IterationCommit): Promise<void> {
  const { record, pair } = commit;
  await writeDirAtomic(iterationDir(runDir, record.iteration), async (tmp) => {
    await fs.writeFile(path.join(tmp, 'added.jsonl'), addedJsonl(commit.added, commit.pool, commit.poolGold), 'utf8');
    await fs.writeFile(path.join(tmp, 'metrics.json'), JSON.stringify(record, null, 2) + '\n', 'utf8');
    await pair.classifier.save(path.join(tmp, 'classifier'));
    if (pair.partner !== undefined) await pair.partner.save(path.join(tmp, 'partner'));
  });
  await writeFileAtomic(path.join(runDir, 'state.json'), JSON.stringify(commit.state) + '\n');
}

/**
 * Ends a run that stopped (not aborted): `state.json` with the stop reason, and the accepted classifier in
 * `model/`, where `emr-re evaluate --model RUN/model` finds it (`save` is atomic by contract).
 */
export async function commitStop(
  runDir: string,
  state: CommittedState,
  stopReason: StopReason,
  classifier: RelationClassifier,
): Promise<void> {
  await writeFileAtomic(path.join(runDir, 'state.json'), JSON.stringify({ ...state, stopReason }) + '\n');
  await classifier.save(path.join(runDir, 'model'));
}

/**
 * `added.jsonl`: one line per moved item with its key, record id, head and tail spans, label and probability
 * (and `gold` with the pool's gold labels). Record ids and offsets only: the run directory must not copy patient
 * text.
 */
export function addedJsonl(added: readonly MovedItem[], pool: KeyedPool, poolGold?: readonly string[]): string {
  const span = (e: Candidate['head']): object => ({ id: e.id, type: e.type, start: e.start, end: e.end });
  return added
    .map((m) => {
      const i = pool.indexOfKey.get(m.key) as number;
      const c = pool.items[i];
      const line: Record<string, unknown> = {
        key: m.key,
        recordId: c.recordId,
        head: span(c.head),
        tail: span(c.tail),
        label: m.label,
        probability: m.probability,
      };
      if (poolGold !== undefined) line.gold = poolGold[i];
      return JSON.stringify(line) + '\n';
    })
    .join('');
}
