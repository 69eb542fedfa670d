import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharVocabulary, UNKNOWN_LABEL, generateCandidates } from '@emr-re/tokenize';
import type { Candidate, EmbeddingSource } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/engine';
import { ConfigError, validateConfig } from './config';
import { loadModel } from './extractor';
import { ModelFormatError } from './manifest';
import { RelationModel, createRelationModel, loadRelationModel } from './model';
import { train } from './train';
import { TOY_LABELS, TOY_SCHEMA, syntheticRecords } from './__tests__/synthetic';

const config = validateConfig({
  arch: 'resgru-att',
  maxLength: 32,
  charDim: 8,
  positionDim: 4,
  maxDistance: 32,
  cnn: { filters: 6, windows: [3, 5], blocks: 1 },
  rnn: { units: 6, layers: 1 },
  dropout: 0.1,
  batchSize: 16,
  learningRate: 0.01,
  epochs: 10,
  seed: 9,
});
const trainRecords = syntheticRecords(80, 21);
const devRecords = syntheticRecords(30, 22);
const devCandidates: Candidate[] = devRecords.flatMap((r) => generateCandidates(r, TOY_SCHEMA));

let tmp: string;
let model: RelationModel;
const tensorsAfterEpoch: number[] = [];
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-model-'));
  model = await train(trainRecords, config, {
    schema: TOY_SCHEMA,
    dev: devRecords,
    onProgress: (e) => {
      if (e.phase === 'epoch') tensorsAfterEpoch.push(tf.memory().numTensors);
    },
  });
});
afterAll(async () => {
  model.dispose();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('train', () => {
  it('trains a model from records with a vocabulary of their characters and a fit report', () => {
    expect(model.labels).toEqual(TOY_LABELS);
    expect(model.vocabulary.id('见')).toBeGreaterThan(1);
    expect(model.lastFitReport?.epochs).toBeGreaterThan(0);
    expect(Math.max(...(model.lastFitReport?.devMacroF1 ?? [0]))).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps tensor memory flat across epochs (resgru-att)', () => {
    expect(tensorsAfterEpoch.length).toBeGreaterThan(2);
    expect(new Set(tensorsAfterEpoch).size).toBe(1);
  });
});

describe('predict', () => {
  it('gives label and score = the argmax of predictProba, and the stream gives the same in order', async () => {
    const rows = await model.predictProba(devCandidates);
    const predictions = await model.predict(devCandidates);
    expect(rows).toHaveLength(devCandidates.length);
    predictions.forEach((p, i) => {
      const row = Array.from(rows[i]);
      expect(p.candidate).toBe(devCandidates[i]);
      expect(p.score).toBe(Math.max(...row));
      expect(p.label).toBe(TOY_LABELS[row.indexOf(p.score)]);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
    async function* source(): AsyncIterable<Candidate> {
      yield* devCandidates;
    }
    const streamed = [];
    for await (const p of model.predictStream(source(), { batchSize: 7 })) streamed.push(p);
    expect(streamed.map((p) => [p.label, p.score])).toEqual(predictions.map((p) => [p.label, p.score]));
  });

  it('does not leak tensors', async () => {
    await model.predictProba(devCandidates.slice(0, 3));
    const before = tf.memory().numTensors;
    await model.predictProba(devCandidates);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('save and load', () => {
  it('round-trips: identical probabilities, config, labels, schema and vocabulary', async () => {
    const dir = path.join(tmp, 'model');
    await model.save(dir);
    const files = (await fs.readdir(dir)).sort();
    // Trained with a dev set, so its scores were calibrated: calibration.json holds the temperature.
    expect(files).toEqual([
      'calibration.json',
      'config.json',
      'labels.json',
      'manifest.json',
      'model.json',
      'schema.json',
      'vocabulary.json',
      'weights.bin',
    ]);
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'emr-re-model',
      formatVersion: 1,
      arch: 'resgru-att',
      tfjsVersion: tf.version_core,
    });
    expect(Object.keys(manifest.files).sort()).toEqual(files.filter((f) => f !== 'manifest.json'));
    const loaded = await loadRelationModel(dir);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.labels).toEqual(model.labels);
    expect(loaded.schema).toEqual(TOY_SCHEMA);
    expect(loaded.vocabulary.tokens).toEqual(model.vocabulary.tokens);
    const a = await model.predictProba(devCandidates);
    const b = await loaded.predictProba(devCandidates);
    expect(b.map((r) => Array.from(r))).toEqual(a.map((r) => Array.from(r)));
    // saving again over an existing directory replaces it atomically and leaves no temp dirs
    await loaded.save(dir);
    expect((await fs.readdir(tmp)).filter((f) => f.includes('.tmp') || f.endsWith('.old'))).toEqual([]);
    loaded.dispose();
  });

  it('load() replaces the state of an existing model', async () => {
    const dir = path.join(tmp, 'model-replace');
    await model.save(dir);
    const other = await createRelationModel({
      config: { ...config, seed: 1 },
      schema: TOY_SCHEMA,
      vocabulary: model.vocabulary,
    });
    await other.load(dir);
    const a = await model.predictProba(devCandidates.slice(0, 4));
    const b = await other.predictProba(devCandidates.slice(0, 4));
    expect(b.map((r) => Array.from(r))).toEqual(a.map((r) => Array.from(r)));
    other.dispose();
  });

  it.each([
    [
      'a weight file altered',
      'weights.bin',
      (b: Buffer) => ((b[10] ^= 1), b),
      /weights\.bin: does not match the SHA-256/,
    ],
    [
      'a config edited',
      'config.json',
      (b: Buffer) => Buffer.from(b.toString().replace('"seed": 9', '"seed": 8')),
      /config\.json: does not match the SHA-256/,
    ],
    [
      'the manifest from a future version',
      'manifest.json',
      (b: Buffer) => Buffer.from(b.toString().replace('"formatVersion": 1', '"formatVersion": 2')),
      /manifest\.json: format version 2 is not supported/,
    ],
    ['the manifest missing', 'manifest.json', null, /manifest\.json: not found/],
    ['the vocabulary missing', 'vocabulary.json', null, /vocabulary\.json: is missing/],
  ])('refuses a directory with %s (typed ModelFormatError naming the file)', async (_what, file, change, message) => {
    const dir = path.join(tmp, `bad-${file}-${change ? 'edit' : 'rm'}`);
    await model.save(dir);
    const target = path.join(dir, file);
    if (change) await fs.writeFile(target, change(await fs.readFile(target)));
    else await fs.rm(target);
    const err = await loadRelationModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(dir);
  });

  it('refuses a vocabulary that does not match the character embedding matrix, even with a rewritten manifest', async () => {
    const dir = path.join(tmp, 'bad-vocabulary-size');
    await model.save(dir);
    const rows = model.vocabulary.size;
    // an unmodified model loads
    const before = tf.memory().numTensors;
    const ok = await loadRelationModel(dir);
    expect(ok.vocabulary.size).toBe(rows);
    ok.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // one token more, and the manifest rewritten so that the checksum passes
    const vocabulary = JSON.parse(await fs.readFile(path.join(dir, 'vocabulary.json'), 'utf8'));
    vocabulary.tokens.push('\u{10FFFD}');
    const text = JSON.stringify(vocabulary);
    await fs.writeFile(path.join(dir, 'vocabulary.json'), text);
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    manifest.files['vocabulary.json'] = {
      sha256: createHash('sha256').update(text).digest('hex'),
      bytes: Buffer.byteLength(text),
    };
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

    const err = await loadRelationModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as ModelFormatError).file).toBe(path.join(dir, 'vocabulary.json'));
    expect((err as Error).message).toContain(
      `vocabulary.json: has ${rows + 1} tokens but the character embedding matrix has ${rows} rows`,
    );
    // the network loaded before the check is disposed
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('loadModel (serving)', () => {
  it('fills records with the predicted relations (label ≠ unknown, with score) and leaves inputs untouched', async () => {
    const dir = path.join(tmp, 'serve');
    await model.save(dir);
    const m = await loadModel(dir);
    const input = devRecords.map((r) => JSON.parse(JSON.stringify({ ...r, relations: [] })));
    const out = await m.predict(input);
    expect(input.every((r) => r.relations.length === 0)).toBe(true);
    expect(out.map((r) => r.id)).toEqual(devRecords.map((r) => r.id));
    const predictions = await model.predict(devCandidates);
    const expected = predictions.filter((p) => p.label !== UNKNOWN_LABEL);
    const got = out.flatMap((r) => r.relations.map((x) => ({ id: r.id, ...x })));
    expect(got).toEqual(
      expected.map((p) => ({
        id: p.candidate.recordId,
        head: p.candidate.head.id,
        tail: p.candidate.tail.id,
        label: p.label,
        score: p.score,
      })),
    );
    const streamed = [];
    for await (const r of m.predictStream(input, { batchSize: 4 })) streamed.push(r);
    expect(streamed).toEqual(out);
    // The toy task is learnt: the predicted relations are the gold ones.
    let agree = 0;
    let total = 0;
    out.forEach((r, i) => {
      const gold = new Set(devRecords[i].relations.map((x) => `${x.head}>${x.tail}:${x.label}`));
      const pred = new Set(r.relations.map((x) => `${x.head}>${x.tail}:${x.label}`));
      total += new Set([...gold, ...pred]).size;
      agree += [...gold].filter((g) => pred.has(g)).length;
    });
    expect(agree / total).toBeGreaterThan(0.9);
    m.dispose();
  });

  it('rejects an entity with bad offsets naming record and field', async () => {
    const dir = path.join(tmp, 'serve2');
    await model.save(dir);
    const m = await loadModel(dir);
    const bad = { id: 'r9', text: '糖尿病', entities: [{ id: 'a', type: 'D', start: 2, end: 9 }] };
    await expect(m.predict([bad])).rejects.toThrow(
      'record r9: field entities[0].end: must be an integer in (start, text length]',
    );
    m.dispose();
  });
});

describe('pretrained character embeddings', () => {
  it('initialise the rows of known characters and must have dimension charDim', async () => {
    const vocabulary = CharVocabulary.build(['见治的']);
    const vec = Float32Array.from({ length: 8 }, (_, i) => i / 10);
    const source: EmbeddingSource = {
      dim: 8,
      size: 2,
      has: (t) => t === '见' || t === '糖尿病',
      lookup: (t) => (t === '见' || t === '糖尿病' ? vec : undefined),
      entries: function* () {
        yield ['见', vec] as [string, Float32Array];
        yield ['糖尿病', vec] as [string, Float32Array];
      },
    };
    const m = await createRelationModel({ config, schema: TOY_SCHEMA, vocabulary, embeddings: source });
    const table = m.network.getLayer('char_embedding').getWeights()[0].arraySync() as number[][];
    expect(table[vocabulary.id('见')].map((v) => Math.round(v * 10) / 10)).toEqual(
      Array.from(vec, (v) => Math.round(v * 10) / 10),
    );
    expect(table[vocabulary.id('治')]).not.toEqual(table[vocabulary.id('见')]);
    m.dispose();
    await expect(
      createRelationModel({ config: { ...config, charDim: 9 }, schema: TOY_SCHEMA, vocabulary, embeddings: source }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});
