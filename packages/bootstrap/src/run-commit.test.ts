import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeCandidate } from './__tests__/char-ngram-logreg';
import { RecordingClassifier } from './__tests__/recording-classifier';
import type { BootstrapIteration } from './iteration-record';
import { keyedPool } from './labelled-set';
import { addedJsonl, commitIteration, commitStop } from './run-commit';
import type { MovedItem } from './run-dir';
import { committedState } from './run-state';

const pool = keyedPool([makeCandidate('a', 'unknown', 'rec-1'), makeCandidate('bb', 'unknown', 'rec-2')]);
const added: MovedItem[] = [{ key: pool.keys[1], label: 'B', probability: 0.875, iteration: 1 }];
const record: BootstrapIteration = {
  iteration: 1,
  added: 1,
  poolLeft: 1,
  labelled: 5,
  addedByClass: { B: 1 },
  fit: { epochs: 1 },
};
const state = committedState({ completedIteration: 1, acceptedIteration: 1, moved: added, iterations: [record] });

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-run-commit-test-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('addedJsonl', () => {
  it('writes ids, spans, label and probability of each moved item, never its text', () => {
    const line = JSON.parse(addedJsonl(added, pool, ['unknown', 'A']));
    expect(line).toEqual({
      key: pool.keys[1],
      recordId: 'rec-2',
      head: { id: 'T1', type: '疾病', start: 0, end: 1 },
      tail: { id: 'T2', type: '药物', start: 3, end: 4 },
      label: 'B',
      probability: 0.875,
      gold: 'A',
    });
    expect(addedJsonl(added, pool)).not.toContain('gold');
    expect(addedJsonl(added, pool)).not.toContain('bb');
    expect(addedJsonl([], pool)).toBe('');
  });
});

describe('commitIteration', () => {
  it('writes iteration-K/ with added.jsonl, metrics.json and both classifiers, then state.json', async () => {
    const log: string[] = [];
    const pair = { classifier: new RecordingClassifier('c', log), partner: new RecordingClassifier('p', log) };
    await commitIteration(tmp, { record, added, pair, state, pool });
    const dir = path.join(tmp, 'iteration-1');
    expect(JSON.parse(await fs.readFile(path.join(dir, 'metrics.json'), 'utf8'))).toEqual(record);
    expect(await fs.readFile(path.join(dir, 'added.jsonl'), 'utf8')).toBe(addedJsonl(added, pool));
    expect(await fs.readFile(path.join(tmp, 'state.json'), 'utf8')).toBe(JSON.stringify(state) + '\n');
    // the classifiers were saved inside the temporary directory that became iteration-1/
    expect(log).toEqual(['c.save', 'p.save']);
    expect(pair.classifier.saved[0]).toMatch(/iteration-1.*tmp.*\/classifier$/);
    expect(pair.partner.saved[0]).toMatch(/\/partner$/);
  });
});

describe('commitStop', () => {
  it('adds the stop reason to state.json and saves the accepted classifier as model/', async () => {
    const classifier = new RecordingClassifier('c', []);
    await commitStop(tmp, state, 'pool-empty', classifier);
    const written = JSON.parse(await fs.readFile(path.join(tmp, 'state.json'), 'utf8'));
    expect(written).toEqual({ ...JSON.parse(JSON.stringify(state)), stopReason: 'pool-empty' });
    expect(classifier.saved).toEqual([path.join(tmp, 'model')]);
  });
});
