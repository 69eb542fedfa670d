import { MetricsAccumulator, prfFromCounts, scorePairs } from './report';

const close = (actual: number, expected: number): void => expect(actual).toBeCloseTo(expected, 12);

describe('scorePairs', () => {
  // Hand-computed: A tp2 fp0 fn2; B (no gold) fp2; C tp1; D (no gold) fp1.
  const pairs = [
    { gold: 'A', pred: 'A' },
    { gold: 'A', pred: 'A' },
    { gold: 'A', pred: 'B' },
    { gold: 'A', pred: 'unknown' },
    { gold: 'unknown', pred: 'B' },
    { gold: 'C', pred: 'C' },
    { gold: 'unknown', pred: 'unknown' },
    { gold: 'unknown', pred: 'D' },
  ];

  it('counts TP/FP/FN per class and excludes unknown', () => {
    const r = scorePairs(pairs);
    expect(Object.keys(r.perClass)).toEqual(['A', 'B', 'C', 'D']);
    expect(r.perClass.A).toEqual({
      precision: 1,
      recall: 0.5,
      f1: 2 / 3,
      support: 4,
      predicted: 2,
      tp: 2,
      fp: 0,
      fn: 2,
    });
    expect(r.perClass.B).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 2, tp: 0, fp: 2, fn: 0 });
    expect(r.perClass.C).toEqual({ precision: 1, recall: 1, f1: 1, support: 1, predicted: 1, tp: 1, fp: 0, fn: 0 });
    expect(r.perClass.D).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 1, tp: 0, fp: 1, fn: 0 });
    expect(r.support).toBe(5);
  });

  it('micro pools counts; macro averages only classes with gold support', () => {
    const r = scorePairs(pairs);
    // micro: tp 3, fp 3, fn 2
    close(r.micro.precision, 0.5);
    close(r.micro.recall, 0.6);
    close(r.micro.f1, 6 / 11);
    // macro over A and C only (B, D have no gold pairs)
    close(r.macro.precision, 1);
    close(r.macro.recall, 0.75);
    close(r.macro.f1, 5 / 6);
  });

  it('builds the confusion matrix with unknown last, rows gold and columns predicted', () => {
    const r = scorePairs(pairs);
    expect(r.confusion.labels).toEqual(['A', 'B', 'C', 'D', 'unknown']);
    expect(r.confusion.matrix).toEqual([
      [2, 1, 0, 0, 1],
      [0, 0, 0, 0, 0],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 1, 0, 1, 1],
    ]);
  });

  it('gives zeros on empty input and on negatives only', () => {
    for (const input of [[], [{ gold: 'unknown', pred: 'unknown' }]]) {
      const r = scorePairs(input);
      expect(r.micro).toEqual({ precision: 0, recall: 0, f1: 0 });
      expect(r.macro).toEqual({ precision: 0, recall: 0, f1: 0 });
      expect(r.perClass).toEqual({});
      expect(r.support).toBe(0);
      expect(r.confusion.labels).toEqual(['unknown']);
    }
    expect(scorePairs([]).confusion.matrix).toEqual([[0]]);
  });

  it('gives a class with gold but no predictions zero P/R/F1 and keeps it in macro', () => {
    const r = scorePairs([
      { gold: 'X', pred: 'X' },
      { gold: 'Y', pred: 'unknown' },
    ]);
    expect(r.perClass.Y).toEqual({ precision: 0, recall: 0, f1: 0, support: 1, predicted: 0, tp: 0, fp: 0, fn: 1 });
    close(r.macro.f1, 0.5);
    close(r.micro.precision, 1);
    close(r.micro.recall, 0.5);
    close(r.micro.f1, 2 / 3);
  });

  it('reports listed labels first, in order, even when absent, without counting them in macro', () => {
    const r = scorePairs(
      [
        { gold: 'A', pred: 'A' },
        { gold: 'B', pred: 'A' },
      ],
      { labels: ['Z', 'B', 'unknown'] },
    );
    expect(Object.keys(r.perClass)).toEqual(['Z', 'B', 'A']);
    expect(r.perClass.Z.support).toBe(0);
    expect(r.confusion.labels).toEqual(['Z', 'B', 'A', 'unknown']);
    // A: P 1/2 R 1 F1 2/3; B: 0 → macro F1 over A, B = 1/3
    close(r.macro.f1, 1 / 3);
  });

  it('honours a custom negative label', () => {
    const r = scorePairs(
      [
        { gold: 'NA', pred: 'A' },
        { gold: 'A', pred: 'A' },
        { gold: 'unknown', pred: 'NA' },
      ],
      { negativeLabel: 'NA' },
    );
    expect(Object.keys(r.perClass)).toEqual(['A', 'unknown']);
    expect(r.perClass.A).toMatchObject({ tp: 1, fp: 1, fn: 0 });
    expect(r.confusion.labels).toEqual(['A', 'unknown', 'NA']);
  });
});

describe('MetricsAccumulator', () => {
  it('streams to the same report as scorePairs and can report mid-stream', () => {
    const acc = new MetricsAccumulator();
    acc.add('A', 'A');
    expect(acc.report().micro.f1).toBe(1);
    acc.add('A', 'unknown');
    acc.add('unknown', 'B');
    expect(acc.report()).toEqual(
      scorePairs([
        { gold: 'A', pred: 'A' },
        { gold: 'A', pred: 'unknown' },
        { gold: 'unknown', pred: 'B' },
      ]),
    );
  });
});

describe('prfFromCounts', () => {
  it('is zero where a denominator is zero', () => {
    expect(prfFromCounts(0, 0, 0)).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(prfFromCounts(0, 3, 0)).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(prfFromCounts(3, 1, 2)).toEqual({ precision: 0.75, recall: 0.6, f1: (2 * 0.75 * 0.6) / 1.35 });
  });
});
