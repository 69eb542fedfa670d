import { seededRandom, splitItems } from './split';

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
