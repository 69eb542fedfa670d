import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusFromLines, openCorpus, readAllRecords } from './corpus';
import { CorpusFormatError, UsageError } from './errors';
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
