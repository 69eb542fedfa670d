/**
 * A small learnable relation task for tests: each record has a disease D, a symptom S and a drug M; the
 * pair D→S is 症状 exactly when the cue 见 stands right before S, and D→M is 药物 exactly when 治 stands
 * right before M. Everything else is filler characters, so a model must use the cue and the positions.
 */
import { SeededRandom, UNKNOWN_LABEL } from '@emr-re/tokenize';
import type { EmrRecord, Entity, Relation, Schema } from '@emr-re/tokenize';

/** The toy schema: D→S (症状) and D→M (药物). */
export const TOY_SCHEMA: Schema = {
  version: 1,
  name: 'toy',
  entityTypes: ['D', 'S', 'M'],
  pairs: [
    { head: 'D', tail: 'S', labels: ['症状'] },
    { head: 'D', tail: 'M', labels: ['药物'] },
  ],
};

const FILLER =
  '的了是在有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民';
const DISEASES = ['糖尿病', '肺炎', '胃癌', '肝炎'];
const SYMPTOMS = ['头痛', '发热', '咳嗽', '乏力'];
const DRUGS = ['胰岛素', '阿司匹林', '青霉素'];

/** `n` toy records from `seed`; about half of the pairs carry a relation. */
export function syntheticRecords(n: number, seed: number): EmrRecord[] {
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
    let text = filler(1, 6);
    const entities: Entity[] = [];
    const relations: Relation[] = [];
    const add = (id: string, type: string, mention: string): void => {
      entities.push({ id, type, start: text.length, end: text.length + mention.length, text: mention });
      text += mention;
    };
    add('d', 'D', pick(DISEASES));
    text += filler(2, 8);
    const symptom = rng.next() < 0.5;
    text += symptom ? '见' : FILLER[rng.int(FILLER.length)];
    add('s', 'S', pick(SYMPTOMS));
    text += filler(2, 8);
    const drug = rng.next() < 0.5;
    text += drug ? '治' : FILLER[rng.int(FILLER.length)];
    add('m', 'M', pick(DRUGS));
    text += filler(1, 5) + '。';
    if (symptom) relations.push({ head: 'd', tail: 's', label: '症状' });
    if (drug) relations.push({ head: 'd', tail: 'm', label: '药物' });
    records.push({ id: `toy-${seed}-${r}`, text, entities, relations });
  }
  return records;
}

/** Labels of the toy schema in model order. */
export const TOY_LABELS = [UNKNOWN_LABEL, '症状', '药物'];
