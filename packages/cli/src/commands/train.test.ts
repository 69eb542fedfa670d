import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSchema, openCorpus, readAllRecords, writeJsonl } from '@emr-re/tokenize';
import { sharedData } from '../../../../test/shared-data';
import { runCli } from '../__tests__/run-cli';

const CMEIE = sharedData('cmeie/train.jsonl');

const emr = runCli;

/** A tiny CNN config so that the end-to-end CLI runs take seconds. */
const TINY = JSON.stringify({
  arch: 'cnn',
  maxLength: 48,
  charDim: 16,
  positionDim: 4,
  maxDistance: 48,
  cnn: { filters: 16, windows: [3], blocks: 1 },
  batchSize: 32,
  learningRate: 0.005,
  epochs: 2,
});

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-cli-model-'));
  const lines = (await fs.readFile(CMEIE, 'utf8')).split('\n').slice(0, 40).join('\n') + '\n';
  await fs.writeFile(path.join(tmp, 'slice.cmeie.jsonl'), lines);
  // The same records in canonical JSONL, so gold and predictions share one format.
  const schema = await loadSchema('cmeie');
  const records = await readAllRecords(openCorpus(path.join(tmp, 'slice.cmeie.jsonl'), 'cmeie', { schema }));
  await writeJsonl(path.join(tmp, 'gold.jsonl'), records);
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('emr-re train / predict / evaluate --model', () => {
  it('trains from CMeIE lines, writes a verified model directory and a JSON report', async () => {
    const r = await emr(
      [
        'train',
        '--train',
        'slice.cmeie.jsonl',
        '--dev',
        'slice.cmeie.jsonl',
        '--format',
        'cmeie',
        '--schema',
        'cmeie',
        '--config',
        TINY,
        '--epochs',
        '1',
        '--seed',
        '3',
        '--backend',
        'wasm',
        '--out',
        'model',
        '--json',
      ],
      tmp,
    );
    expect(r.stderr).not.toMatch(/Error|at /);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ arch: 'cnn', backend: 'wasm', records: 40, epochs: 1, bestEpoch: 1 });
    expect(report.candidates).toBeGreaterThan(40);
    expect(report.loss).toHaveLength(1);
    expect(report.devMacroF1).toHaveLength(1);
    const config = JSON.parse(await fs.readFile(path.join(tmp, 'model', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ arch: 'cnn', epochs: 1, seed: 3, crossSentence: true, maxLength: 48 });
    expect(existsSync(path.join(tmp, 'model', 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(tmp, 'model.checkpoint'))).toBe(false);
    // plain progress lines on a non-TTY
    expect(r.stderr).toMatch(/^train \d+\/\d+ .*epoch 1 loss/m);
  });

  it('predict writes every record with scored relations, and evaluate --model equals evaluate --gold/--pred on them', async () => {
    const p = await emr(
      ['predict', '--model', 'model', '--data', 'gold.jsonl', '--format', 'jsonl', '--out', 'pred.jsonl', '--json'],
      tmp,
    );
    expect(p.code).toBe(0);
    const summary = JSON.parse(p.stdout);
    const lines = (await fs.readFile(path.join(tmp, 'pred.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(summary).toEqual({
      records: 40,
      relations: lines.reduce((n, r) => n + r.relations.length, 0),
      out: path.join(tmp, 'pred.jsonl'),
    });
    for (const r of lines) for (const rel of r.relations) expect(rel.score).toBeGreaterThan(0);

    const byModel = await emr(
      ['evaluate', '--model', 'model', '--data', 'gold.jsonl', '--format', 'jsonl', '--json'],
      tmp,
    );
    expect(byModel.code).toBe(0);
    const byFiles = await emr(
      ['evaluate', '--gold', 'gold.jsonl', '--pred', 'pred.jsonl', '--format', 'jsonl', '--json'],
      tmp,
    );
    expect(byFiles.code).toBe(0);
    const m = JSON.parse(byModel.stdout);
    expect(m).toEqual(JSON.parse(byFiles.stdout));
    expect(Object.keys(m)).toEqual(expect.arrayContaining(['micro', 'macro', 'perClass', 'support']));
    expect(m.support).toBeGreaterThan(0);
  });

  it('initialises character embeddings from a word2vec text file (--embeddings)', async () => {
    const vector = Array.from({ length: 16 }, (_, i) => (i / 32).toFixed(5)).join(' ');
    await fs.writeFile(path.join(tmp, 'chars.vec'), `2 16\n病 ${vector}\n癌 ${vector}\n`);
    const r = await emr(
      [
        'train',
        '--train',
        'gold.jsonl',
        '--format',
        'jsonl',
        '--schema',
        'cmeie',
        '--config',
        // One epoch at a learning rate that cannot move a weight by 1e-5: the rows stay the file's vectors.
        JSON.stringify({ ...JSON.parse(TINY), learningRate: 1e-8 }),
        '--epochs',
        '1',
        '--embeddings',
        'chars.vec',
        '--out',
        'with-vectors',
      ],
      tmp,
    );
    expect(r.stderr).toBe(r.stderr.replace(/Error/g, ''));
    expect(r.code).toBe(0);
    const vocabulary = JSON.parse(await fs.readFile(path.join(tmp, 'with-vectors', 'vocabulary.json'), 'utf8'))
      .tokens as string[];
    const weights = new Float32Array(
      (await fs.readFile(path.join(tmp, 'with-vectors', 'weights.bin'))).buffer.slice(0),
    );
    const modelJson = JSON.parse(await fs.readFile(path.join(tmp, 'with-vectors', 'model.json'), 'utf8'));
    // the char embedding is the first weight in the manifest; rows of 病 and 癌 hold the file's vector
    expect(modelJson.weightsManifest[0].weights[0].name).toMatch(/char_embedding/);
    for (const ch of ['病', '癌']) {
      const row = Array.from(weights.subarray(vocabulary.indexOf(ch) * 16, vocabulary.indexOf(ch) * 16 + 16));
      row.forEach((v, i) => expect(v).toBeCloseTo(Number(vector.split(' ')[i]), 5));
    }
    const bad = await emr(
      [
        'train',
        '--train',
        'gold.jsonl',
        '--format',
        'jsonl',
        '--schema',
        'cmeie',
        '--arch',
        'cnn',
        '--preset',
        'small',
        '--embeddings',
        'chars.vec',
        '--out',
        'x',
      ],
      tmp,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/config key "charDim": is 64 but the pretrained embeddings have dimension 16/);
  });

  it.each([
    [['train', '--bogus'], /^emr-re train: Unknown option '--bogus'/],
    [
      ['train', '--format', 'cmeie', '--schema', 'cmeie', '--arch', 'cnn', '--out', 'x'],
      /^emr-re train: --train FILE is required\n$/,
    ],
    [
      ['train', '--train', 'gold.jsonl', '--format', 'jsonl', '--schema', 'cmeie', '--arch', 'cnn'],
      /^emr-re train: --out DIR is required\n$/,
    ],
    [
      ['train', '--train', 'gold.jsonl', '--format', 'jsonl', '--schema', 'cmeie', '--arch', 'lstm', '--out', 'x'],
      /--arch must be one of cnn, cnn-att/,
    ],
    [
      [
        'train',
        '--train',
        'gold.jsonl',
        '--format',
        'jsonl',
        '--schema',
        'cmeie',
        '--config',
        '{"cnn":{"filter":3}}',
        '--out',
        'x',
      ],
      /^emr-re train: --config: config key "cnn\.filter": unknown key\n$/,
    ],
    [
      [
        'train',
        '--train',
        'gold.jsonl',
        '--format',
        'jsonl',
        '--schema',
        'cmeie',
        '--arch',
        'cnn',
        '--config',
        '{}',
        '--out',
        'x',
      ],
      /--config is exclusive with --arch/,
    ],
    [
      ['train', '--train', 'gold.jsonl', '--format', 'xml', '--schema', 'cmeie', '--arch', 'cnn', '--out', 'x'],
      /--format must be one of/,
    ],
    [
      [
        'train',
        '--train',
        'gold.jsonl',
        '--format',
        'jsonl',
        '--schema',
        'cmeie',
        '--arch',
        'cnn',
        '--epochs',
        'two',
        '--out',
        'x',
      ],
      /--epochs must be a positive integer, got 'two'/,
    ],
    [
      ['predict', '--model', 'nowhere', '--data', 'gold.jsonl', '--format', 'jsonl', '--out', 'p.jsonl'],
      /--model .*nowhere: no such file/,
    ],
    [['evaluate', '--model', '.', '--data', 'gold.jsonl', '--format', 'jsonl'], /manifest\.json: not found/],
  ])('%j fails with exit code 2 and one line', async (args, message) => {
    const r = await emr(args as string[], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(tmp, 'x'))).toBe(false);
  });
});
