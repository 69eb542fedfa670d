import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCorpus, readAllRecords } from './corpus';
import { CorpusFormatError, RecordFormatError } from './errors';
import { openEmrCorpus, readEmrCorpus } from './emr-corpus';
import { sharedData, REPOSITORY_ROOT } from '../../../test/shared-data';

const CCKS = sharedData('ccks2017-cner');
const ANNOTATIONS = path.join(REPOSITORY_ROOT, 'corpus', 'emr-relations', 'annotations.jsonl');
const rawLines = () =>
  fs
    .readFileSync(ANNOTATIONS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { record: string; split: string; relations: unknown[]; assertions: unknown[] });

describe('readEmrCorpus on the corpus in the repository', () => {
  it('reads every annotated document with all its relations and assertions', async () => {
    const docs = await readEmrCorpus(ANNOTATIONS, CCKS);
    const lines = rawLines();
    expect(docs.map((d) => d.source)).toEqual(lines.map((l) => l.record));
    expect(docs.length).toBeGreaterThanOrEqual(100);
    docs.forEach((doc, i) => {
      expect(doc.record.relations).toHaveLength(lines[i].relations.length);
      const asserted = doc.record.entities.filter((e) => e.assertion !== undefined);
      expect(asserted).toHaveLength(lines[i].assertions.length);
      expect(asserted.every((e) => ['disease', 'symptom', 'treatment'].includes(e.type))).toBe(true);
    });
    const folders = new Set(docs.map((d) => d.source.split('/')[0]));
    expect([...folders].sort()).toEqual(['一般项目', '出院情况', '病史特点', '诊疗经过']);
  });

  it('gives the ids and entities of the CCKS folder reader, and selects a split', async () => {
    const test = await readEmrCorpus(ANNOTATIONS, CCKS, { split: 'test' });
    expect(test).toHaveLength(rawLines().filter((l) => l.split === 'test').length);
    expect(test.every((d) => d.split === 'test')).toBe(true);
    const first = test[0];
    const [folder, name] = first.source.split('/');
    const [plain] = await readAllRecords(openCorpus(path.join(CCKS, folder, name), 'ccks2017'));
    expect(first.record.id).toBe(plain.id);
    expect(first.record.entities.map((e) => [e.start, e.end, e.text])).toEqual(
      plain.entities.map((e) => [e.start, e.end, e.text]),
    );
    const viaReader = await readAllRecords(openEmrCorpus(ANNOTATIONS, CCKS, { split: 'test' }));
    expect(viaReader.map((r) => r.id)).toEqual(test.map((d) => d.record.id));
  });
});

describe('readEmrCorpus errors', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-corpus-'));
    fs.mkdirSync(path.join(dir, 'ccks', 'sec'), { recursive: true });
    // made-up document: 左0膝1疼2痛3
    fs.writeFileSync(path.join(dir, 'ccks', 'sec', 'sec-1.txtoriginal.txt'), '左膝疼痛');
    fs.writeFileSync(path.join(dir, 'ccks', 'sec', 'sec-1.txt'), '左膝\t0\t1\t身体部位\n疼痛\t2\t3\t症状和体征\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const line = (change: object = {}) =>
    JSON.stringify({
      record: 'sec/sec-1',
      relations: [{ head: [2, 3], tail: [0, 1], label: 'SAP' }],
      assertions: [{ span: [2, 3], value: 'present' }],
      split: 'train',
      annotator: 'A',
      ...change,
    });
  const read = async (lines: string[]) => {
    const file = path.join(dir, 'annotations.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return readEmrCorpus(file, path.join(dir, 'ccks'), { file: 'annotations.jsonl' });
  };
  const failure = async (lines: string[]): Promise<CorpusFormatError> => {
    try {
      await read(lines);
    } catch (err) {
      if (err instanceof CorpusFormatError) return err;
      throw err;
    }
    throw new Error('no error thrown');
  };

  it('reads a good line', async () => {
    const [doc] = await read([line()]);
    expect(doc.record.id).toBe('ccks2017-sec-sec-1');
    expect(doc.record.relations).toEqual([{ head: 'e1', tail: 'e0', label: 'SAP' }]);
    expect(doc.record.entities[1].assertion).toBe('present');
  });

  it('names file, line, record and field of an offset that matches no gold entity', async () => {
    const bad = await failure([line({ relations: [{ head: [2, 3], tail: [0, 2], label: 'SAP' }] })]);
    expect(bad).toBeInstanceOf(RecordFormatError);
    expect(bad.message).toBe(
      'annotations.jsonl:1: record sec/sec-1: field relations[0].tail: no gold entity at 0..2 (CCKS offsets, end inclusive)',
    );
  });

  it('rejects a document annotated twice and a document not in the folder', async () => {
    expect((await failure([line(), line()])).message).toBe(
      'annotations.jsonl:2: record sec/sec-1: field record: already annotated on line 1',
    );
    expect((await failure([line({ record: 'sec/sec-9' })])).message).toMatch(
      /^annotations\.jsonl:1: record sec\/sec-9: field record: the document is not in .* \(ENOENT\)$/,
    );
  });
});
