import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCcks2017Record } from './ccks2017';
import { openCorpus, readAllRecords } from './corpus';
import { CorpusFormatError, RecordFormatError } from './errors';
import { loadSchemaSync } from './schema';
import { emptyReadStats } from './stats';
import { sharedData } from '../../../test/shared-data';

const CCKS = sharedData('ccks2017-cner');
// 右0髋1部2疼3痛4\r5\n6肿7胀8
const TEXT = '右髋部疼痛\r\n肿胀';
const loc = { file: '一般项目-1.txt', recordId: 'ccks2017-一般项目-一般项目-1' };

describe('parseCcks2017Record', () => {
  it('reads inclusive ends, keeps CRLF in the text, sorts, dedupes and numbers entities', () => {
    const entities =
      '肿胀\t7\t8\t症状和体征\r\n右髋部\t0\t2\t身体部位\r\n疼痛\t3\t4\t症状和体征\r\n疼痛\t3\t4\t症状和体征\r\n\r\n';
    const record = parseCcks2017Record(TEXT, entities, loc);
    expect(record).toEqual({
      id: 'ccks2017-一般项目-一般项目-1',
      text: TEXT,
      entities: [
        { id: 'e0', type: '身体部位', start: 0, end: 3, text: '右髋部' },
        { id: 'e1', type: '症状和体征', start: 3, end: 5, text: '疼痛' },
        { id: 'e2', type: '症状和体征', start: 7, end: 9, text: '肿胀' },
      ],
      relations: [],
    });
  });

  it('maps types onto the paper schema and drops types it lacks', () => {
    const stats = emptyReadStats();
    const record = parseCcks2017Record(TEXT, '右髋部\t0\t2\t身体部位\n疼痛\t3\t4\t其他\n', loc, {
      schema: loadSchemaSync('paper'),
      stats,
    });
    expect(record.entities).toEqual([{ id: 'e0', type: 'position', start: 0, end: 3, text: '右髋部' }]);
    expect(stats.droppedEntities).toBe(1);
  });

  it('counts code points, as the CCKS files do, when the text holds surrogate pairs', () => {
    const text = '𠮷头痛'; // 𠮷 is one code point, two UTF-16 units
    const record = parseCcks2017Record(text, '头痛\t1\t2\t症状和体征\n', loc);
    expect(record.entities[0]).toMatchObject({ start: 2, end: 4, text: '头痛' });
  });

  it.each<[string, string, string, string]>([
    [
      'a mention that differs from the text',
      '右髋部\t0\t2\t身体部位\n肿胀\t3\t4\t症状和体征\n',
      'mention-mismatch',
      '一般项目-1.txt:2: record ccks2017-一般项目-一般项目-1: field mention: does not equal the text at 3..4 (end inclusive)',
    ],
    [
      'an end outside the text',
      '肿胀\t7\t9\t症状和体征\n',
      'bad-offset',
      '一般项目-1.txt:1: record ccks2017-一般项目-一般项目-1: field end: offset 9 is outside the text',
    ],
    [
      'a non-numeric start',
      '肿胀\tx\t8\t症状和体征\n',
      'wrong-type',
      '一般项目-1.txt:1: record ccks2017-一般项目-一般项目-1: field start: must be a non-negative integer',
    ],
    [
      'a line with 3 fields',
      '肿胀\t7\t8\n',
      'malformed-line',
      '一般项目-1.txt:1: record ccks2017-一般项目-一般项目-1: expected 4 tab-separated fields (mention, start, end, type), got 3',
    ],
  ])('rejects %s, naming file, line and field', (_case, entities, problem, message) => {
    let caught: unknown;
    try {
      parseCcks2017Record(TEXT, entities, loc);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RecordFormatError);
    expect((caught as RecordFormatError).problem).toBe(problem);
    expect((caught as RecordFormatError).message).toBe(message);
  });
});

describe('openCorpus (ccks2017)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-ccks-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    const folder = path.join(dir, '出院情况');
    fs.mkdirSync(folder);
    const doc = (name: string, text: string, entities?: string) => {
      fs.writeFileSync(path.join(folder, `${name}.txtoriginal.txt`), text);
      if (entities !== undefined) fs.writeFileSync(path.join(folder, `${name}.txt`), entities);
    };
    doc('出院情况-10', '咳嗽。', '咳嗽\t0\t1\t症状和体征\n');
    doc('出院情况-2', '发热。', '发热\t0\t1\t症状和体征\n');
    doc('出院情况-3', '头痛。', '头晕\t0\t1\t症状和体征\n');
    doc('出院情况-4', '乏力。');
  });

  it('walks a folder in natural order and fails on the first bad document', async () => {
    const reader = openCorpus(dir, 'ccks2017');
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const r of reader.read()) seen.push(r.id);
      })(),
    ).rejects.toThrow(
      `${path.join(dir, '出院情况', '出院情况-3.txt')}:1: record ccks2017-出院情况-出院情况-3: field mention: does not equal`,
    );
    expect(seen).toEqual(['ccks2017-出院情况-出院情况-2']);
  });

  it('with skipInvalid: skips and counts mismatches and missing entity files', async () => {
    const reader = openCorpus(dir, 'ccks2017', { skipInvalid: true });
    const records = await readAllRecords(reader);
    expect(records.map((r) => r.id)).toEqual(['ccks2017-出院情况-出院情况-2', 'ccks2017-出院情况-出院情况-10']);
    expect(reader.stats.skippedByReason).toEqual({ 'mention-mismatch': 1, 'missing-file': 1 });
  });

  it('reads one document of the real corpus given by its stem, and all 1,198 of them without a mismatch', async () => {
    const [record] = await readAllRecords(
      openCorpus(path.join(CCKS, '病史特点', '病史特点-3'), 'ccks2017', { schema: loadSchemaSync('paper') }),
    );
    expect(record.id).toBe('ccks2017-病史特点-病史特点-3');
    expect(record.text).toHaveLength(419);
    expect(record.entities).toHaveLength(55);
    expect(record.entities[0]).toEqual({ id: 'e0', type: 'symptom', start: 16, end: 18, text: '腹痛' });
    const byType: Record<string, number> = {};
    for (const e of record.entities) byType[e.type] = (byType[e.type] ?? 0) + 1;
    expect(byType).toEqual({ symptom: 22, test: 17, position: 14, disease: 2 });

    const all = openCorpus(CCKS, 'ccks2017');
    const records = await readAllRecords(all);
    expect(records).toHaveLength(1198);
    expect(records.reduce((n, r) => n + r.entities.length, 0)).toBe(29866);
  });

  it('names a path that is neither a folder nor a document', async () => {
    await expect(readAllRecords(openCorpus(path.join(dir, 'nope'), 'ccks2017'))).rejects.toThrow(
      `${path.join(dir, 'nope')}: cannot read: no such folder, and no document nope.txtoriginal.txt`,
    );
  });
});

describe('openCorpus (ccks2017): unpaired files, repeated ids, encodings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-ccks-pairs-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, data: string | Buffer): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  };
  beforeAll(() => {
    write('x/病史/病史-1.txtoriginal.txt', '咳嗽。');
    write('x/病史/病史-1.txt', '咳嗽\t0\t1\t症状和体征\n');
    write('x/病史/病史-2.txtoriginal.txt', '无。');
    write('x/病史/病史-2.txt', '');
    // the same record id as x/病史/病史-1: ccks2017-病史-病史-1
    write('y/病史/病史-1.txtoriginal.txt', '发热。');
    write('y/病史/病史-1.txt', '发热\t0\t1\t症状和体征\n');
    // entity files without their text
    for (let i = 1; i <= 6; i++) write(`x/孤儿/孤儿-${i}.txt`, '咳嗽\t0\t1\t症状和体征\n');
  });

  it('counts and names entity files without text, and counts records without entities', async () => {
    const reader = openCorpus(dir, 'ccks2017', { skipInvalid: true });
    const records = await readAllRecords(reader);
    expect(records.map((r) => r.id)).toEqual(['ccks2017-病史-病史-1', 'ccks2017-病史-病史-2']);
    expect(records[0].text).toBe('咳嗽。');
    expect(reader.stats).toMatchObject({
      records: 2,
      recordsWithoutEntities: 1,
      unpairedDocuments: 6,
      unpairedExamples: [
        'x/孤儿/孤儿-1.txt',
        'x/孤儿/孤儿-2.txt',
        'x/孤儿/孤儿-3.txt',
        'x/孤儿/孤儿-4.txt',
        'x/孤儿/孤儿-5.txt',
      ],
      skippedByReason: { 'duplicate-id': 1 },
    });
  });

  it('rejects a repeated record id, naming the document that has it first', async () => {
    let caught: unknown;
    await readAllRecords(openCorpus(dir, 'ccks2017')).catch((err: unknown) => (caught = err));
    expect(caught).toBeInstanceOf(RecordFormatError);
    expect((caught as RecordFormatError).problem).toBe('duplicate-id');
    expect((caught as RecordFormatError).message).toBe(
      `${path.join(dir, 'y', '病史', '病史-1.txt')}: record ccks2017-病史-病史-1: field id: record id already used by x/病史/病史-1.txt`,
    );
  });

  it('decodes documents in the given encoding and names file:line of bytes that are not UTF-8', async () => {
    const gbDir = path.join(dir, '..', path.basename(dir) + '-gb');
    fs.mkdirSync(gbDir);
    try {
      // GB18030 text: 咳嗽 (BF C8 CB D4) \n 你好 (C4 E3 BA C3); entity file: 你 (C4 E3) at 3..3
      const text = Buffer.concat([
        Buffer.from([0xbf, 0xc8, 0xcb, 0xd4]),
        Buffer.from('\n'),
        Buffer.from([0xc4, 0xe3, 0xba, 0xc3]),
      ]);
      fs.writeFileSync(path.join(gbDir, 'a-1.txtoriginal.txt'), text);
      fs.writeFileSync(
        path.join(gbDir, 'a-1.txt'),
        Buffer.concat([Buffer.from([0xc4, 0xe3]), Buffer.from('\t3\t3\tx\n')]),
      );
      const [record] = await readAllRecords(openCorpus(gbDir, 'ccks2017', { encoding: 'gb18030' }));
      expect(record.text).toBe('咳嗽\n你好');
      expect(record.entities).toEqual([{ id: 'e0', type: 'x', start: 3, end: 4, text: '你' }]);
      let caught: unknown;
      await readAllRecords(openCorpus(gbDir, 'ccks2017')).catch((err: unknown) => (caught = err));
      expect(caught).toBeInstanceOf(CorpusFormatError);
      expect((caught as Error).message).toBe(
        `${path.join(gbDir, 'a-1.txtoriginal.txt')}:1: not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)`,
      );
    } finally {
      fs.rmSync(gbDir, { recursive: true, force: true });
    }
  });
});
