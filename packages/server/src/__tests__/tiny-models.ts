/*
 * Tiny NER and relation models trained in a few seconds on a learnable toy corpus (diseases treated with drugs and
 * showing symptoms, in two sentence templates, under the CMeIE schema), saved to a directory and loaded back as the
 * service loads them.
 */
import * as path from 'node:path';
import { loadNer, trainNer } from '@emr-re/ner';
import type { NerConfig } from '@emr-re/ner';
import { loadModel, selectBackend, train } from '@emr-re/resgru-att';
import type { ModelConfig } from '@emr-re/resgru-att';
import { SeededRandom, loadSchema } from '@emr-re/tokenize';
import type { EmrRecord, Entity, Relation } from '@emr-re/tokenize';
import { describeModels } from '../model-info';
import type { ServedModels } from '../options';

const DISEASES = ['糖尿病', '高血压', '肺炎', '胃溃疡', '哮喘'];
const DRUGS = ['二甲双胍', '胰岛素', '阿莫西林', '奥美拉唑', '沙丁胺醇'];
const SYMPTOMS = ['口渴', '头痛', '咳嗽', '腹痛', '气喘'];

/** `n` toy records: "<disease>患者可用<drug>治疗，常见<symptom>。" and a variant, with entities and relations. */
export function toyRecords(n: number, seed: number): EmrRecord[] {
  const rng = new SeededRandom(seed);
  const pick = (xs: string[]): string => xs[rng.int(xs.length)];
  const out: EmrRecord[] = [];
  for (let i = 0; i < n; i++) {
    const [d, m, s] = [pick(DISEASES), pick(DRUGS), pick(SYMPTOMS)];
    const parts: Array<[string, string?]> =
      rng.next() < 0.5
        ? [[d, '疾病'], ['患者可用'], [m, '药物'], ['治疗，常见'], [s, '症状'], ['。']]
        : [['常见'], [s, '症状'], ['的'], [d, '疾病'], ['，予'], [m, '药物'], ['口服。']];
    let text = '';
    const entities: Entity[] = [];
    for (const [piece, type] of parts) {
      if (type)
        entities.push({
          id: `e${entities.length}`,
          type,
          start: text.length,
          end: text.length + piece.length,
          text: piece,
        });
      text += piece;
    }
    const id = (type: string): string => entities.find((e) => e.type === type)!.id;
    const relations: Relation[] = [
      { head: id('疾病'), tail: id('药物'), label: '药物治疗' },
      { head: id('疾病'), tail: id('症状'), label: '临床表现' },
    ];
    out.push({ id: `toy-${seed}-${i}`, text, entities, relations });
  }
  return out;
}

const NER_CONFIG = {
  arch: 'bigru-crf',
  maxLength: 40,
  overlap: 8,
  charDim: 16,
  rnn: { units: 16, layers: 1 },
  batchSize: 16,
  learningRate: 0.02,
  epochs: 5,
  seed: 1,
} as NerConfig;

const RE_CONFIG = {
  arch: 'cnn',
  maxLength: 40,
  charDim: 16,
  positionDim: 4,
  maxDistance: 40,
  cnn: { filters: 16, windows: [3], blocks: 1 },
  batchSize: 16,
  learningRate: 0.01,
  epochs: 4,
  seed: 1,
} as ModelConfig;

/** Trains both toy models, saves them under `dir` (`ner/`, `re/`) and loads them as the service would. */
export async function tinyModels(
  dir: string,
): Promise<{ models: ServedModels; dirs: { ner: string; relations: string } }> {
  await selectBackend();
  const schema = await loadSchema('cmeie');
  const records = toyRecords(100, 1);
  const dirs = { ner: path.join(dir, 'ner'), relations: path.join(dir, 're') };
  const nerModel = await trainNer(records, NER_CONFIG, { schema });
  await nerModel.save(dirs.ner);
  nerModel.dispose();
  const reModel = await train(records, RE_CONFIG, { schema });
  await reModel.save(dirs.relations);
  reModel.dispose();
  const ner = await loadNer(dirs.ner);
  const relations = await loadModel(dirs.relations);
  return { models: { ner, relations, info: await describeModels(dirs, { ner, relations }) }, dirs };
}
