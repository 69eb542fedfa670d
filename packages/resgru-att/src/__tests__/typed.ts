import { SeededRandom } from '@emr-re/tokenize';
import type { EmrRecord, Schema } from '@emr-re/tokenize';

/**
 * The schema of a task only entity types decide: two head types A and B share the same mentions and contexts; A → C is r1 and
 * B → C is r2, and the schema allows both labels for both pairs (so its type-pair restriction cannot decide).
 */
export const TYPED_SCHEMA: Schema = {
  version: 1,
  name: 'typed-toy',
  entityTypes: ['A', 'B', 'C'],
  pairs: [
    { head: 'A', tail: 'C', labels: ['r1', 'r2'] },
    { head: 'B', tail: 'C', labels: ['r1', 'r2'] },
  ],
};

/** `n` records of the typed task from `seed`: half with head type A (label r1), half B (label r2). */
export function typedRecords(n: number, seed: number): EmrRecord[] {
  const rng = new SeededRandom(seed);
  const FILL = '的了是在有和人这中大为上个我以要他时来用们生到作地于出就分对成会';
  const MENTIONS = ['甲乙', '丙丁', '戊己'];
  const fill = (k: number) => Array.from({ length: k }, () => FILL[rng.int(FILL.length)]).join('');
  return Array.from({ length: n }, (_, r) => {
    const a = rng.next() < 0.5;
    const head = MENTIONS[rng.int(MENTIONS.length)];
    const tail = MENTIONS[rng.int(MENTIONS.length)];
    const pre = fill(1 + rng.int(4));
    const mid = fill(2 + rng.int(5));
    const text = pre + head + mid + tail + fill(1 + rng.int(3)) + '。';
    const hs = pre.length;
    const ts = hs + head.length + mid.length;
    return {
      id: `typed-${seed}-${r}`,
      text,
      entities: [
        { id: 'h', type: a ? 'A' : 'B', start: hs, end: hs + head.length, text: head },
        { id: 't', type: 'C', start: ts, end: ts + tail.length, text: tail },
      ],
      relations: [{ head: 'h', tail: 't', label: a ? 'r1' : 'r2' }],
    };
  });
}
