import type { Candidate } from '@emr-re/tokenize';
import { uniqueCandidateKeys } from './keys';
import type { MovedItem } from './run-dir';
import type { TopPrediction } from './top-predictions';

/**
 * The pool U with the keys that name its items in `state.json`. L is the seed set plus the moved pool items in
 * the order they moved; U is the rest of the pool, in pool order.
 */
export interface KeyedPool {
  items: readonly Candidate[];
  /** `uniqueCandidateKeys(items)`. */
  keys: readonly string[];
  indexOfKey: ReadonlyMap<string, number>;
}

/** Keys every pool item. */
export function keyedPool(items: readonly Candidate[]): KeyedPool {
  const keys = uniqueCandidateKeys(items);
  return { items, keys, indexOfKey: new Map(keys.map((k, i) => [k, i])) };
}

/** L: the seed set, then each moved pool item with its moved (predicted) label. */
export function labelledSet(seed: readonly Candidate[], pool: KeyedPool, moved: readonly MovedItem[]): Candidate[] {
  return [...seed, ...moved.map((m) => ({ ...pool.items[pool.indexOfKey.get(m.key) as number], label: m.label }))];
}

/** U: the pool positions of the items not moved, in pool order. */
export function unlabelledIndices(pool: KeyedPool, moved: readonly MovedItem[]): number[] {
  const movedIndices = new Set(moved.map((m) => pool.indexOfKey.get(m.key)));
  return pool.items.map((_, i) => i).filter((i) => !movedIndices.has(i));
}

/**
 * The items chosen in iteration `iteration`: `chosen` indexes `unlabelled` (pool positions) and `top` (their
 * predictions); each moves with its predicted label and probability.
 */
export function movedItems(
  pool: KeyedPool,
  unlabelled: readonly number[],
  chosen: readonly number[],
  top: readonly TopPrediction[],
  iteration: number,
): MovedItem[] {
  return chosen.map((c) => ({
    key: pool.keys[unlabelled[c]],
    label: top[c].label,
    probability: top[c].probability,
    iteration,
  }));
}

/** The first moved item whose key names no pool item (a resume with another pool), if any. */
export function keyMissingFromPool(pool: KeyedPool, moved: readonly MovedItem[]): string | undefined {
  return moved.find((m) => !pool.indexOfKey.has(m.key))?.key;
}

/** The hidden gold labels (`poolGold`, in pool order) of moved items; undefined without them. */
export function goldLabelsOf(
  pool: KeyedPool,
  items: readonly MovedItem[],
  poolGold: readonly string[] | undefined,
): string[] | undefined {
  return poolGold === undefined ? undefined : items.map((m) => poolGold[pool.indexOfKey.get(m.key) as number]);
}
