import { ccksRecordNumber, seededRandom, splitByRecordNumber, splitItems } from './split';

describe('splitItems', () => {
  it('is a seeded partition: disjoint, complete, sized by the fractions, and repeatable', () => {
    const items = Array.from({ length: 103 }, (_, i) => i);
    const a = splitItems(items, { dev: 0.1, test: 0.2 }, 7);
    expect([a.train.length, a.dev.length, a.test.length]).toEqual([73, 10, 20]);
    expect([...a.train, ...a.dev, ...a.test].sort((x, y) => x - y)).toEqual(items);
    expect(splitItems(items, { dev: 0.1, test: 0.2 }, 7)).toEqual(a);
    expect(splitItems(items, { dev: 0.1, test: 0.2 }, 8).test).not.toEqual(a.test);
  });

  it('draws uniform numbers in [0, 1)', () => {
    const random = seededRandom(1);
    const xs = Array.from({ length: 10000 }, random);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});

describe('splitByRecordNumber', () => {
  const folders = ['一般项目', '病史特点', '诊疗经过', '出院情况'];
  const sections = folders.flatMap((f) =>
    Array.from({ length: 10 }, (_, i) => ({ id: `ccks2017-${f}-${f}-${i + 1}` })),
  );

  it('keeps the four sections of a record on one side, 80/20 by record number, seeded', () => {
    const a = splitByRecordNumber(sections, 0.2, 3);
    expect(a.numbers.test).toHaveLength(2);
    expect(a.numbers.train).toHaveLength(8);
    expect(a.test).toHaveLength(8);
    expect(a.train).toHaveLength(32);
    for (const n of a.numbers.test) {
      expect(a.test.filter((s) => ccksRecordNumber(s.id) === n)).toHaveLength(4);
      expect(a.train.some((s) => ccksRecordNumber(s.id) === n)).toBe(false);
    }
    expect([...a.numbers.train, ...a.numbers.test].sort((x, y) => x - y)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(splitByRecordNumber(sections, 0.2, 3)).toEqual(a);
    const others = [4, 5, 6, 7].map((seed) => splitByRecordNumber(sections, 0.2, seed).numbers.test.join());
    expect(others.some((t) => t !== a.numbers.test.join())).toBe(true);
  });

  it('reads the record number at the end of an id and rejects an id without one', () => {
    expect(ccksRecordNumber('ccks2017-出院情况-出院情况-117')).toBe(117);
    expect(ccksRecordNumber('line-3x')).toBeUndefined();
    expect(() => splitByRecordNumber([{ id: 'no-number-here' }], 0.2, 1)).toThrow(/no-number-here/);
  });
});
