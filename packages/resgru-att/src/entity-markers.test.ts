/*
 * Typed entity markers (issue 16, `entityMarkers: 'typed'`): a validated config key absent by default, marker ids
 * after the vocabulary in the character embedding table of every architecture, the start marker read by 'start'
 * entity pooling, a task only the entity types decide, and a save/load round trip.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharVocabulary, entityMarkerCount, generateCandidates } from '@emr-re/tokenize';
import { EntitySpanMask, selectBackend } from '@emr-re/engine';
import { buildNetwork, networkInputs } from './architectures';
import { ARCHITECTURES, ConfigError, ModelConfig, validateConfig } from './config';
import { featureTensors } from './features';
import { ModelFormatError } from './manifest';
import { createRelationModel, loadRelationModel } from './model';
import { TOY_SCHEMA } from './__tests__/synthetic';
import { SHAPE, TYPES, candidates, expectPaddingIgnored, lossGradients, tiny, vocabulary } from './__tests__/tiny';
import { TYPED_SCHEMA, typedRecords } from './__tests__/typed';

const probe = candidates(6, 21);
const MARKERS = entityMarkerCount(TYPES.length); // 2 × (3 + 1) + 2 = 10

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('entityMarkers config key', () => {
  it('is absent by default, saved when on, and refuses bad values naming the key', () => {
    expect('entityMarkers' in tiny('pcnn')).toBe(false);
    expect(JSON.parse(JSON.stringify(tiny('pcnn', { entityMarkers: 'typed' })))).toMatchObject({
      entityMarkers: 'typed',
    });
    for (const [value, message] of [
      [{ entityMarkers: true }, /config key "entityMarkers": must be one of typed \(got true\)/],
      [{ entityMarkers: 'untyped' }, /entityMarkers.*typed/],
      [{ entityMarkers: 'typed', maxLength: 4 }, /entityMarkers.*maxLength above 4 \(got 4\)/],
    ] as const) {
      let err: unknown;
      try {
        validateConfig({ arch: 'pcnn', ...value });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe('entityMarkers');
      expect((err as ConfigError).message).toMatch(message);
    }
  });
});

describe.each([...ARCHITECTURES])('%s with typed entity markers', (arch) => {
  it('embeds the markers after the vocabulary, ignores padding, trains the marker rows, leaks nothing', () => {
    const config = tiny(arch, { entityMarkers: 'typed' });
    buildNetwork(config, SHAPE).dispose(); // first build may cache per-backend constants
    const before = tf.memory().numTensors;
    const network = buildNetwork(config, SHAPE);
    const table = network.getLayer('char_embedding').getWeights()[0];
    expect(table.shape).toEqual([vocabulary.size + MARKERS, 8]);
    const inputs = networkInputs(config);
    expect(inputs).toEqual(networkInputs(tiny(arch))); // markers live in the characters: no new input
    tf.tidy(() => {
      const features = featureTensors(probe, vocabulary, config, inputs, TYPES);
      const chars = features[inputs.indexOf('chars')].arraySync() as number[][];
      // Every window holds exactly four markers, the head's start marker among them.
      chars.forEach((row, b) => {
        expect(row.filter((id) => id >= vocabulary.size).length).toBe(4);
        expect(row).toContain(vocabulary.size + TYPES.indexOf(probe[b].head.type) + 1);
        expect(Math.max(...row)).toBeLessThan(vocabulary.size + MARKERS);
      });
      expect(expectPaddingIgnored(network, features, inputs).shape).toEqual([probe.length, 3]);
      const embedding = network.getLayer('char_embedding').trainableWeights[0].read() as tf.Variable;
      const grads = lossGradients(network, features, probe.length, [embedding]);
      const markerRows = tf.slice(grads[embedding.name], [vocabulary.size, 0], [MARKERS, 8]);
      // The start markers of the types in the probe and the two end markers get gradient.
      const used = tf.sum(tf.abs(markerRows), 1).arraySync() as number[];
      const usedIds = new Set(chars.flat().filter((id) => id >= vocabulary.size));
      usedIds.forEach((id) => expect(used[id - vocabulary.size]).toBeGreaterThan(0));
    });
    network.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('entity pooling with markers', () => {
  it("reads the start marker as the entity's first step ('start') and the markers as part of the span", () => {
    const config = tiny('pcnn', { entityMarkers: 'typed', entityPooling: 'start', maxLength: 64, maxDistance: 64 });
    const inputs = networkInputs(config);
    tf.tidy(() => {
      const features = featureTensors(probe, vocabulary, config, inputs, TYPES);
      const chars = features[inputs.indexOf('chars')].arraySync() as number[][];
      const anchor = config.maxDistance + 1;
      const start = new EntitySpanMask({ anchor, mode: 'start' }).apply(features[inputs.indexOf('headPosition')]);
      const span = new EntitySpanMask({ anchor }).apply(features[inputs.indexOf('headPosition')]);
      const S = (start as tf.Tensor).arraySync() as number[][];
      const P = (span as tf.Tensor).arraySync() as number[][];
      probe.forEach((c, b) => {
        const first = S[b].indexOf(1);
        expect(chars[b][first]).toBe(vocabulary.size + TYPES.indexOf(c.head.type) + 1); // [H:type]
        const last = P[b].lastIndexOf(1);
        expect(chars[b][last]).toBe(vocabulary.size + 2 * (TYPES.length + 1)); // [/H]
        // The toy entities never overlap: the head's span is its characters and its two markers, in one run.
        expect(P[b].filter((v) => v === 1).length).toBe(c.head.end - c.head.start + 2);
        expect(last - first + 1).toBe(c.head.end - c.head.start + 2);
      });
    });
  });
});

describe('typed entity markers', () => {
  it('learn a task that only the entity types decide, which the same network without them cannot', async () => {
    const train = typedRecords(160, 1).flatMap((r) => generateCandidates(r, TYPED_SCHEMA));
    const test = typedRecords(60, 2).flatMap((r) => generateCandidates(r, TYPED_SCHEMA));
    const vocab = CharVocabulary.build(train.map((c) => c.sentence.text));
    const accuracy = async (option: Partial<ModelConfig>): Promise<number> => {
      const config = tiny('cnn', { ...option, epochs: 8, learningRate: 0.02 });
      const model = await createRelationModel({ config, schema: TYPED_SCHEMA, vocabulary: vocab });
      await model.fit(train);
      const predictions = await model.predict(test);
      model.dispose();
      return predictions.filter((p) => p.label === p.candidate.label).length / predictions.length;
    };
    const withMarkers = await accuracy({ entityMarkers: 'typed' });
    const without = await accuracy({});
    expect(withMarkers).toBeGreaterThanOrEqual(0.95);
    expect(without).toBeLessThan(0.75);
  });

  it('save and load: the config keeps the key, the table its marker rows, the probabilities agree', async () => {
    const config = tiny('bigru-att', { entityMarkers: 'typed', entityPooling: 'start', entityAttention: true });
    const before = tf.memory().numTensors;
    const model = await createRelationModel({ config, schema: TOY_SCHEMA, vocabulary });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-markers-'));
    try {
      await model.fit(candidates(12, 5));
      await model.save(path.join(dir, 'm'));
      const saved = JSON.parse(await fs.readFile(path.join(dir, 'm', 'config.json'), 'utf8'));
      expect(saved.entityMarkers).toBe('typed');
      const loaded = await loadRelationModel(path.join(dir, 'm'));
      expect(loaded.config.entityMarkers).toBe('typed');
      expect(loaded.network.getLayer('char_embedding').getWeights()[0].shape[0]).toBe(vocabulary.size + MARKERS);
      const a = await model.predictProba(probe);
      const b = await loaded.predictProba(probe);
      a.forEach((row, i) => row.forEach((p, j) => expect(b[i][j]).toBeCloseTo(p, 6)));
      loaded.dispose();
      // A config.json without the key (manifest rewritten so that the checksum passes) no longer matches the
      // saved table: refused, naming the rows.
      delete saved.entityMarkers;
      const text = JSON.stringify(saved);
      await fs.writeFile(path.join(dir, 'm', 'config.json'), text);
      const manifest = JSON.parse(await fs.readFile(path.join(dir, 'm', 'manifest.json'), 'utf8'));
      manifest.files['config.json'] = {
        sha256: createHash('sha256').update(text).digest('hex'),
        bytes: Buffer.byteLength(text),
      };
      await fs.writeFile(path.join(dir, 'm', 'manifest.json'), JSON.stringify(manifest));
      const err = await loadRelationModel(path.join(dir, 'm')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as Error).message).toContain(
        `has ${vocabulary.size} tokens but the character embedding matrix has ${vocabulary.size + MARKERS} rows`,
      );
    } finally {
      model.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
