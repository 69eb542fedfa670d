/*
 * `emr-re ner train|evaluate|predict` and `emr-re extract` end to end, in-process, on a learnable toy corpus made
 * here: diseases treated with drugs and showing symptoms, in a few sentence templates, under the CMeIE schema.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { entityMetricsToJSON, scoreEntities } from '@emr-re/metrics';
import { loadNer } from '@emr-re/ner';
import { loadPipeline } from '@emr-re/queue';
import { formatRecordLine } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { toyRecords as sharedToyRecords } from '../../../../test/toy-records';
import { runCli } from '../__tests__/run-cli';

/** `n` toy records (the shared toy corpus, with its second sentence form). */
function toyRecords(n: number, seed: number): EmrRecord[] {
  return sharedToyRecords(n, seed, { variants: true });
}

const emr = runCli;

/** The records of a JSONL file under the test folder. */
async function readRecords(file: string): Promise<EmrRecord[]> {
  return (await fs.readFile(path.join(tmp, file), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EmrRecord);
}

/** The records with relation scores rounded to 1e-4 (backends in threads may differ in the last float bits). */
const roundedScores = (records: EmrRecord[]): EmrRecord[] =>
  records.map((r) => ({
    ...r,
    relations: r.relations.map((rel) => ({ ...rel, score: Math.round((rel.score ?? 0) * 1e4) })),
  }));

const NER_CONFIG = JSON.stringify({
  arch: 'bigru-crf',
  maxLength: 40,
  overlap: 8,
  charDim: 16,
  rnn: { units: 16, layers: 1 },
  batchSize: 16,
  learningRate: 0.02,
  epochs: 6,
  seed: 1,
});
const RE_CONFIG = JSON.stringify({
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
});

let tmp: string;
const test = toyRecords(20, 2);

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-extract-'));
  await fs.writeFile(path.join(tmp, 'train.jsonl'), toyRecords(160, 1).map(formatRecordLine).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'test.jsonl'), test.map(formatRecordLine).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'raw.txt'), test.map((r) => r.text).join('\n') + '\n');
  const ner = await emr(
    [
      'ner',
      'train',
      '--train',
      'train.jsonl',
      '--schema',
      'cmeie',
      '--config',
      NER_CONFIG,
      '--out',
      'ner',
      '--json',
      '--quiet',
    ],
    tmp,
  );
  expect(ner.stderr).toBe('');
  expect(ner.code).toBe(0);
  const re = await emr(
    ['train', '--train', 'train.jsonl', '--schema', 'cmeie', '--config', RE_CONFIG, '--out', 're', '--quiet'],
    tmp,
  );
  expect(re.code).toBe(0);
  // The same relation config with another seed: the second member of an ensemble.
  const re2 = await emr(
    [
      'train',
      '--train',
      'train.jsonl',
      '--schema',
      'cmeie',
      '--config',
      JSON.stringify({ ...JSON.parse(RE_CONFIG), seed: 2 }),
      '--out',
      're2',
      '--quiet',
    ],
    tmp,
  );
  expect(re2.code).toBe(0);
}, 120000);

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('emr-re ner', () => {
  it('train writes a checked model directory whose types come from the schema and the data', async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(tmp, 'ner', 'manifest.json'), 'utf8'));
    expect(manifest.format).toBe('emr-re-ner-model');
    expect(manifest.types.slice(0, 3)).toEqual(['疾病', '症状', '药物']);
  });

  it('evaluate --json reports what scoreEntities says of the model on the gold records, and it learned the toy task', async () => {
    const r = await emr(['ner', 'evaluate', '--model', 'ner', '--data', 'test.jsonl', '--json', '--quiet'], tmp);
    expect(r.code).toBe(0);
    const reported = JSON.parse(r.stdout);
    const model = await loadNer(path.join(tmp, 'ner'));
    const pred = await model.recognize(test.map((x) => ({ id: x.id, text: x.text })));
    const types = [...model.types];
    model.dispose();
    expect(reported).toEqual(JSON.parse(JSON.stringify(entityMetricsToJSON(scoreEntities(test, pred, { types })))));
    expect(Object.keys(reported)).toEqual(['micro', 'macro', 'perType', 'relaxed']);
    expect(reported.micro.f1).toBeGreaterThanOrEqual(0.9);
  });

  it('predict writes every raw line as a record whose entities point into its text', async () => {
    const r = await emr(
      ['ner', 'predict', '--model', 'ner', '--data', 'raw.txt', '--format', 'text', '--out', 'ents.jsonl', '--quiet'],
      tmp,
    );
    expect(r.code).toBe(0);
    const out = await readRecords('ents.jsonl');
    expect(out.map((x: EmrRecord) => x.text)).toEqual(test.map((x) => x.text));
    for (const rec of out as EmrRecord[])
      for (const e of rec.entities) {
        expect(rec.text.slice(e.start, e.end)).toBe(e.text);
        expect(e.score).toBeGreaterThan(0);
        expect(e.score).toBeLessThanOrEqual(1);
      }
  });
});

describe('emr-re extract', () => {
  it('turns raw lines into records with entities and relations, in order, and --json counts what it wrote', async () => {
    const r = await emr(
      [
        'extract',
        '--ner',
        'ner',
        '--relations',
        're',
        '--data',
        'raw.txt',
        '--format',
        'text',
        '--out',
        'ex.jsonl',
        '--json',
        '--quiet',
      ],
      tmp,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = await readRecords('ex.jsonl');
    expect(out.map((x) => [x.id, x.text])).toEqual(test.map((x, i) => [`line-${i + 1}`, x.text]));
    const byType: Record<string, number> = {};
    const byLabel: Record<string, number> = {};
    for (const rec of out) {
      const ids = new Set(rec.entities.map((e) => e.id));
      for (const e of rec.entities) byType[e.type] = (byType[e.type] ?? 0) + 1;
      for (const rel of rec.relations) {
        expect(ids.has(rel.head) && ids.has(rel.tail)).toBe(true);
        byLabel[rel.label] = (byLabel[rel.label] ?? 0) + 1;
      }
    }
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ records: 20, entities: byType, relations: byLabel });
    // The toy task is learnable end to end: scored as CBLUE scores CMeIE, most gold triples come back.
    const goldById = test.map((x, i) => ({ ...x, id: `line-${i + 1}` }));
    await fs.writeFile(path.join(tmp, 'gold-lines.jsonl'), goldById.map(formatRecordLine).join('\n') + '\n');
    const scored = await emr(
      ['evaluate', '--gold', 'gold-lines.jsonl', '--pred', 'ex.jsonl', '--match', 'text', '--json'],
      tmp,
    );
    expect(scored.code).toBe(0);
    expect(JSON.parse(scored.stdout).micro.f1).toBeGreaterThanOrEqual(0.8);
  });

  it('--relations twice extracts with the ensemble of both models, in this process and in worker threads', async () => {
    const pipeline = await loadPipeline({
      ner: path.join(tmp, 'ner'),
      relations: [path.join(tmp, 're'), path.join(tmp, 're2')],
    });
    const expected = roundedScores(await pipeline.extract(test.map((x, i) => ({ id: `line-${i + 1}`, text: x.text }))));
    pipeline.dispose();
    const single = await fs.readFile(path.join(tmp, 'ex.jsonl'), 'utf8').catch(() => '');
    for (const workers of ['1', '2']) {
      const out = `ens-${workers}.jsonl`;
      const r = await emr(
        [
          'extract',
          '--ner',
          'ner',
          '--relations',
          're',
          '--relations',
          're2',
          '--data',
          'raw.txt',
          '--format',
          'text',
          '--workers',
          workers,
          '--out',
          out,
          '--quiet',
        ],
        tmp,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const got = roundedScores(await readRecords(out));
      expect(got).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(got.reduce((n, rec) => n + rec.relations.length, 0)).toBeGreaterThan(0);
    }
    // The averaged scores are not those of the first model alone.
    expect(await fs.readFile(path.join(tmp, 'ens-1.jsonl'), 'utf8')).not.toBe(single);
    const missing = await emr(
      ['extract', '--ner', 'ner', '--relations', 're', '--relations', 'nope', '--data', 'raw.txt', '--out', 'x.jsonl'],
      tmp,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/--relations .*nope: no such file/);
  });

  it('refuses GB18030 text by file and line, and an empty line unless --skip-invalid, which counts it', async () => {
    const gbk = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: '糖尿病患者可用胰岛素治疗。\n' });
    await fs.writeFile(path.join(tmp, 'gbk.txt'), gbk);
    const base = ['extract', '--ner', 'ner', '--relations', 're', '--quiet'];
    const bad = await emr([...base, '--data', 'gbk.txt', '--out', 'g.jsonl'], tmp);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^emr-re extract: .*gbk\.txt:1: not valid UTF-8 \(GBK\/GB18030\?.*--encoding gb18030\)\n$/,
    );
    const decoded = await emr([...base, '--data', 'gbk.txt', '--encoding', 'gb18030', '--out', 'g.jsonl'], tmp);
    expect(decoded.code).toBe(0);
    expect(JSON.parse((await fs.readFile(path.join(tmp, 'g.jsonl'), 'utf8')).trim()).text).toBe(
      '糖尿病患者可用胰岛素治疗。',
    );

    await fs.writeFile(
      path.join(tmp, 'gaps.txt'),
      '糖尿病患者可用胰岛素治疗。\n\n常见头痛的高血压，予奥美拉唑口服。\n',
    );
    const empty = await emr([...base, '--data', 'gaps.txt', '--out', 'gaps.jsonl'], tmp);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^emr-re extract: .*gaps\.txt:2: record line-2: field text: is empty\n$/);
    expect(existsSync(path.join(tmp, 'gaps.jsonl'))).toBe(false);
    const skipped = await emr([...base, '--data', 'gaps.txt', '--out', 'gaps.jsonl', '--skip-invalid'], tmp);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/skipped 1 invalid record \(empty-text 1\)/);
    const ids = (await readRecords('gaps.jsonl')).map((r) => r.id);
    expect(ids).toEqual(['line-1', 'line-3']);
  });

  it('extracts from a 1 MB single line with offsets into it, and names a non-text file in a folder', async () => {
    const sentence = '糖尿病患者可用胰岛素治疗，常见口渴。';
    const long = sentence.repeat(Math.ceil(350000 / sentence.length));
    expect(Buffer.byteLength(long)).toBeGreaterThan(1_000_000);
    await fs.writeFile(path.join(tmp, 'long.txt'), long + '\n');
    const r = await emr(
      ['extract', '--ner', 'ner', '--relations', 're', '--data', 'long.txt', '--out', 'long.jsonl', '--quiet'],
      tmp,
    );
    expect(r.code).toBe(0);
    const [rec] = await readRecords('long.jsonl');
    expect(rec.text.length).toBe(long.length);
    expect(rec.entities.length).toBeGreaterThan(1000);
    for (const e of rec.entities) expect(long.slice(e.start, e.end)).toBe(e.text);

    await fs.mkdir(path.join(tmp, 'docs'));
    await fs.writeFile(path.join(tmp, 'docs', 'a.txt'), sentence);
    await fs.writeFile(path.join(tmp, 'docs', 'scan.pdf'), '%PDF-1.4');
    const folder = await emr(
      ['extract', '--ner', 'ner', '--relations', 're', '--data', 'docs', '--out', 'docs.jsonl', '--quiet'],
      tmp,
    );
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/scan\.pdf: record scan\.pdf: field file: is not a \.txt file/);
  });
});
