import type { Assertion } from '@emr-re/tokenize';

/**
 * The value a piece of evidence takes when its head and tail disagree, first wins: a relation holds for the
 * patient now only when both of its entities do, so any value that is not `present` wins. The order is that of
 * `ASSERTION_PRIORITY` of @emr-re/ner (which value wins when several triggers reach one entity); kept here too
 * because the graph does not depend on the recogniser.
 */
export const ASSERTION_PRECEDENCE: readonly Assertion[] = ['absent', 'family', 'possible', 'historical', 'present'];

/** The order in which per-value counts are listed (that of `ASSERTION_VALUES` of @emr-re/tokenize). */
export const ASSERTION_ORDER: readonly Assertion[] = ['present', 'absent', 'possible', 'historical', 'family'];

/** Counts per assertion value; a value that never occurs is left out. */
export type AssertionCounts = Partial<Record<Assertion, number>>;

/**
 * The assertion of a piece of evidence from those of its head and tail mentions (either may be unknown): the one
 * first in `ASSERTION_PRECEDENCE`, or undefined when neither mention has one.
 */
export function evidenceAssertion(head?: Assertion, tail?: Assertion): Assertion | undefined {
  if (head === undefined) return tail;
  if (tail === undefined) return head;
  return ASSERTION_PRECEDENCE.indexOf(head) <= ASSERTION_PRECEDENCE.indexOf(tail) ? head : tail;
}

/** Adds one to `value`'s count, returning a new object with its keys in `ASSERTION_ORDER`. */
export function addAssertion(counts: AssertionCounts | undefined, value: Assertion): AssertionCounts {
  const out: AssertionCounts = {};
  for (const v of ASSERTION_ORDER) {
    const n = (counts?.[v] ?? 0) + (v === value ? 1 : 0);
    if (n > 0) out[v] = n;
  }
  return out;
}
