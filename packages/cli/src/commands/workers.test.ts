/*
 * `emr-re extract --workers N` and `emr-re predict --workers N` (a pool of worker threads from @emr-re/queue, each
 * with its own backend) write exactly what the in-process path (`--workers 1`) writes, record for record, in input
 * order; a user's mistake inside a worker thread is still one line and exit 2. The worker threads run the built
 * package (packages/queue/dist/worker.js): build first.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatRecordLine } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { toyRecords } from '../../../../test/toy-records';
import { runCli } from '../__tests__/run-cli';

const emr = runCli;

const NER_CONFIG = { arch: 'bigru-crf', maxLength: 40, overlap: 8, charDim: 16, rnn: { units: 16, layers: 1 } };
const RE_CONFIG = {
  arch: 'cnn',
  maxLength: 40,
  charDim: 16,
  positionDim: 4,
  maxDistance: 40,
  cnn: { filters: 16, windows: [3], blocks: 1 },
};
const TRAINING = { batchSize: 16, learningRate: 0.02, epochs: 3, seed: 1 };

let tmp: string;
const records = toyRecords(57, 2);

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-workers-'));
  await fs.writeFile(path.join(tmp, 'train.jsonl'), toyRecords(120, 1).map(formatRecordLine).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'test.jsonl'), records.map(formatRecordLine).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'raw.txt'), records.map((r) => r.text).join('\n') + '\n');
  const common = ['--train', 'train.jsonl', '--schema', 'cmeie', '--quiet'];
  const ner = await emr(
    ['ner', 'train', ...common, '--config', JSON.stringify({ ...NER_CONFIG, ...TRAINING }), '--out', 'ner'],
    tmp,
  );
  expect(ner.code).toBe(0);
  const re = await emr(
    ['train', ...common, '--config', JSON.stringify({ ...RE_CONFIG, ...TRAINING }), '--out', 're'],
    tmp,
  );
  expect(re.code).toBe(0);
}, 600_000);

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const read = (file: string): Promise<string> => fs.readFile(path.join(tmp, file), 'utf8');

describe('emr-re extract --workers', () => {
  it('writes what --workers 1 writes, record for record, in input order', async () => {
    // A batch size that does not divide the input: 9 batches over 2 threads, the last one short.
    const base = [
      'extract',
      '--ner',
      'ner',
      '--relations',
      're',
      '--data',
      'raw.txt',
      '--batch-size',
      '7',
      '--quiet',
      '--json',
    ];
    const one = await emr([...base, '--workers', '1', '--out', 'one.jsonl'], tmp);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    const two = await emr([...base.filter((f) => f !== '--quiet'), '--workers', '2', '--out', 'two.jsonl'], tmp);
    expect(two.stderr).toContain('emr-re extract: 2 worker threads, each with its own backend\n');
    expect(two.code).toBe(0);
    const [a, b] = [await read('one.jsonl'), await read('two.jsonl')];
    const lines = a.trimEnd().split('\n');
    expect(lines).toHaveLength(records.length);
    const parsed = lines.map((l) => JSON.parse(l) as EmrRecord);
    expect(parsed.map((r) => r.text)).toEqual(records.map((r) => r.text));
    // The toy models find entities and relations, so the comparison is not between empty outputs.
    expect(parsed.reduce((n, r) => n + r.entities.length, 0)).toBeGreaterThan(records.length);
    expect(parsed.reduce((n, r) => n + r.relations.length, 0)).toBeGreaterThan(0);
    expect(b).toBe(a);
    const summary = (s: string): unknown => ({ ...JSON.parse(s), seconds: 0, out: '' });
    expect(summary(two.stdout)).toEqual(summary(one.stdout));
  });

  it('names a wrong model directory in one line, exit 2, from inside a worker thread', async () => {
    const bad = await emr(
      [
        'extract',
        '--ner',
        're',
        '--relations',
        're',
        '--data',
        'raw.txt',
        '--workers',
        '2',
        '--out',
        'bad.jsonl',
        '--quiet',
      ],
      tmp,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^emr-re extract: /);
    await expect(fs.access(path.join(tmp, 'bad.jsonl'))).rejects.toThrow();
  });

  it('rejects --workers that is not a positive integer', async () => {
    for (const value of ['0', '-1', '1.5', 'many']) {
      const r = await emr(
        ['extract', '--ner', 'ner', '--relations', 're', '--data', 'raw.txt', '--workers', value, '--out', 'x.jsonl'],
        tmp,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`emr-re extract: --workers must be a positive integer, got '${value}'\n`);
    }
  });
});

describe('emr-re predict --workers', () => {
  it('writes what --workers 1 writes, record for record, in input order', async () => {
    const base = ['predict', '--model', 're', '--data', 'test.jsonl', '--format', 'jsonl', '--quiet', '--json'];
    const one = await emr([...base, '--workers', '1', '--out', 'p1.jsonl'], tmp);
    expect(one.code).toBe(0);
    const two = await emr([...base, '--workers', '2', '--out', 'p2.jsonl'], tmp);
    expect(two.stderr).toBe('');
    expect(two.code).toBe(0);
    const [a, b] = [await read('p1.jsonl'), await read('p2.jsonl')];
    const parsed = a
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as EmrRecord);
    expect(parsed.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(parsed.reduce((n, r) => n + r.relations.length, 0)).toBeGreaterThan(0);
    expect(b).toBe(a);
    expect(JSON.parse(two.stdout).relations).toBe(JSON.parse(one.stdout).relations);
  });
});
