import { CorpusFormatError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { entityMetricsToJSON, entityMetricsToMarkdown, scoreEntities } from './entities';

const close = (actual: number, expected: number): void => expect(actual).toBeCloseTo(expected, 12);

/** A record whose entities are `[type, start, end]`; the text is filler (entity scoring ignores it). */
function record(id: string, spans: Array<[string, number, number]>): EmrRecord {
  return {
    id,
    text: '字'.repeat(30),
    entities: spans.map(([type, start, end], i) => ({ id: `T${i}`, type, start, end, text: '字'.repeat(end - start) })),
    relations: [],
  };
}

// r1: exact 疾病 (+ a repeated prediction of it), right span wrong type (药物 [5,9) predicted 症状),
//     a partial 症状, an exact 检查. r2: partial and exact 疾病 spans, one prediction overlapping two gold ones.
//     r3 is missing from the predictions; r4 from the gold file.
const gold = [
  record('r1', [
    ['疾病', 0, 3],
    ['药物', 5, 9],
    ['症状', 10, 12],
    ['检查', 14, 16],
  ]),
  record('r2', [
    ['疾病', 0, 4],
    ['疾病', 6, 8],
    ['疾病', 8, 10],
  ]),
  record('r3', [['药物', 0, 2]]),
];
const pred = [
  record('r1', [
    ['疾病', 0, 3], // strict TP
    ['疾病', 0, 3], // the same mention again: strict FP, relaxed FP (its gold is taken)
    ['症状', 5, 9], // span of gold 药物, wrong type: strict FP 症状 (+ FN 药物); relaxed: no 症状 gold overlaps [5,9)
    ['症状', 11, 14], // overlaps gold 症状 [10,12) on [11,12): strict FP, relaxed match
    ['检查', 14, 16], // strict TP
  ]),
  record('r2', [
    ['疾病', 1, 4], // inside gold [0,4): relaxed match
    ['疾病', 5, 9], // overlaps gold [6,8) by 2 and [8,10) by 1
    ['疾病', 6, 8], // strict TP on [6,8), matched first, so [5,9) falls back to [8,10)
    ['疾病', 20, 22], // overlaps nothing
  ]),
  record('r4', [
    ['药物', 0, 2], // no gold record: FP
    ['手术', 3, 5], // FP of a type that has no gold entity
  ]),
];

describe('scoreEntities', () => {
  const report = scoreEntities(gold, pred);

  it('counts strict matches per type, in code-point order', () => {
    expect(Object.keys(report.perType)).toEqual(['手术', '检查', '疾病', '症状', '药物']);
    // 疾病: gold 4 (r1 1, r2 3); predicted 6 (r1 2, r2 4); TP 2 (r1 [0,3), r2 [6,8)) → FP 4, FN 2
    //   P = 2/6 = 1/3, R = 2/4 = 1/2, F1 = 2·(1/3)(1/2) / (1/3 + 1/2) = (1/3) / (5/6) = 2/5
    expect(report.perType['疾病']).toEqual({
      precision: 1 / 3,
      recall: 0.5,
      f1: expect.closeTo(0.4, 12),
      support: 4,
      tp: 2,
      fp: 4,
      fn: 2,
    });
    // 药物: gold r1 [5,9) (predicted as 症状) and r3 [0,2) (record missing); predicted r4 [0,2) (no gold record)
    expect(report.perType['药物']).toEqual({ precision: 0, recall: 0, f1: 0, support: 2, tp: 0, fp: 1, fn: 2 });
    // 症状: gold [10,12); predicted [5,9) and [11,14), neither exact
    expect(report.perType['症状']).toEqual({ precision: 0, recall: 0, f1: 0, support: 1, tp: 0, fp: 2, fn: 1 });
    expect(report.perType['检查']).toEqual({ precision: 1, recall: 1, f1: 1, support: 1, tp: 1, fp: 0, fn: 0 });
    expect(report.perType['手术']).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, tp: 0, fp: 1, fn: 0 });
    expect(report.support).toBe(8);
  });

  it('pools strict counts for micro and averages types with gold support for macro', () => {
    // micro: TP 2+0+0+1+0 = 3, predicted 6+1+2+1+1 = 11, gold 8 → P 3/11, R 3/8, F1 = 2·3 / (11 + 8) = 6/19
    close(report.micro.precision, 3 / 11);
    close(report.micro.recall, 3 / 8);
    close(report.micro.f1, 6 / 19);
    // macro over 疾病, 药物, 症状, 检查 (手术 has no gold entity):
    //   P (1/3 + 0 + 0 + 1) / 4 = 1/3, R (1/2 + 0 + 0 + 1) / 4 = 3/8, F1 (2/5 + 0 + 0 + 1) / 4 = 7/20
    close(report.macro.precision, 1 / 3);
    close(report.macro.recall, 3 / 8);
    close(report.macro.f1, 7 / 20);
  });

  it('matches overlapping spans of the same type one-to-one for relaxed, exact spans first', () => {
    // r1: 疾病 [0,3) exact (its repeat finds the gold taken); 症状 [11,14)~[10,12); 检查 exact;
    //     症状 [5,9) overlaps no 症状 gold (the 药物 on the same span does not count)   → 3
    // r2: exact [6,8) first; then [1,4)→[0,4) and [5,9)→[8,10) (its larger overlap, [6,8), is taken);
    //     [20,22) nothing                                                               → 3
    // TP 6, predicted 11, gold 8 → P 6/11, R 6/8, F1 = 2·6 / (11 + 8) = 12/19, FP 5, FN 2
    expect(report.relaxed).toEqual({
      precision: 6 / 11,
      recall: 0.75,
      f1: expect.closeTo(12 / 19, 12),
      support: 8,
      tp: 6,
      fp: 5,
      fn: 2,
    });
  });

  it('takes the gold entity with the largest overlap and does not count touching spans', () => {
    const r = scoreEntities(
      [
        record('x', [
          ['T', 0, 4],
          ['T', 4, 10],
        ]),
      ],
      [
        record('x', [
          ['T', 2, 8], // overlaps [0,4) by 2 and [4,10) by 4 → takes [4,10)
          ['T', 10, 12], // touches [4,10) at its end: no shared character
        ]),
      ],
    );
    // relaxed TP 1 of 2 predicted, 2 gold → P 1/2, R 1/2; [0,4) stays unmatched
    expect(r.relaxed).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(r.micro).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('misses an entity with the right span and the wrong type, strictly and relaxed', () => {
    const r = scoreEntities([record('x', [['疾病', 0, 3]])], [record('x', [['症状', 0, 3]])]);
    expect(r.perType['疾病']).toMatchObject({ tp: 0, fp: 0, fn: 1, support: 1 });
    expect(r.perType['症状']).toMatchObject({ tp: 0, fp: 1, fn: 0, support: 0 });
    expect(r.micro).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(r.relaxed).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    // macro over 疾病 only
    expect(r.macro).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('gives zeros when a denominator is 0, as the relation metrics do', () => {
    const zero = { precision: 0, recall: 0, f1: 0 };
    for (const [g, p] of [
      [[], []],
      [[record('a', [])], [record('a', [])]],
    ]) {
      const r = scoreEntities(g, p);
      expect(r.micro).toEqual(zero);
      expect(r.macro).toEqual(zero);
      expect(r.relaxed).toEqual({ ...zero, support: 0, tp: 0, fp: 0, fn: 0 });
      expect(r.perType).toEqual({});
      expect(r.support).toBe(0);
    }
    // no predictions: P has denominator 0 → 0; R = 0/1
    expect(scoreEntities([record('a', [['T', 0, 1]])], []).micro).toEqual(zero);
    // no gold: R has denominator 0 → 0; P = 0/1
    expect(scoreEntities([], [record('a', [['T', 0, 1]])]).micro).toEqual(zero);
  });

  it('reports the listed types first, even absent ones', () => {
    const r = scoreEntities([record('a', [['疾病', 0, 1]])], [record('a', [['疾病', 0, 1]])], {
      types: ['药物', '疾病'],
    });
    expect(Object.keys(r.perType)).toEqual(['药物', '疾病']);
    expect(r.perType['药物']).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, tp: 0, fp: 0, fn: 0 });
    expect(r.macro.f1).toBe(1);
  });

  it('rejects a record id that repeats within a file', () => {
    const r = record('dup', []);
    expect(() => scoreEntities([], [r, r], { predFile: 'pred.jsonl' })).toThrow(CorpusFormatError);
    expect(() => scoreEntities([], [r, r], { predFile: 'pred.jsonl' })).toThrow(
      /^pred\.jsonl: record dup: field id: record id repeats/,
    );
  });
});

describe('entityMetricsToJSON', () => {
  it('has the CLI contract shape with unrounded fractions and no aliasing', () => {
    const report = scoreEntities(gold, pred);
    const json = JSON.parse(JSON.stringify(entityMetricsToJSON(report)));
    expect(Object.keys(json)).toEqual(['micro', 'macro', 'perType', 'relaxed']);
    expect(Object.keys(json.micro)).toEqual(['precision', 'recall', 'f1']);
    expect(Object.keys(json.macro)).toEqual(['precision', 'recall', 'f1']);
    expect(json.relaxed).toEqual({ precision: 6 / 11, recall: 0.75, f1: report.relaxed.f1 });
    expect(Object.keys(json.perType)).toEqual(['手术', '检查', '疾病', '症状', '药物']);
    expect(Object.keys(json.perType['疾病'])).toEqual(['precision', 'recall', 'f1', 'support', 'tp', 'fp', 'fn']);
    expect(json.micro.precision).toBe(3 / 11);

    const copy = entityMetricsToJSON(report);
    copy.perType['疾病'].tp = 99;
    copy.micro.f1 = 99;
    expect(report.perType['疾病'].tp).toBe(2);
    expect(report.micro.f1).not.toBe(99);
  });
});

describe('entityMetricsToMarkdown', () => {
  it('renders per-type rows, then micro, macro and relaxed', () => {
    const r = scoreEntities(
      [
        record('a', [
          ['A|B', 0, 2],
          ['C', 3, 5],
        ]),
      ],
      [
        record('a', [
          ['A|B', 0, 2],
          ['C', 4, 6],
        ]),
      ],
    );
    // A|B: TP 1; C: FP 1 FN 1 (relaxed match). micro 1/2, 1/2, 1/2; macro (1 + 0) / 2; relaxed TP 2 → 1, 1, 1
    expect(entityMetricsToMarkdown(r, { digits: 1 })).toBe(
      [
        '| Type | P (%) | R (%) | F1 (%) | Support | TP | FP | FN |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| A\\|B | 100.0 | 100.0 | 100.0 | 1 | 1 | 0 | 0 |',
        '| C | 0.0 | 0.0 | 0.0 | 1 | 0 | 1 | 1 |',
        '| **micro** | 50.0 | 50.0 | 50.0 | 2 | 1 | 1 | 1 |',
        '| **macro** | 50.0 | 50.0 | 50.0 |  |  |  |  |',
        '| **relaxed** | 100.0 | 100.0 | 100.0 | 2 | 2 | 0 | 0 |',
        '',
      ].join('\n'),
    );
  });
});
