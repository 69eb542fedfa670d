import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusFromLines, openCorpus, readAllRecords } from './corpus';
import { CorpusFormatError, RecordFormatError, UsageError } from './errors';
import { formatRecordLine } from './records';
import type { EmrRecord } from './types';
import { writeJsonl } from './write';

const record = (id: string): EmrRecord => ({
  id,
  text: '双肺呼吸音清。',
  entities: [{ id: 'e0', type: 'position', start: 0, end: 2, text: '双肺' }],
  relations: [],
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-corpus-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('openCorpus (jsonl)', () => {
  const file = path.join(dir, 'gold.jsonl');
  const badOffset = JSON.stringify({
    ...record('r2'),
    entities: [{ id: 'e0', type: 'position', start: 0, end: 40, text: '双肺' }],
  });
  beforeAll(() => {
    fs.writeFileSync(
      file,
      [
        '\ufeff' + formatRecordLine(record('r1')),
        badOffset,
        '',
        '{not json',
        formatRecordLine(record('r5')),
        '{"id": 3}',
      ].join('\r\n') + '\r\n',
    );
  });

  it('fails on the first invalid record, naming file:line and field', async () => {
    const reader = openCorpus(file, 'jsonl');
    await expect(readAllRecords(reader)).rejects.toThrow(
      `${file}:2: record r2: field entities[0].end: offset 40 is outside the text (length 7)`,
    );
    const named = openCorpus(file, 'jsonl', { file: 'gold.jsonl' });
    await expect(readAllRecords(named)).rejects.toThrow(/^gold\.jsonl:2: record r2: field entities\[0\]\.end/);
  });

  it('with skipInvalid: yields the valid records, counts skips by reason, reports each to onSkip', async () => {
    const skipped: CorpusFormatError[] = [];
    const reader = openCorpus(file, 'jsonl', { skipInvalid: true, onSkip: (e) => skipped.push(e), file: 'gold.jsonl' });
    const records = await readAllRecords(reader);
    expect(records.map((r) => r.id)).toEqual(['r1', 'r5']);
    expect(reader.stats.records).toBe(2);
    expect(reader.stats.skipped).toBe(3);
    expect(reader.stats.skippedByReason).toEqual({ 'bad-offset': 1, 'malformed-json': 1, 'wrong-type': 1 });
    expect(skipped.map((e) => e.location.line)).toEqual([2, 4, 6]);
    expect(skipped[2].message).toBe('gold.jsonl:6: field id: must be a string, got a number');
    // stats start again at each read()
    await readAllRecords(reader);
    expect(reader.stats.skipped).toBe(3);
  });

  it('names a missing file or a folder given for a file', async () => {
    await expect(readAllRecords(openCorpus(path.join(dir, 'none.jsonl'), 'jsonl'))).rejects.toThrow(
      `${path.join(dir, 'none.jsonl')}: cannot read: no such file or directory`,
    );
    await expect(readAllRecords(openCorpus(dir, 'cmeie'))).rejects.toThrow(
      `${dir}: cannot read: is a directory, expected a file`,
    );
    expect(() => openCorpus(file, 'xml' as never)).toThrow(UsageError);
  });

  (process.platform === 'win32' ? it.skip : it)(
    'streams: yields a record before the rest of the file exists',
    async () => {
      const fifo = path.join(dir, 'stream.jsonl');
      execFileSync('mkfifo', [fifo]);
      const writer = fs.createWriteStream(fifo);
      writer.write(formatRecordLine(record('first')) + '\n');
      const iterator = openCorpus(fifo, 'jsonl').read()[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value.id).toBe('first');
      // Only now is the rest written: the reader cannot have loaded the whole file before yielding.
      writer.end(formatRecordLine(record('second')) + '\n');
      expect((await iterator.next()).value.id).toBe('second');
      expect((await iterator.next()).done).toBe(true);
    },
  );
});

const UTF8_HINT = 'not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)';

describe('openCorpus: encodings', () => {
  const line = (r: EmrRecord): Buffer => Buffer.from(formatRecordLine(r) + '\n');

  it('names file:line of the first byte that is not UTF-8; with skipInvalid skips and counts that line', async () => {
    const file = path.join(dir, 'gbk-line.jsonl');
    // line 3 holds 你好 in GB18030 (C4 E3 BA C3) inside an otherwise valid record
    const gbk = Buffer.concat([
      Buffer.from('{"id":"r3","text":"'),
      Buffer.from([0xc4, 0xe3, 0xba, 0xc3]),
      Buffer.from('","entities":[]}\r\n'),
    ]);
    fs.writeFileSync(file, Buffer.concat([line(record('r1')), line(record('r2')), gbk, line(record('r4'))]));
    let caught: unknown;
    await readAllRecords(openCorpus(file, 'jsonl')).catch((err: unknown) => (caught = err));
    expect(caught).toBeInstanceOf(RecordFormatError);
    expect((caught as RecordFormatError).problem).toBe('encoding');
    expect((caught as RecordFormatError).message).toBe(`${file}:3: ${UTF8_HINT}`);

    const skipped: CorpusFormatError[] = [];
    const reader = openCorpus(file, 'jsonl', { skipInvalid: true, onSkip: (e) => skipped.push(e), file: 'g.jsonl' });
    expect((await readAllRecords(reader)).map((r) => r.id)).toEqual(['r1', 'r2', 'r4']);
    expect(reader.stats.skippedByReason).toEqual({ encoding: 1 });
    expect(skipped.map((e) => e.message)).toEqual([`g.jsonl:3: ${UTF8_HINT}`]);
  });

  it('reads GB18030 with encoding gb18030, and a UTF-8 file with a BOM', async () => {
    const file = path.join(dir, 'gb18030.cmeie');
    const gb = (...bytes: number[]): Buffer => Buffer.from(bytes);
    // GB18030 BOM 84 31 95 33; 你好 = C4 E3 BA C3; 你 = C4 E3; 好 = BA C3
    fs.writeFileSync(
      file,
      Buffer.concat([
        gb(0x84, 0x31, 0x95, 0x33),
        Buffer.from('{"text":"'),
        gb(0xc4, 0xe3, 0xba, 0xc3),
        Buffer.from('","spo_list":[{"predicate":"P","subject":"'),
        gb(0xc4, 0xe3),
        Buffer.from('","subject_type":"A","object":{"@value":"'),
        gb(0xba, 0xc3),
        Buffer.from('"},"object_type":{"@value":"B"}}]}\n'),
      ]),
    );
    const [got] = await readAllRecords(openCorpus(file, 'cmeie', { encoding: 'gb18030' }));
    expect(got.text).toBe('你好');
    expect(got.entities.map((e) => [e.type, e.start, e.end, e.text])).toEqual([
      ['A', 0, 1, '你'],
      ['B', 1, 2, '好'],
    ]);
    await expect(readAllRecords(openCorpus(file, 'cmeie'))).rejects.toThrow(`${file}:1: ${UTF8_HINT}`);

    const bom = path.join(dir, 'bom.jsonl');
    fs.writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), line(record('b1'))]));
    expect(await readAllRecords(openCorpus(bom, 'jsonl'))).toEqual([record('b1')]);
  });

  it('refuses an unknown encoding as a usage error when opening', () => {
    expect(() => openCorpus(path.join(dir, 'x.jsonl'), 'jsonl', { encoding: 'klingon' })).toThrow(UsageError);
    expect(() => openCorpus(dir, 'brat', { encoding: 'utf-16le' })).toThrow(UsageError);
  });
});

describe('openCorpus: repeated record ids and records without entities', () => {
  const file = path.join(dir, 'dup.jsonl');
  const bare = (id: string): EmrRecord => ({ ...record(id), entities: [] });
  beforeAll(() => {
    const lines = [record('r1'), bare('r2'), record('r3'), bare('r1'), record('r5'), record('r3')];
    fs.writeFileSync(file, lines.map((r) => formatRecordLine(r) + '\n').join(''));
  });

  it('rejects a record whose id an earlier record has, naming both lines', async () => {
    let caught: unknown;
    await readAllRecords(openCorpus(file, 'jsonl', { file: 'dup.jsonl' })).catch((err: unknown) => (caught = err));
    expect(caught).toBeInstanceOf(RecordFormatError);
    expect((caught as RecordFormatError).problem).toBe('duplicate-id');
    expect((caught as RecordFormatError).location).toEqual({
      file: 'dup.jsonl',
      line: 4,
      recordId: 'r1',
      field: 'id',
    });
    expect((caught as RecordFormatError).message).toBe(
      'dup.jsonl:4: record r1: field id: record id already used on line 1',
    );
  });

  it('with skipInvalid: skips repeats, counts them, and counts records without entities', async () => {
    const skipped: CorpusFormatError[] = [];
    const reader = openCorpus(file, 'jsonl', { skipInvalid: true, onSkip: (e) => skipped.push(e), file: 'dup.jsonl' });
    expect((await readAllRecords(reader)).map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r5']);
    expect(reader.stats).toMatchObject({
      records: 4,
      skipped: 2,
      skippedByReason: { 'duplicate-id': 2 },
      recordsWithoutEntities: 1,
      unpairedDocuments: 0,
      unpairedExamples: [],
    });
    expect(skipped[1].message).toBe('dup.jsonl:6: record r3: field id: record id already used on line 3');
  });

  it('counts every record of a wrong format as without entities', async () => {
    // CMeIE lines without triples: every record is empty, as when a wrong format finds no entities
    const reader = corpusFromLines(['{"text":"咳嗽"}', '{"text":"发热"}'], 'cmeie');
    expect(await readAllRecords(reader)).toHaveLength(2);
    expect([reader.stats.records, reader.stats.recordsWithoutEntities]).toEqual([2, 2]);
  });
});

describe('corpusFromLines', () => {
  it('reads inline lines with 1-based line numbers that count blank lines', async () => {
    const lines = [formatRecordLine(record('a')), '   ', '{"id": "b", "text": "x"}'];
    const reader = corpusFromLines(lines, 'jsonl', { file: 'inline.jsonl' });
    await expect(readAllRecords(reader)).rejects.toThrow('inline.jsonl:3: record b: field entities: is missing');
  });
});

describe('writeJsonl', () => {
  it('writes records atomically and they read back equal', async () => {
    const out = path.join(dir, 'out.jsonl');
    const records = [record('a'), { ...record('b'), relations: [{ head: 'e0', tail: 'e0', label: 'X', score: 0.5 }] }];
    expect(await writeJsonl(out, records)).toBe(2);
    expect(await readAllRecords(openCorpus(out, 'jsonl'))).toEqual(records);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves an existing file untouched when writing fails midway', async () => {
    const out = path.join(dir, 'keep.jsonl');
    fs.writeFileSync(out, 'old\n');
    async function* failing(): AsyncGenerator<EmrRecord> {
      yield record('a');
      throw new Error('source broke');
    }
    await expect(writeJsonl(out, failing())).rejects.toThrow('source broke');
    expect(fs.readFileSync(out, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes many records through its flush buffer', async () => {
    const out = path.join(dir, 'many.jsonl');
    const many = Array.from({ length: 3000 }, (_, i) => record(`r${i}`));
    expect(await writeJsonl(out, many)).toBe(3000);
    const back = await readAllRecords(openCorpus(out, 'jsonl'));
    expect(back).toHaveLength(3000);
    expect(back[2999].id).toBe('r2999');
  });
});
