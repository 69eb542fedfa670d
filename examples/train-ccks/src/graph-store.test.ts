import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openGraph } from '@emr-re/kg';
import type { EmrRecord, Entity } from '@emr-re/tokenize';
import { fillGraphStore } from './graph-store';

/** A made-up EMR sentence with paper-schema entities, located by their text. */
function record(
  id: string,
  text: string,
  entities: Array<[string, string]>,
  relations: Array<[number, number, string]>,
): EmrRecord {
  const made: Entity[] = entities.map(([mention, type], i) => {
    const start = text.indexOf(mention);
    if (start < 0) throw new Error(`${mention} not in ${id}`);
    return { id: `e${i}`, type, start, end: start + mention.length, text: mention };
  });
  return {
    id,
    text,
    entities: made,
    relations: relations.map(([h, t, label]) => ({ head: `e${h}`, tail: `e${t}`, label, score: 0.9 })),
  };
}

const RECORDS: EmrRecord[] = [
  record(
    'r1',
    '高血压病史，头痛，血压测量示升高，左肾区叩痛，予硝苯地平治疗高血压。',
    [
      ['高血压', 'disease'],
      ['头痛', 'symptom'],
      ['血压测量', 'test'],
      ['左肾区', 'position'],
      ['硝苯地平', 'treatment'],
    ],
    [
      [2, 0, 'TeRD'],
      [0, 3, 'DAP'],
      [4, 0, 'TrAD'],
    ],
  ),
  record(
    'r2',
    '高血压，头痛，头晕，血压测量偏高。',
    [
      ['高血压', 'disease'],
      ['头痛', 'symptom'],
      ['头晕', 'symptom'],
      ['血压测量', 'test'],
    ],
    [[3, 0, 'TeRD']],
  ),
  record(
    'r3',
    '糖尿病，口渴。',
    [
      ['糖尿病', 'disease'],
      ['口渴', 'symptom'],
    ],
    [],
  ),
];

describe('fillGraphStore on a real store directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-ccks-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fills the store and answers the top entities and the named questions with evidence counts', async () => {
    const store = path.join(dir, 'store');
    const summary = await fillGraphStore(store, RECORDS, { model: { id: 'test-model' }, diseases: 1, topPerType: 2 });
    expect(summary).toMatchObject({ entities: 8, edges: 3, evidence: 4, records: 3 });
    expect(summary.bytes).toBe(fs.statSync(path.join(store, 'graph.nq')).size);
    expect(summary.topEntities).toEqual([
      {
        type: 'disease',
        entities: [
          { name: '高血压', mentions: 2 },
          { name: '糖尿病', mentions: 1 },
        ],
      },
      { type: 'position', entities: [{ name: '左肾区', mentions: 1 }] },
      {
        type: 'symptom',
        entities: [
          { name: '头痛', mentions: 2 },
          { name: '口渴', mentions: 1 },
        ],
      },
      { type: 'test', entities: [{ name: '血压测量', mentions: 2 }] },
      { type: 'treatment', entities: [{ name: '硝苯地平', mentions: 1 }] },
    ]);
    const asked = Object.fromEntries(summary.questions.map((q) => [`${q.query} ${q.argument}`, q]));
    expect(Object.keys(asked)).toEqual([
      'symptoms-of 高血压',
      'tests-for 高血压',
      'body-parts-of 高血压',
      'drugs-for 高血压',
    ]);
    expect(asked['symptoms-of 高血压'].top).toEqual([
      { name: '头痛', relation: 'co-occurrence', evidence: 2 },
      { name: '头晕', relation: 'co-occurrence', evidence: 1 },
    ]);
    expect(asked['tests-for 高血压'].top).toEqual([{ name: '血压测量', relation: 'TeRD', evidence: 2, maxScore: 0.9 }]);
    expect(asked['body-parts-of 高血压'].top).toEqual([
      { name: '左肾区', relation: 'DAP', evidence: 1, maxScore: 0.9 },
    ]);
    expect(asked['drugs-for 高血压'].top).toEqual([{ name: '硝苯地平', relation: 'TrAD', evidence: 1, maxScore: 0.9 }]);

    // The store on disk is what a user opens with `emr-re kg`: the same counts.
    const kg = await openGraph(store);
    try {
      expect(await kg.stats()).toMatchObject({ entities: 8, edges: 3, evidence: 4, records: 3 });
    } finally {
      await kg.close();
    }
  });

  it('starts from an empty store each time, so a re-run holds only its own predictions, byte for byte', async () => {
    const store = path.join(dir, 'store');
    await fillGraphStore(store, RECORDS, { model: { id: 'test-model' } });
    const once = fs.readFileSync(path.join(store, 'graph.nq'));
    await fillGraphStore(store, RECORDS.slice(2), { model: { id: 'test-model' } });
    expect((await fillGraphStore(store, RECORDS, { model: { id: 'test-model' } })).records).toBe(3);
    expect(fs.readFileSync(path.join(store, 'graph.nq')).equals(once)).toBe(true);
  });
});
