import { CorpusFormatError, UsageError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { scoreTriples, tripleMetricsToJSON, tripleMetricsToMarkdown } from './triples';
import type { TripleMatch } from './triples';

const close = (actual: number, expected: number): void => expect(actual).toBeCloseTo(expected, 12);

type Ent = [id: string, type: string, start: number, text: string];

/** A record from `[id, type, start, text]` entities (end = start + text length) and `[head, label, tail]` relations. */
function record(id: string, entities: Ent[], relations: Array<[string, string, string]>): EmrRecord {
  return {
    id,
    text: '字'.repeat(30),
    entities: entities.map(([eid, type, start, text]) => ({ id: eid, type, start, end: start + text.length, text })),
    relations: relations.map(([head, label, tail]) => ({ head, tail, label })),
  };
}

const gold = [
  record(
    'r1',
    [
      ['e0', '疾病', 0, '高血压'],
      ['e1', '药物', 7, '硝苯地平'],
      ['e2', '症状', 12, '头痛'],
    ],
    [
      ['e0', '药物治疗', 'e1'],
      ['e0', '临床表现', 'e2'],
    ],
  ),
  // missing from the predictions
  record(
    'r2',
    [
      ['x', '疾病', 0, '糖尿病'],
      ['y', '疾病', 4, '肾病'],
    ],
    [['x', '并发症', 'y']],
  ),
  // the same string twice: two triples by offsets, one by text
  record(
    'r4',
    [
      ['h1', '疾病', 0, '高血压'],
      ['s', '症状', 5, '头晕'],
      ['h2', '疾病', 10, '高血压'],
    ],
    [
      ['h1', '临床表现', 's'],
      ['h2', '临床表现', 's'],
    ],
  ),
];
const pred = [
  record(
    'r1',
    [
      ['a', '疾病', 0, '高血压'],
      ['b', '药物', 7, '硝苯地平'],
      ['c', '疾病', 12, '头痛'], // right span, wrong type
    ],
    [
      ['a', '药物治疗', 'b'], // correct
      ['a', '药物治疗', 'b'], // the same triple again: collapses
      ['b', '药物治疗', 'a'], // reversed: wrong in both matchings
      ['a', '临床表现', 'c'], // tail type wrong: wrong by offsets, right by text
      ['a', 'unknown', 'b'], // never counts
    ],
  ),
  // missing from the gold file
  record(
    'r3',
    [
      ['x', '疾病', 0, '糖尿病'],
      ['y', '疾病', 4, '肾病'],
    ],
    [['x', '并发症', 'y']],
  ),
  record(
    'r4',
    [
      ['p', '疾病', 0, '高血压'],
      ['q', '症状', 5, '头晕'],
    ],
    [['p', '临床表现', 'q']],
  ),
];

describe('scoreTriples', () => {
  it("match: 'offsets' needs the same label and the same head and tail spans and types", () => {
    const r = scoreTriples(gold, pred, { match: 'offsets' });
    expect(r.match).toBe('offsets');
    expect(Object.keys(r.perClass)).toEqual(['临床表现', '并发症', '药物治疗']);
    // 药物治疗: gold 1 (r1); predicted 2 (r1 a→b once after collapsing, b→a); TP 1 → P 1/2, R 1, F1 2/3
    expect(r.perClass['药物治疗']).toEqual({
      precision: 0.5,
      recall: 1,
      f1: 2 / 3,
      support: 1,
      predicted: 2,
      tp: 1,
      fp: 1,
      fn: 0,
    });
    // 临床表现: gold 3 (r1 1, r4 2); predicted 2 (r1 a→c with a 疾病 tail, r4 [0,3)→[5,7)); TP 1 (r4)
    //   P 1/2, R 1/3, F1 = 2·(1/2)(1/3) / (1/2 + 1/3) = (1/3) / (5/6) = 2/5
    expect(r.perClass['临床表现']).toMatchObject({ support: 3, predicted: 2, tp: 1, fp: 1, fn: 2 });
    close(r.perClass['临床表现'].f1, 2 / 5);
    // 并发症: gold r2 only, predicted r3 only
    expect(r.perClass['并发症']).toEqual({
      precision: 0,
      recall: 0,
      f1: 0,
      support: 1,
      predicted: 1,
      tp: 0,
      fp: 1,
      fn: 1,
    });
    // micro: TP 1+1+0 = 2, predicted 2+2+1 = 5, gold 1+3+1 = 5 → 2/5 each
    expect(r.support).toBe(5);
    close(r.micro.precision, 2 / 5);
    close(r.micro.recall, 2 / 5);
    close(r.micro.f1, 2 / 5);
  });

  it("match: 'text' compares per-record sets of (subject, predicate, object) strings, as CBLUE does for CMeIE", () => {
    const r = scoreTriples(gold, pred, { match: 'text' });
    expect(r.match).toBe('text');
    // 药物治疗: gold {(高血压, 硝苯地平)}; predicted {(高血压, 硝苯地平), (硝苯地平, 高血压)}; TP 1
    expect(r.perClass['药物治疗']).toMatchObject({ support: 1, predicted: 2, tp: 1, fp: 1, fn: 0 });
    // 临床表现: r1 (高血压, 头痛) matches whatever the tail's type; r4's two gold triples collapse into
    //   (高血压, 头晕), which the one prediction matches → gold 2, predicted 2, TP 2
    expect(r.perClass['临床表现']).toEqual({
      precision: 1,
      recall: 1,
      f1: 1,
      support: 2,
      predicted: 2,
      tp: 2,
      fp: 0,
      fn: 0,
    });
    // 并发症: same strings, but in different records (r2 gold, r3 predicted)
    expect(r.perClass['并发症']).toMatchObject({ support: 1, predicted: 1, tp: 0 });
    // micro: TP 1+2+0 = 3, predicted 2+2+1 = 5, gold 1+2+1 = 4 → P 3/5, R 3/4, F1 = 2·3 / (5 + 4) = 2/3
    expect(r.support).toBe(4);
    close(r.micro.precision, 3 / 5);
    close(r.micro.recall, 3 / 4);
    close(r.micro.f1, 2 / 3);
  });

  it("defaults to match: 'offsets'", () => {
    expect(scoreTriples(gold, pred)).toEqual(scoreTriples(gold, pred, { match: 'offsets' }));
  });

  it('collapses repeated gold triples by offsets too', () => {
    const g = record(
      'r',
      [
        ['a', 'T', 0, '甲'],
        ['b', 'T', 2, '乙'],
      ],
      [
        ['a', 'R', 'b'],
        ['a', 'R', 'b'],
      ],
    );
    // gold {a→b}, predicted {a→b}: TP 1 of 1
    expect(scoreTriples([g], [g]).perClass.R).toMatchObject({ support: 1, predicted: 1, tp: 1, f1: 1 });
  });

  it('gives zeros when a denominator is 0, as the relation metrics do', () => {
    const onlyUnknown = record(
      'r',
      [
        ['a', 'T', 0, '甲'],
        ['b', 'T', 2, '乙'],
      ],
      [['a', 'unknown', 'b']],
    );
    for (const match of ['offsets', 'text'] as TripleMatch[]) {
      for (const [g, p] of [
        [[], []],
        [[onlyUnknown], [onlyUnknown]],
      ]) {
        const r = scoreTriples(g, p, { match });
        expect(r).toEqual({ micro: { precision: 0, recall: 0, f1: 0 }, perClass: {}, support: 0, match });
      }
    }
    // gold only: P = 0/0 → 0, R = 0/1; predictions only: P = 0/1, R = 0/0 → 0
    expect(scoreTriples(gold, []).micro).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(scoreTriples([], pred).micro).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('reports the listed labels first, even absent ones, but never the negative label', () => {
    const r = scoreTriples(gold, pred, { labels: ['药物治疗', 'unknown', '检查结果'] });
    expect(Object.keys(r.perClass)).toEqual(['药物治疗', '检查结果', '临床表现', '并发症']);
    expect(r.perClass['检查结果']).toMatchObject({ support: 0, predicted: 0, tp: 0, f1: 0 });
  });

  it('rejects an unknown matching, a repeated record id and a relation on a missing entity', () => {
    expect(() => scoreTriples([], [], { match: 'spans' as TripleMatch })).toThrow(UsageError);
    expect(() => scoreTriples([], [], { match: 'spans' as TripleMatch })).toThrow(
      'match must be one of offsets, text, got "spans"',
    );
    expect(() => scoreTriples([gold[0], gold[0]], [], { goldFile: 'gold.jsonl' })).toThrow(
      /^gold\.jsonl: record r1: field id: record id repeats/,
    );
    const bad = record('r9', [['a', 'T', 0, '甲']], [['a', 'R', 'zz']]);
    expect(() => scoreTriples([], [bad], { predFile: 'pred.jsonl' })).toThrow(CorpusFormatError);
    expect(() => scoreTriples([], [bad], { predFile: 'pred.jsonl' })).toThrow(
      'pred.jsonl: record r9: field relations[0].tail: names an entity id the record does not have',
    );
  });
});

describe('tripleMetricsToJSON', () => {
  it('has the shape {micro, perClass, support, match} with unrounded fractions and no aliasing', () => {
    const report = scoreTriples(gold, pred, { match: 'text' });
    const json = JSON.parse(JSON.stringify(tripleMetricsToJSON(report)));
    expect(Object.keys(json)).toEqual(['micro', 'perClass', 'support', 'match']);
    expect(json.micro).toEqual({ precision: 3 / 5, recall: 3 / 4, f1: report.micro.f1 });
    expect(Object.keys(json.perClass['药物治疗'])).toEqual([
      'precision',
      'recall',
      'f1',
      'support',
      'predicted',
      'tp',
      'fp',
      'fn',
    ]);
    expect(json.support).toBe(4);
    expect(json.match).toBe('text');

    const copy = tripleMetricsToJSON(report);
    copy.perClass['药物治疗'].tp = 99;
    expect(report.perClass['药物治疗'].tp).toBe(1);
  });
});

describe('tripleMetricsToMarkdown', () => {
  it('renders per-label rows and a micro row naming the matching', () => {
    expect(tripleMetricsToMarkdown(scoreTriples(gold, pred, { match: 'text' }))).toBe(
      [
        '| Relation | P (%) | R (%) | F1 (%) | Support | Predicted | TP | FP | FN |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| 临床表现 | 100.00 | 100.00 | 100.00 | 2 | 2 | 2 | 0 | 0 |',
        '| 并发症 | 0.00 | 0.00 | 0.00 | 1 | 1 | 0 | 1 | 1 |',
        '| 药物治疗 | 50.00 | 100.00 | 66.67 | 1 | 2 | 1 | 1 | 0 |',
        '| **micro** (text) | 60.00 | 75.00 | 66.67 | 4 | 5 | 3 | 2 | 1 |',
        '',
      ].join('\n'),
    );
  });
});
