import { makeCandidate } from './__tests__/char-ngram-logreg';
import {
  goldLabelsOf,
  keyedPool,
  keyMissingFromPool,
  labelledSet,
  movedItems,
  unlabelledIndices,
} from './labelled-set';
import type { MovedItem } from './run-dir';

const twin = makeCandidate('x', 'unknown', 'twin');
const items = [makeCandidate('a', 'unknown', 'p0'), twin, makeCandidate('b', 'unknown', 'p2'), { ...twin }];
const pool = keyedPool(items);
const seed = [makeCandidate('s', 'A', 's0')];
const item = (i: number, label: string, probability = 0.9): MovedItem => ({
  key: pool.keys[i],
  label,
  probability,
  iteration: 1,
});

describe('keyedPool', () => {
  it('keys every item uniquely, a repeat with ~2', () => {
    expect(pool.keys[3]).toBe(`${pool.keys[1]}~2`);
    expect(pool.keys.map((k) => pool.indexOfKey.get(k))).toEqual([0, 1, 2, 3]);
  });
});

describe('L and U', () => {
  const moved = [item(2, 'B'), item(3, 'A')];
  it('L is the seed set then the moved items, in the order they moved, with their moved labels', () => {
    const l = labelledSet(seed, pool, moved);
    expect(l.map((c) => [c.recordId, c.label])).toEqual([
      ['s0', 'A'],
      ['p2', 'B'],
      ['twin', 'A'],
    ]);
    expect(items[2].label).toBe('unknown'); // the pool itself is untouched
  });
  it('U is the rest of the pool in pool order; a repeated item counts on its own', () => {
    expect(unlabelledIndices(pool, moved)).toEqual([0, 1]);
    expect(unlabelledIndices(pool, [])).toEqual([0, 1, 2, 3]);
  });
});

describe('movedItems', () => {
  it('maps chosen prediction indices through U to pool keys, with label, probability and iteration', () => {
    const unlabelled = [0, 2, 3];
    const top = [
      { label: 'A', probability: 0.8 },
      { label: 'B', probability: 0.95 },
      { label: 'unknown', probability: 0.9 },
    ];
    expect(movedItems(pool, unlabelled, [1, 2], top, 4)).toEqual([
      { key: pool.keys[2], label: 'B', probability: 0.95, iteration: 4 },
      { key: pool.keys[3], label: 'unknown', probability: 0.9, iteration: 4 },
    ]);
  });
});

describe('keys and gold labels of moved items', () => {
  it('finds a moved key the pool lacks', () => {
    expect(keyMissingFromPool(pool, [item(0, 'A')])).toBeUndefined();
    expect(keyMissingFromPool(pool, [item(0, 'A'), { ...item(1, 'A'), key: 'gone#0-1:x>1-2:y' }])).toBe(
      'gone#0-1:x>1-2:y',
    );
  });
  it('reads the gold labels of moved items by key, none without gold', () => {
    const gold = ['A', 'B', 'unknown', 'B'];
    expect(goldLabelsOf(pool, [item(3, 'A'), item(0, 'A')], gold)).toEqual(['B', 'A']);
    expect(goldLabelsOf(pool, [item(3, 'A')], undefined)).toBeUndefined();
  });
});
