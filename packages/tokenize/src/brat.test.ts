import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatBratAnnotation, parseBratAnnotation } from './brat';
import { openCorpus, readAllRecords } from './corpus';
import { CorpusFormatError, RecordFormatError } from './errors';
import { loadSchemaSync } from './schema';
import { emptyReadStats } from './stats';
import type { EmrRecord } from './types';
import { writeBrat } from './write';

// 左0下1肢2疼3痛4，5右6侧7上8肢9无10力11
const TEXT = '左下肢疼痛，右侧上肢无力';
const loc = { file: 'doc.ann', recordId: 'brat-doc' };

describe('parseBratAnnotation', () => {
  it('reads entities and relations, outer span for discontinuous entities, ignores other annotations', () => {
    const ann = [
      'T1\tsymptom 3 5\t疼痛',
      'T2\tposition 0 3\t左下肢',
      'T3\tposition 6 7;8 10\t右 上肢',
      'R1\tSAP Arg1:T1 Arg2:T2',
      '#1\tAnnotatorNotes T1\tchecked',
      'A1\tNegated T1',
      '',
    ].join('\n');
    const stats = emptyReadStats();
    const record = parseBratAnnotation(TEXT, ann, loc, { stats });
    expect(record.entities).toEqual([
      { id: 'T2', type: 'position', start: 0, end: 3, text: '左下肢' },
      { id: 'T1', type: 'symptom', start: 3, end: 5, text: '疼痛' },
      { id: 'T3', type: 'position', start: 6, end: 10, text: '右侧上肢' },
    ]);
    expect(record.relations).toEqual([{ head: 'T1', tail: 'T2', label: 'SAP' }]);
    expect(stats.discontinuousEntities).toBe(1);
  });

  it('with a schema: drops unknown types and the relations on them', () => {
    const stats = emptyReadStats();
    const ann = 'T1\tsymptom 3 5\t疼痛\nT2\t部位 0 3\t左下肢\nR1\tSAP Arg1:T1 Arg2:T2\n';
    const record = parseBratAnnotation(TEXT, ann, loc, { schema: loadSchemaSync('paper'), stats });
    expect(record.entities.map((e) => e.id)).toEqual(['T1']);
    expect(record.relations).toEqual([]);
    expect([stats.droppedEntities, stats.droppedRelations]).toEqual([1, 1]);
  });

  it.each<[string, string, string, string]>([
    [
      'a mention that differs from the text',
      'T1\tsymptom 3 5\t无力',
      'mention-mismatch',
      'doc.ann:1: record brat-doc: field mention: does not equal the text at 3 5',
    ],
    [
      'an offset outside the text',
      'T1\tsymptom 3 50\t疼痛',
      'bad-offset',
      'doc.ann:1: record brat-doc: field span: offset 50 is outside the text',
    ],
    [
      'a broken span',
      'T1\tsymptom 3-5\t疼痛',
      'wrong-type',
      'doc.ann:1: record brat-doc: field span: expected "start end" with non-negative integer offsets',
    ],
    [
      'a type without span',
      'T1\tsymptom\t疼痛',
      'malformed-line',
      'doc.ann:1: record brat-doc: field type: expected "Type start end"',
    ],
    [
      'a relation to an undefined entity',
      'T1\tsymptom 3 5\t疼痛\nR1\tSAP Arg1:T1 Arg2:T9',
      'dangling-relation',
      'doc.ann:2: record brat-doc: field Arg2: names T9, which the document does not define',
    ],
    [
      'a relation without arguments',
      'R1\tSAP',
      'malformed-line',
      'doc.ann:1: record brat-doc: a relation needs "Label Arg1:T1 Arg2:T2"',
    ],
    [
      'a duplicate id',
      'T1\tsymptom 3 5\t疼痛\nT1\tposition 0 3\t左下肢',
      'duplicate-id',
      'doc.ann:2: record brat-doc: field id: annotation id T1 is used twice',
    ],
  ])('rejects %s', (_case, ann, problem, message) => {
    let caught: unknown;
    try {
      parseBratAnnotation(TEXT, ann, loc);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RecordFormatError);
    expect((caught as RecordFormatError).problem).toBe(problem);
    expect((caught as RecordFormatError).message).toBe(message);
  });
});

describe('writeBrat and openCorpus (brat)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-brat-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const records: EmrRecord[] = [
    {
      id: 'brat-note 1',
      text: '𠮷左下肢\n疼痛。',
      entities: [
        { id: 'e0', type: 'position', start: 2, end: 5, text: '左下肢' },
        { id: 'e1', type: 'symptom', start: 6, end: 8, text: '疼痛' },
        { id: 'e2', type: 'symptom', start: 2, end: 8, text: '左下肢\n疼痛' },
      ],
      relations: [{ head: 'e1', tail: 'e0', label: 'SAP', score: 0.9 }],
    },
    { id: 'r2', text: '无。', entities: [], relations: [] },
  ];

  it('writes .txt and .ann with code point offsets and reads them back', async () => {
    expect(await writeBrat(dir, records)).toBe(2);
    expect(fs.readdirSync(dir).sort()).toEqual(['note_1.ann', 'note_1.txt', 'r2.ann', 'r2.txt']);
    expect(fs.readFileSync(path.join(dir, 'note_1.ann'), 'utf8')).toBe(
      'T1\tposition 1 4\t左下肢\nT2\tsymptom 5 7\t疼痛\nT3\tsymptom 1 7\t左下肢 疼痛\nR1\tSAP Arg1:T2 Arg2:T1\n',
    );
    const back = await readAllRecords(openCorpus(dir, 'brat'));
    expect(back.map((r) => r.id)).toEqual(['brat-note_1', 'brat-r2']);
    const [note] = back;
    expect(note.text).toBe(records[0].text);
    // Read back in offset order: e0, e2 (same start, longer), e1.
    const expected = [records[0].entities[0], records[0].entities[2], records[0].entities[1]];
    expect(note.entities.map((e) => [e.type, e.start, e.end, e.text])).toEqual(
      expected.map((e) => [e.type, e.start, e.end, e.text]),
    );
    expect(note.relations).toEqual([{ head: 'T2', tail: 'T1', label: 'SAP' }]);
  });

  it('reads a single document given by stem or file', async () => {
    for (const given of ['r2', 'r2.ann', 'r2.txt']) {
      const got = await readAllRecords(openCorpus(path.join(dir, given), 'brat'));
      expect(got.map((r) => r.id)).toEqual(['brat-r2']);
    }
  });

  it('refuses two records with the same file stem', async () => {
    const out = path.join(dir, 'dup');
    await expect(writeBrat(out, [records[1], { ...records[1], id: 'brat-r2' }])).rejects.toThrow(CorpusFormatError);
    await expect(writeBrat(out, [records[1], { ...records[1], id: 'brat-r2' }])).rejects.toThrow(
      'record brat-r2: field id: maps to BRAT file r2.ann, as record r2 does',
    );
  });

  it('formats relations naming missing entities as an error', () => {
    expect(() =>
      formatBratAnnotation({ id: 'x', text: 'a', entities: [], relations: [{ head: 'e0', tail: 'e1', label: 'L' }] }),
    ).toThrow('record x: field relations[0]: names an entity the record does not have');
  });
});

describe('openCorpus (brat): byte-order marks, unpaired files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-brat-bom-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps a leading U+FEFF of the .txt as text (as brat does), so writeBrat then reading is exact', async () => {
    const record: EmrRecord = {
      id: 'brat-bom',
      text: '\ufeff左下肢疼痛',
      entities: [
        { id: 'T1', type: 'position', start: 1, end: 4, text: '左下肢' },
        { id: 'T2', type: 'symptom', start: 4, end: 6, text: '疼痛' },
      ],
      relations: [{ head: 'T2', tail: 'T1', label: 'SAP' }],
    };
    const out = path.join(dir, 'round');
    expect(await writeBrat(out, [record])).toBe(1);
    expect([...fs.readFileSync(path.join(out, 'bom.txt')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(fs.readFileSync(path.join(out, 'bom.ann'), 'utf8')).toBe(
      'T1\tposition 1 4\t左下肢\nT2\tsymptom 4 6\t疼痛\nR1\tSAP Arg1:T2 Arg2:T1\n',
    );
    expect(await readAllRecords(openCorpus(out, 'brat'))).toEqual([record]);
  });

  it('drops a BOM from the .ann only', async () => {
    const one = path.join(dir, 'one');
    fs.mkdirSync(one);
    fs.writeFileSync(path.join(one, 'd.txt'), '\ufeff疼痛');
    fs.writeFileSync(path.join(one, 'd.ann'), '\ufeffT1\tsymptom 1 3\t疼痛\n');
    const [got] = await readAllRecords(openCorpus(one, 'brat'));
    expect(got.text).toBe('\ufeff疼痛');
    expect(got.entities).toEqual([{ id: 'T1', type: 'symptom', start: 1, end: 3, text: '疼痛' }]);
  });

  it('counts and names .txt files without .ann; an .ann without .txt is a missing-file error', async () => {
    const folder = path.join(dir, 'pairs');
    fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'a.txt'), '疼痛');
    fs.writeFileSync(path.join(folder, 'a.ann'), 'T1\tsymptom 0 2\t疼痛\n');
    fs.writeFileSync(path.join(folder, 'e.txt'), '无。');
    fs.writeFileSync(path.join(folder, 'e.ann'), '');
    fs.writeFileSync(path.join(folder, 'b.txt'), '无。');
    fs.writeFileSync(path.join(folder, 'sub', 'c.txt'), '无。');
    const reader = openCorpus(folder, 'brat');
    expect((await readAllRecords(reader)).map((r) => r.id)).toEqual(['brat-a', 'brat-e']);
    expect(reader.stats).toMatchObject({
      records: 2,
      recordsWithoutEntities: 1,
      unpairedDocuments: 2,
      unpairedExamples: ['b.txt', 'sub/c.txt'],
    });

    fs.writeFileSync(path.join(folder, 'sub', 'z.ann'), '');
    let caught: unknown;
    await readAllRecords(openCorpus(folder, 'brat')).catch((err: unknown) => (caught = err));
    expect(caught).toBeInstanceOf(RecordFormatError);
    expect((caught as RecordFormatError).problem).toBe('missing-file');
    expect((caught as RecordFormatError).message).toBe(
      `${path.join(folder, 'sub', 'z.txt')}: record brat-sub/z: the text file of this .ann is missing`,
    );
  });

  it('names file:line of an .ann that is not UTF-8, and reads it with encoding gb18030', async () => {
    const folder = path.join(dir, 'gb');
    fs.mkdirSync(folder);
    // 你好 in GB18030 = C4 E3 BA C3; the mention on .ann line 2
    fs.writeFileSync(path.join(folder, 'g.txt'), Buffer.from([0xc4, 0xe3, 0xba, 0xc3]));
    fs.writeFileSync(
      path.join(folder, 'g.ann'),
      Buffer.concat([
        Buffer.from('#1\tAnnotatorNotes T1\tok\nT1\tx 0 2\t'),
        Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0a]),
      ]),
    );
    const [got] = await readAllRecords(openCorpus(folder, 'brat', { encoding: 'gb18030' }));
    expect(got.entities).toEqual([{ id: 'T1', type: 'x', start: 0, end: 2, text: '你好' }]);
    fs.writeFileSync(path.join(folder, 'g.txt'), '你好');
    await expect(readAllRecords(openCorpus(folder, 'brat'))).rejects.toThrow(
      `${path.join(folder, 'g.ann')}:2: not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)`,
    );
  });
});
