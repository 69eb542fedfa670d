import { SeededRandom } from '@emr-re/tokenize';
import type { EmrRecord, Entity } from '@emr-re/tokenize';

const DISEASES = ['糖尿病', '高血压', '肺炎', '胃溃疡', '哮喘'];
const DRUGS = ['二甲双胍', '胰岛素', '阿莫西林', '奥美拉唑', '沙丁胺醇'];
const SYMPTOMS = ['口渴', '头痛', '咳嗽', '腹痛', '气喘'];

/**
 * `n` learnable toy records under the CMeIE schema, ids `toy-<seed>-<i>`: "<disease>患者可用<drug>治疗，常见<symptom>。"
 * with the disease → drug 药物治疗 and disease → symptom 临床表现 relations. With `variants`, half of them (drawn from
 * the same generator) read "常见<symptom>的<disease>，予<drug>口服。" instead. The tests of the CLI, the queue and the
 * server train tiny recognisers and relation models on them in seconds.
 */
export function toyRecords(n: number, seed: number, options: { variants?: boolean } = {}): EmrRecord[] {
  const rng = new SeededRandom(seed);
  const pick = (xs: string[]): string => xs[rng.int(xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const [d, m, s] = [pick(DISEASES), pick(DRUGS), pick(SYMPTOMS)];
    const parts: Array<[string, string?]> =
      !options.variants || rng.next() < 0.5
        ? [[d, '疾病'], ['患者可用'], [m, '药物'], ['治疗，常见'], [s, '症状'], ['。']]
        : [['常见'], [s, '症状'], ['的'], [d, '疾病'], ['，予'], [m, '药物'], ['口服。']];
    let text = '';
    const entities: Entity[] = [];
    for (const [piece, type] of parts) {
      if (type) {
        entities.push({
          id: `e${entities.length}`,
          type,
          start: text.length,
          end: text.length + piece.length,
          text: piece,
        });
      }
      text += piece;
    }
    const id = (type: string): string => entities.find((e) => e.type === type)!.id;
    return {
      id: `toy-${seed}-${i}`,
      text,
      entities,
      relations: [
        { head: id('疾病'), tail: id('药物'), label: '药物治疗' },
        { head: id('疾病'), tail: id('症状'), label: '临床表现' },
      ],
    };
  });
}
