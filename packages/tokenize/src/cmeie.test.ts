import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { locateMentionPair, parseCmeieLine } from './cmeie';
import { corpusFromLines, openCorpus, readAllRecords } from './corpus';
import { loadSchemaSync } from './schema';
import { emptyReadStats } from './stats';
import { sharedData } from '../../../test/shared-data';

const CMEIE = sharedData('cmeie/train.jsonl');
const spo = (subject: string, subjectType: string, predicate: string, object: string, objectType: string) => ({
  Combined: false,
  predicate,
  subject,
  subject_type: subjectType,
  object: { '@value': object },
  object_type: { '@value': objectType },
});
// 糖0尿1病2@3糖4尿5病6患7者8可9用10二11甲12双13胍14。15糖16尿17病18常19伴20多21饮22。23
const diabetes = JSON.stringify({
  text: '糖尿病@糖尿病患者可用二甲双胍。糖尿病常伴多饮。',
  spo_list: [
    spo('糖尿病', '疾病', '药物治疗', '二甲双胍', '药物'),
    spo('糖尿病', '疾病', '临床表现', '多饮', '症状'),
    spo('糖尿病', '疾病', '并发症', '酮症酸中毒', '疾病'),
    spo('糖尿病', '疾病', '药物治疗', '二甲双胍', '药物'),
  ],
});

describe('locateMentionPair', () => {
  it('takes the closest pair in one sentence', () => {
    expect(locateMentionPair('糖尿病@糖尿病患者可用二甲双胍。糖尿病常伴多饮。', '糖尿病', '二甲双胍')).toEqual({
      subjectStart: 4,
      objectStart: 11,
    });
  });
  it('prefers the same sentence over a smaller distance across 。', () => {
    // 肺0癌1。2咳3嗽4多5见6于7晚8期9肺10癌11: the subject at 0 is 1 away but in another sentence
    expect(locateMentionPair('肺癌。咳嗽多见于晚期肺癌', '肺癌', '咳嗽')).toEqual({ subjectStart: 10, objectStart: 3 });
  });
  it('avoids a subject occurrence nested inside the object', () => {
    expect(locateMentionPair('小细胞肺癌是肺癌的一种', '肺癌', '小细胞肺癌')).toEqual({
      subjectStart: 6,
      objectStart: 0,
    });
  });
  it('gives undefined when a string is absent', () => {
    expect(locateMentionPair('咳嗽', '肺癌', '咳嗽')).toBeUndefined();
    expect(locateMentionPair('咳嗽', '', '咳嗽')).toBeUndefined();
  });
});

describe('parseCmeieLine', () => {
  it('locates mentions, dedupes entities, numbers them by offset and counts missing strings', () => {
    const stats = emptyReadStats();
    const record = parseCmeieLine(diabetes, { file: 'train.jsonl', line: 7 }, { stats });
    expect(record.id).toBe('cmeie-7');
    expect(record.entities).toEqual([
      { id: 'e0', type: '疾病', start: 4, end: 7, text: '糖尿病' },
      { id: 'e1', type: '药物', start: 11, end: 15, text: '二甲双胍' },
      { id: 'e2', type: '疾病', start: 16, end: 19, text: '糖尿病' },
      { id: 'e3', type: '症状', start: 21, end: 23, text: '多饮' },
    ]);
    expect(record.relations).toEqual([
      { head: 'e0', tail: 'e1', label: '药物治疗' },
      { head: 'e2', tail: 'e3', label: '临床表现' },
    ]);
    expect(stats.missingMentions).toBe(1);
  });

  it('maps onto the paper schema: swaps treatment labels, drops unmapped labels and types', () => {
    const stats = emptyReadStats();
    const line = JSON.stringify({
      text: '肺癌转移至肝，可见咳嗽，常与吸烟有关。',
      spo_list: [
        spo('肺癌', '疾病', '转移部位', '肝', '部位'),
        spo('肺癌', '疾病', '病因', '吸烟', '社会学'),
        spo('肺癌', '疾病', '临床表现', '咳嗽', '症状'),
      ],
    });
    const record = parseCmeieLine(line, { line: 1 }, { schema: loadSchemaSync('paper'), stats });
    expect(record.entities.map((e) => [e.id, e.type, e.text])).toEqual([
      ['e0', 'disease', '肺癌'],
      ['e1', 'position', '肝'],
      ['e2', 'symptom', '咳嗽'],
    ]);
    expect(record.relations).toEqual([{ head: 'e0', tail: 'e1', label: 'DAP' }]);
    expect(stats.droppedEntities).toBe(1);
    expect(stats.droppedRelations).toBe(2);
    const swapped = parseCmeieLine(diabetes, { line: 1 }, { schema: loadSchemaSync('paper') });
    expect(swapped.relations).toEqual([{ head: 'e1', tail: 'e0', label: 'TrAD' }]);
    expect(swapped.entities[1]).toEqual({ id: 'e1', type: 'treatment', start: 11, end: 15, text: '二甲双胍' });
  });

  it('names line and field of a malformed triple', () => {
    const bad = JSON.stringify({
      text: '咳嗽',
      spo_list: [
        spo('咳嗽', '症状', '同义词', '咳嗽', '症状'),
        { predicate: '同义词', subject: '咳嗽', subject_type: '症状', object: {}, object_type: '症状' },
      ],
    });
    expect(() => parseCmeieLine(bad, { file: 'train.jsonl', line: 3 })).toThrow(
      'train.jsonl:3: record cmeie-3: field spo_list[1].object.@value: is missing',
    );
    expect(() => parseCmeieLine('{"spo_list": []}', { file: 'train.jsonl', line: 4 })).toThrow(
      'train.jsonl:4: record cmeie-4: field text: is missing',
    );
  });
});

describe('CMeIE train.jsonl', () => {
  it('reads its first 20 lines (read through readline) with every mention at its offsets', async () => {
    const lines: string[] = [];
    const rl = readline.createInterface({
      input: fs.createReadStream(CMEIE, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    for await (const line of rl) {
      lines.push(line);
      if (lines.length === 20) break;
    }
    rl.close();
    const reader = corpusFromLines(lines, 'cmeie', { file: 'train.jsonl' });
    const records = await readAllRecords(reader);
    expect(records.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => `cmeie-${i + 1}`));
    // 55 triples in these lines, all strings present; relations are never more than triples.
    expect(reader.stats.missingMentions).toBe(0);
    const relations = records.reduce((n, r) => n + r.relations.length, 0);
    expect(relations).toBeGreaterThan(50);
    expect(relations).toBeLessThanOrEqual(55);
    for (const r of records) for (const e of r.entities) expect(r.text.slice(e.start, e.end)).toBe(e.text);
    const first = records[0];
    const reflux = first.entities.find((e) => e.text === '原发性膀胱输尿管反流');
    const hydronephrosis = first.entities.find((e) => e.text === '肾积水');
    expect([reflux?.start, hydronephrosis?.start]).toEqual([6, 68]);
    expect(first.relations).toContainEqual({ head: reflux?.id, tail: hydronephrosis?.id, label: '相关（导致）' });
  });

  it('reads the whole file without crashing on the 93 triples whose strings are absent', async () => {
    const reader = openCorpus(CMEIE, 'cmeie');
    const records = await readAllRecords(reader);
    expect(records).toHaveLength(3145);
    expect(reader.stats.missingMentions).toBe(93);
    expect(reader.stats.skipped).toBe(0);
  });
});
