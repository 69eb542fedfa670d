// The one seeded generator (mulberry32): the same seed gives the same split on every machine.
import { seededRandom } from '@emr-re/tokenize';

export { seededRandom };

/** Train/dev/test parts of a list. */
export interface Split<T> {
  train: T[];
  dev: T[];
  test: T[];
}

/**
 * Shuffles `items` with a seeded Fisher–Yates and cuts it into train / dev / test by the given fractions
 * (dev and test rounded down, train takes the rest).
 */
export function splitItems<T>(items: readonly T[], fractions: { dev: number; test: number }, seed: number): Split<T> {
  const order = items.map((_, i) => i);
  const random = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.floor(items.length * fractions.test);
  const nDev = Math.floor(items.length * fractions.dev);
  const pick = (from: number, to: number) => order.slice(from, to).map((i) => items[i]);
  return { test: pick(0, nTest), dev: pick(nTest, nTest + nDev), train: pick(nTest + nDev, items.length) };
}
