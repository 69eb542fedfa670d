import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@emr-re/engine';
import { scoreEntities } from '@emr-re/metrics';
import { splitsSurrogatePair } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { NerModelFormatError } from './errors';
import { loadNer } from './load';
import { NER_MODEL_FILES, isNerModelDirectory } from './manifest';
import { NerModel } from './model';
import { trainNer } from './trainer';
import { syntheticNerRecords } from './__tests__/synthetic';
import { toyConfig } from './__tests__/toy-config';

let tmp: string;
let model: NerModel;
const test = syntheticNerRecords(60, 3);

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-ner-model-'));
  model = await trainNer(syntheticNerRecords(160, 1), toyConfig({ epochs: 4 }), { dev: syntheticNerRecords(40, 2) });
});
afterAll(async () => {
  model.dispose();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Records joined into one document (entity offsets shifted), with `separator` between the texts. */
function joined(records: EmrRecord[], separator: (i: number) => string, strip = false): EmrRecord {
  let text = '';
  const entities: EmrRecord['entities'] = [];
  records.forEach((r, i) => {
    const piece = strip ? r.text.replace(/。/g, '的') : r.text;
    for (const e of r.entities)
      entities.push({ ...e, id: `e${entities.length}`, start: e.start + text.length, end: e.end + text.length });
    text += piece + separator(i);
  });
  return { id: 'long', text, entities, relations: [] };
}

describe('NerModel.recognize', () => {
  it('returns records with typed, scored entities in text order', async () => {
    const [out] = await model.recognize([{ id: 'x', text: '他患糖尿病，见头痛，服胰岛素。' }]);
    expect(out.id).toBe('x');
    expect(out.relations).toEqual([]);
    expect(out.entities.map((e) => [e.id, e.type, e.start, e.end, e.text])).toEqual([
      ['e0', 'D', 2, 5, '糖尿病'],
      ['e1', 'S', 7, 9, '头痛'],
      ['e2', 'M', 11, 14, '胰岛素'],
    ]);
    for (const e of out.entities) {
      expect(e.score).toBeGreaterThan(0.5);
      expect(e.score).toBeLessThanOrEqual(1 + 1e-6);
    }
  });

  it('names string inputs, keeps other fields of objects, and handles empty texts', async () => {
    const out = await model.recognize(['患肺炎', { text: '', extra: 1 } as never, { id: 'k', text: '服青霉素' }]);
    expect(out.map((r) => r.id)).toEqual(['text-1', 'text-2', 'k']);
    expect(out[1]).toEqual({ id: 'text-2', text: '', extra: 1, entities: [], relations: [] });
    expect(out[2].entities.map((e) => e.text)).toEqual(['青霉素']);
    await expect(model.recognize([{ id: 'bad', text: 5 } as never])).rejects.toThrow(/record bad: field text/);
  });

  it('filters by minScore', async () => {
    const [all] = await model.recognize([test[0].text]);
    const [none] = await model.recognize([test[0].text], { minScore: 1.01 });
    expect(all.entities.length).toBeGreaterThan(0);
    expect(none.entities).toEqual([]);
  });

  it('reads long texts through windows: many sentences, and one long sentence in overlapping windows', async () => {
    const sentences = joined(test.slice(0, 30), () => '');
    const oneSentence = joined(test.slice(30, 60), () => '', true);
    expect(sentences.text.length).toBeGreaterThan(10 * model.config.maxLength);
    expect(oneSentence.text).not.toMatch(/。/);
    const predicted = await model.recognize([sentences, oneSentence]);
    for (const [gold, pred] of [
      [sentences, predicted[0]],
      [oneSentence, predicted[1]],
    ]) {
      expect(scoreEntities([gold], [pred]).micro.f1).toBeGreaterThanOrEqual(0.9);
      // no duplicates or overlaps where windows overlapped
      pred.entities.forEach((e, i) => i > 0 && expect(e.start).toBeGreaterThanOrEqual(pred.entities[i - 1].end));
      for (const e of pred.entities) expect(pred.text.slice(e.start, e.end)).toBe(e.text);
    }
  });

  it('keeps offsets in UTF-16 code units and never splits a surrogate pair', async () => {
    const records = test.slice(0, 20).map((r) => ({
      ...r,
      // an astral character in the filler before every mention shifts the offsets by 2 code units each time
      text: r.text.replace(/[患见服]/g, (c) => `𠮷${c}`),
      entities: r.entities.map((e) => {
        const shift = 2 * (r.text.slice(0, e.start).match(/[患见服]/g)?.length ?? 0);
        return { ...e, start: e.start + shift, end: e.end + shift };
      }),
    }));
    const long = joined(records, () => '𠮷', true);
    const [pred] = await model.recognize([long]);
    for (const e of pred.entities) {
      expect(splitsSurrogatePair(long.text, e.start) || splitsSurrogatePair(long.text, e.end)).toBe(false);
    }
    expect(scoreEntities([long], [pred]).micro.f1).toBeGreaterThanOrEqual(0.85);
  });

  it('leaks no tensors', async () => {
    await model.recognize(['预热']);
    const before = tf.memory().numTensors;
    await model.recognize(
      test.slice(0, 10).map((r) => r.text),
      { batchSize: 3 },
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('save and loadNer', () => {
  it('round-trips a model that predicts identically, leak-free', async () => {
    const dir = path.join(tmp, 'model');
    await model.save(dir);
    expect((await fs.readdir(dir)).sort()).toEqual([...NER_MODEL_FILES, 'manifest.json'].sort());
    expect(await isNerModelDirectory(dir)).toBe(true);
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'emr-re-ner-model',
      formatVersion: 1,
      arch: 'bigru-crf',
      types: ['D', 'M', 'S'],
    });
    expect(JSON.parse(await fs.readFile(path.join(dir, 'tags.json'), 'utf8')).tags).toEqual(model.scheme.tags);

    const before = tf.memory().numTensors;
    const loaded = await loadNer(dir);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.types).toEqual(model.types);
    const texts = test.map((r) => ({ id: r.id, text: r.text }));
    expect(await loaded.recognize(texts)).toEqual(await model.recognize(texts));
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // saving again replaces the earlier model directory
    await model.save(dir);
    expect(await isNerModelDirectory(dir)).toBe(true);
  });

  it.each([
    ['weights.bin', 'network weights'],
    ['crf.bin', 'CRF weights'],
    ['tags.json', 'tag scheme'],
    ['vocabulary.json', 'vocabulary'],
  ])('refuses a damaged %s (%s) by its checksum, leak-free', async (file) => {
    const dir = path.join(tmp, `damaged-${file}`);
    await model.save(dir);
    const bytes = await fs.readFile(path.join(dir, file));
    bytes[bytes.length >> 1] ^= 0x01;
    await fs.writeFile(path.join(dir, file), bytes);
    const before = tf.memory().numTensors;
    const error = await loadNer(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NerModelFormatError);
    expect((error as NerModelFormatError).file).toBe(path.join(dir, file));
    expect((error as Error).message).toMatch(/does not match the SHA-256 in manifest.json/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a missing file, a foreign directory and a relation model, and never replaces a foreign directory', async () => {
    const dir = path.join(tmp, 'missing');
    await model.save(dir);
    await fs.rm(path.join(dir, 'crf.json'));
    await expect(loadNer(dir)).rejects.toThrow(/crf.json: is missing/);

    const foreign = path.join(tmp, 'foreign');
    await fs.mkdir(foreign);
    await fs.writeFile(path.join(foreign, 'notes.txt'), 'mine');
    expect(await isNerModelDirectory(foreign)).toBe(false);
    await expect(loadNer(foreign)).rejects.toThrow(/manifest.json: not found/);
    await expect(model.save(foreign)).rejects.toThrow(/not replaced/);
    expect(await fs.readFile(path.join(foreign, 'notes.txt'), 'utf8')).toBe('mine');

    const relation = path.join(tmp, 'relation');
    await fs.mkdir(relation);
    await fs.writeFile(
      path.join(relation, 'manifest.json'),
      JSON.stringify({ format: 'emr-re-model', formatVersion: 1 }),
    );
    expect(await isNerModelDirectory(relation)).toBe(false);
    await expect(loadNer(relation)).rejects.toThrow(/is not a NER model manifest/);
  });
});
