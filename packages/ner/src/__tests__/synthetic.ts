/**
 * A small learnable NER task for tests: records of filler characters with diseases (D), symptoms (S) and drugs (M)
 * from short lists, each mention usually after a cue (患 before D, 见 before S, 服 before M). Entity and filler
 * characters are disjoint, so a model that learns the lists and the cues tags the mentions exactly.
 */
import { SeededRandom } from '@emr-re/tokenize';
import type { EmrRecord, Entity } from '@emr-re/tokenize';

/** The toy entity types in the order a schema would list them. */
export const TOY_TYPES = ['D', 'S', 'M'];

const FILLER =
  '的了是在有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行';
const MENTIONS: Record<string, readonly string[]> = {
  D: ['糖尿病', '肺炎', '胃癌', '肝炎', '高血压'],
  S: ['头痛', '发热', '咳嗽', '乏力', '呕吐'],
  M: ['胰岛素', '阿司匹林', '青霉素', '二甲双胍'],
};
const CUES: Record<string, string> = { D: '患', S: '见', M: '服' };

/** `n` toy records from `seed`, each with `mentions` (default 3) entity mentions in one to three sentences. */
export function syntheticNerRecords(n: number, seed: number, mentions = 3): EmrRecord[] {
  const rng = new SeededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const filler = (min: number, max: number): string => {
    let s = '';
    const len = min + rng.int(max - min + 1);
    for (let i = 0; i < len; i++) s += FILLER[rng.int(FILLER.length)];
    return s;
  };
  const records: EmrRecord[] = [];
  for (let r = 0; r < n; r++) {
    let text = filler(0, 4);
    const entities: Entity[] = [];
    for (let m = 0; m < mentions; m++) {
      const type = pick(TOY_TYPES);
      if (rng.next() < 0.8) text += CUES[type];
      const mention = pick(MENTIONS[type]);
      entities.push({ id: `e${m}`, type, start: text.length, end: text.length + mention.length, text: mention });
      text += mention + filler(1, 5);
      if (rng.next() < 0.4) text += '。';
    }
    text += '。';
    records.push({ id: `toy-${seed}-${r}`, text, entities, relations: [] });
  }
  return records;
}
