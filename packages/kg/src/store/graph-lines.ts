import type { EmrRecord } from '@emr-re/tokenize';
import { GraphIndex, tallyLines } from './plan';
import { compareLines } from './line-file';
import type { ModelStamp } from './types';

/**
 * The sorted N-Triples lines that a fresh store holds after adding `records` (`openGraph(dir).add(records,
 * { model })`), computed without a store: what `emr-re export-kg --to turtle` writes.
 */
export function graphLines(records: Iterable<EmrRecord>, options: { model?: ModelStamp } = {}): string[] {
  const index = new GraphIndex();
  const delta = index.plan(records, options.model);
  const lines = [...delta.lines];
  for (const [iri, tally] of index.allTallies()) lines.push(...tallyLines(iri, tally));
  return lines.sort(compareLines);
}
