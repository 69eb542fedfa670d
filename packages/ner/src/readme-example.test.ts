/** The README's opening example, run as written (save path aside), so it cannot rot. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { EmrRecord } from '@emr-re/tokenize';
import { loadNer, nerConfigFor, trainNer } from '.';

/** A record whose mentions are marked `[type:mention]`; the offsets are counted for you. */
function marked(id: string, source: string): EmrRecord {
  const record: EmrRecord = { id, text: '', entities: [], relations: [] };
  for (const part of source.split(/(\[[^\]]+\])/)) {
    const m = /^\[(.+):(.+)\]$/.exec(part);
    if (!m) {
      record.text += part;
      continue;
    }
    const start = record.text.length;
    record.text += m[2];
    record.entities.push({ id: `e${record.entities.length}`, type: m[1], start, end: record.text.length, text: m[2] });
  }
  return record;
}

it('the README example trains, recognises, saves and loads', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-ner-readme-'));
  const records = [
    marked('r1', '患者有[疾病:糖尿病]史十年，近日[症状:头痛]，予[药物:胰岛素]治疗。'),
    marked('r2', '既往[疾病:高血压]，无[症状:发热]，口服[药物:阿司匹林]。'),
    marked('r3', '因[症状:咳嗽]三天入院，诊断为[疾病:肺炎]，给予[药物:青霉素]。'),
    marked('r4', '[疾病:糖尿病]控制可，偶有[症状:乏力]，继续[药物:胰岛素]。'),
    marked('r5', '[症状:发热]伴[症状:咳嗽]，考虑[疾病:肺炎]。'),
    marked('r6', '长期服用[药物:阿司匹林]，否认[疾病:高血压]。'),
  ];
  const model = await trainNer(records, nerConfigFor('bigru-crf', 'small', { epochs: 40, batchSize: 6 }));
  const [record] = await model.recognize(['患者有高血压史，近日咳嗽，予青霉素治疗。']);
  expect(record.entities.map((e) => [e.type, e.start, e.end, e.text])).toEqual([
    ['疾病', 3, 6, '高血压'],
    ['症状', 10, 12, '咳嗽'],
    ['药物', 14, 17, '青霉素'],
  ]);
  expect(Math.min(...record.entities.map((e) => e.score as number))).toBeGreaterThan(0.9);
  await model.save(path.join(dir, 'ner'));
  model.dispose();

  const before = tf.memory().numTensors;
  const ner = await loadNer(path.join(dir, 'ner'));
  const [again] = await ner.recognize([{ id: 'visit-2', text: '诊断为糖尿病，无头痛。' }]);
  expect(again.entities.map((e) => e.text)).toEqual(['糖尿病', '头痛']);
  ner.dispose();
  expect(tf.memory().numTensors).toBe(before);
  await fs.rm(dir, { recursive: true, force: true });
});
