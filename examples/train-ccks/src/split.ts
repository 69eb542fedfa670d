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

/** The two sides of a CCKS 2017 split by record number. */
export interface RecordNumberSplit<T> {
  train: T[];
  test: T[];
  /** Record numbers on each side. */
  numbers: { train: number[]; test: number[] };
}

/**
 * The number N of a CCKS 2017 section id (`ccks2017-<folder>-<folder>-N`): the four sections of one EMR
 * (一般项目, 病史特点, 诊疗经过, 出院情况) share it. Undefined when the id does not end in `-N`.
 */
export function ccksRecordNumber(id: string): number | undefined {
  const m = /-(\d+)$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/**
 * Splits CCKS 2017 sections by record number, so that no EMR has sections on both sides: the distinct numbers are
 * shuffled with a seeded Fisher–Yates and the first `round(test × count)` go to `test`. Items keep their input
 * order on each side.
 * @throws RangeError when an id has no record number (a programming mistake: the ids come from the ccks2017 reader).
 */
export function splitByRecordNumber<T extends { id: string }>(
  items: readonly T[],
  test: number,
  seed: number,
): RecordNumberSplit<T> {
  const numberOf = (item: T): number => {
    const n = ccksRecordNumber(item.id);
    if (n === undefined) throw new RangeError(`splitByRecordNumber: id without a record number: ${item.id}`);
    return n;
  };
  const numbers = [...new Set(items.map(numberOf))].sort((a, b) => a - b);
  const random = seededRandom(seed);
  for (let i = numbers.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [numbers[i], numbers[j]] = [numbers[j], numbers[i]];
  }
  const nTest = Math.round(numbers.length * test);
  const testSet = new Set(numbers.slice(0, nTest));
  const sorted = (ns: number[]): number[] => [...ns].sort((a, b) => a - b);
  return {
    train: items.filter((item) => !testSet.has(numberOf(item))),
    test: items.filter((item) => testSet.has(numberOf(item))),
    numbers: { train: sorted(numbers.slice(nTest)), test: sorted(numbers.slice(0, nTest)) },
  };
}
