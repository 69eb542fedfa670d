import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorpusFormatError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { pairRecords } from './pairing';
import { scorePairs } from './report';
import { sharedContract } from '../../../test/shared-data';

const contract = sharedContract('.');
const readJsonl = (file: string): EmrRecord[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EmrRecord);

function record(id: string, spans: Array<[string, number, number]>, relations: EmrRecord['relations']): EmrRecord {
  return {
    id,
    text: '字'.repeat(40),
    entities: spans.map(([eid, start, end]) => ({ id: eid, type: 'T', start, end, text: '字'.repeat(end - start) })),
    relations,
  };
}

describe('pairRecords', () => {
  it('matches the contract files by record id and entity offsets (ids differ)', () => {
    const pairs = pairRecords(readJsonl(join(contract, 'gold.jsonl')), readJsonl(join(contract, 'pred.jsonl')));
    expect(pairs).toEqual([
      { recordId: 'p1', head: { start: 0, end: 3 }, tail: { start: 7, end: 11 }, gold: '药物治疗', pred: '药物治疗' },
      { recordId: 'p1', head: { start: 0, end: 3 }, tail: { start: 17, end: 20 }, gold: '并发症', pred: 'unknown' },
      { recordId: 'p2', head: { start: 0, end: 4 }, tail: { start: 6, end: 14 }, gold: '手术治疗', pred: '手术治疗' },
      { recordId: 'p2', head: { start: 6, end: 14 }, tail: { start: 0, end: 4 }, gold: 'unknown', pred: '手术治疗' },
    ]);
    const r = scorePairs(pairs);
    expect(r.micro.precision).toBeCloseTo(2 / 3, 12);
    expect(r.micro.recall).toBeCloseTo(2 / 3, 12);
    expect(r.micro.f1).toBeCloseTo(2 / 3, 12);
    expect(r.perClass['药物治疗'].f1).toBe(1);
    expect(r.perClass['手术治疗'].f1).toBeCloseTo(2 / 3, 12);
    expect(r.perClass['并发症'].f1).toBe(0);
    expect(r.macro.f1).toBeCloseTo((1 + 2 / 3 + 0) / 3, 12);
    expect(r.perClass.unknown).toBeUndefined();
  });

  it('keeps the highest-score relation when one file has several on the same offsets', () => {
    const gold = [
      record(
        'r',
        [
          ['g1', 0, 2],
          ['g2', 5, 7],
        ],
        [
          { head: 'g1', tail: 'g2', label: 'X' },
          { head: 'g1', tail: 'g2', label: 'Y' },
        ],
      ),
    ];
    const pred = [
      record(
        'r',
        [
          ['a', 0, 2],
          ['b', 5, 7],
          ['b2', 5, 7],
        ],
        [
          { head: 'a', tail: 'b', label: 'X', score: 0.3 },
          { head: 'a', tail: 'b2', label: 'Y', score: 0.8 },
          { head: 'a', tail: 'b', label: 'Z' },
        ],
      ),
    ];
    // gold: no scores → the first (X) wins; pred: Y has the highest score
    expect(pairRecords(gold, pred).map((p) => [p.gold, p.pred])).toEqual([['X', 'Y']]);
  });

  it('scores gold records missing from the predictions as FN and prediction-only records as FP', () => {
    const gold = [
      record(
        'g',
        [
          ['e0', 0, 1],
          ['e1', 2, 3],
        ],
        [{ head: 'e0', tail: 'e1', label: 'A' }],
      ),
    ];
    const pred = [
      record(
        'p',
        [
          ['e0', 0, 1],
          ['e1', 2, 3],
        ],
        [{ head: 'e1', tail: 'e0', label: 'B', score: 1 }],
      ),
    ];
    const pairs = pairRecords(gold, pred);
    expect(pairs.map((p) => [p.recordId, p.gold, p.pred])).toEqual([
      ['g', 'A', 'unknown'],
      ['p', 'unknown', 'B'],
    ]);
    const r = scorePairs(pairs);
    expect(r.perClass.A).toMatchObject({ tp: 0, fn: 1, fp: 0 });
    expect(r.perClass.B).toMatchObject({ tp: 0, fn: 0, fp: 1 });
  });

  it('treats relations labelled with the negative label as absent', () => {
    const gold = [
      record(
        'r',
        [
          ['e0', 0, 1],
          ['e1', 2, 3],
        ],
        [{ head: 'e0', tail: 'e1', label: 'unknown' }],
      ),
    ];
    const pred = [
      record(
        'r',
        [
          ['e0', 0, 1],
          ['e1', 2, 3],
        ],
        [{ head: 'e0', tail: 'e1', label: 'unknown', score: 0.9 }],
      ),
    ];
    expect(pairRecords(gold, pred)).toEqual([]);
    expect(pairRecords(gold, pred, { negativeLabel: 'NA' }).map((p) => [p.gold, p.pred])).toEqual([
      ['unknown', 'unknown'],
    ]);
  });

  it('names file, record and field when a relation points at a missing entity', () => {
    const bad = [record('r7', [['e0', 0, 1]], [{ head: 'e0', tail: 'e9', label: 'A' }])];
    expect(() => pairRecords([], bad, { predFile: 'pred.jsonl' })).toThrow(CorpusFormatError);
    expect(() => pairRecords([], bad, { predFile: 'pred.jsonl' })).toThrow(
      'pred.jsonl: record r7: field relations[0].tail: names an entity id the record does not have',
    );
  });

  it('rejects a record id that repeats within a file', () => {
    const r = record('dup', [], []);
    expect(() => pairRecords([r, r], [], { goldFile: 'gold.jsonl' })).toThrow(
      /^gold\.jsonl: record dup: field id: record id repeats \(record 2/,
    );
  });
});
