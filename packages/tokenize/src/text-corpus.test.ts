import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCorpus, readAllRecords } from './corpus';
import { CorpusFormatError } from './errors';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-text-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('--format text: raw records without entities', () => {
  it('reads one record per line, ids line-N, text as it stands (BOM and CR dropped, outside-BMP kept)', async () => {
    await fs.writeFile(path.join(tmp, 'raw.txt'), '\ufeff患者发热三天。\r\n  咳嗽𠀀，伴乏力\n');
    const records = await readAllRecords(openCorpus(path.join(tmp, 'raw.txt'), 'text'));
    expect(records).toEqual([
      { id: 'line-1', text: '患者发热三天。', entities: [], relations: [] },
      { id: 'line-2', text: '  咳嗽𠀀，伴乏力', entities: [], relations: [] },
    ]);
  });

  it('names the file and line of an empty line, or skips and counts it', async () => {
    const file = path.join(tmp, 'raw.txt');
    await fs.writeFile(file, '第一行\n\n第三行\n');
    await expect(readAllRecords(openCorpus(file, 'text'))).rejects.toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: record line-2: field text: is empty`),
    );
    const reader = openCorpus(file, 'text', { skipInvalid: true });
    const records = await readAllRecords(reader);
    expect(records.map((r) => r.id)).toEqual(['line-1', 'line-3']);
    expect(reader.stats).toMatchObject({ records: 2, skipped: 1, skippedByReason: { 'empty-text': 1 } });
  });

  it('reads a folder of .txt files, one record each in natural order, and refuses other files', async () => {
    await fs.mkdir(path.join(tmp, 'docs', 'a'), { recursive: true });
    await fs.writeFile(path.join(tmp, 'docs', 'a', '10.txt'), '十');
    await fs.writeFile(path.join(tmp, 'docs', 'a', '2.txt'), '二\n第二行');
    await fs.writeFile(path.join(tmp, 'docs', 'scan.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const err = await readAllRecords(openCorpus(path.join(tmp, 'docs'), 'text')).catch((e) => e);
    expect(err).toBeInstanceOf(CorpusFormatError);
    expect(err.message).toMatch(/scan\.png: record scan\.png: field file: is not a \.txt file/);
    const records = await readAllRecords(openCorpus(path.join(tmp, 'docs'), 'text', { skipInvalid: true }));
    expect(records.map((r) => [r.id, r.text])).toEqual([
      ['a/2', '二\n第二行'],
      ['a/10', '十'],
    ]);
  });
});
