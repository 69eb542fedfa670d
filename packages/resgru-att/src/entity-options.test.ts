/*
 * The entity-aware options of issue 16 (entityTypes, entityPooling, entityAttention): validated config keys that
 * are absent by default, parts that compose with any encoder, and what each one changes in the network.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CharVocabulary, generateCandidates } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/engine';
import { buildNetwork, networkInputs } from './architectures';
import { Architecture, ConfigError, ModelConfig, validateConfig } from './config';
import { entityTypeIds, featureTensors } from './features';
import { createRelationModel, loadRelationModel } from './model';
import { TOY_SCHEMA } from './__tests__/synthetic';
import { SHAPE, TYPES, candidates, expectPaddingIgnored, lossGradients, tiny, vocabulary } from './__tests__/tiny';
import { TYPED_SCHEMA, typedRecords } from './__tests__/typed';

const OPTIONS: Array<[string, Partial<ModelConfig>]> = [
  ['entityTypes', { entityTypes: true }],
  ['entityPooling max', { entityPooling: 'max' }],
  ['entityPooling start', { entityPooling: 'start' }],
  ['entityAttention', { entityAttention: true }],
  ['all three', { entityTypes: true, entityPooling: 'max', entityAttention: true }],
];
const ARCHS: Architecture[] = ['resgru-att', 'pcnn', 'bigru-att'];

const probe = candidates(6, 21);

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('entity option config keys', () => {
  it('are absent by default and written only when on', () => {
    const plain = tiny('resgru-att');
    for (const key of ['entityTypes', 'entityPooling', 'entityAttention']) expect(key in plain).toBe(false);
    const off = tiny('resgru-att', { entityTypes: false, entityAttention: false });
    expect('entityTypes' in off || 'entityAttention' in off).toBe(false);
    const on = tiny('resgru-att', { entityTypes: true, entityPooling: 'start', entityAttention: true });
    expect(JSON.parse(JSON.stringify(on))).toMatchObject({
      entityTypes: true,
      entityPooling: 'start',
      entityAttention: true,
    });
  });

  it('refuse bad values and entity attention on an architecture without attention, naming the key', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ entityTypes: 'yes' }, /entityTypes.*true or false/],
      [{ entityPooling: 'mean' }, /entityPooling.*max, start/],
      [{ entityAttention: 1 }, /entityAttention.*true or false/],
      [{ arch: 'pcnn', entityAttention: true }, /entityAttention.*pcnn has no attention/],
      [{ arch: 'resgru', entityAttention: true }, /entityAttention/],
    ];
    for (const [value, message] of bad) {
      expect(() => validateConfig({ arch: 'resgru-att', ...value })).toThrow(ConfigError);
      expect(() => validateConfig({ arch: 'resgru-att', ...value })).toThrow(message);
    }
  });
});

describe('entity type ids', () => {
  it('are the index in the schema types + 1, and 0 for a type the schema lacks', () => {
    const [c] = probe;
    const foreign = { ...c, tail: { ...c.tail, type: 'X' } };
    expect(Array.from(entityTypeIds([c, foreign], TYPES))).toEqual([
      TYPES.indexOf(c.head.type) + 1,
      TYPES.indexOf(c.tail.type) + 1,
      TYPES.indexOf(c.head.type) + 1,
      0,
    ]);
  });
});

/** The classifier's input width: what the encoder hands over. */
const classifierWidth = (network: tfl.LayersModel): number =>
  network.getLayer('classifier').getWeights()[0].shape[0] as number;

describe.each(ARCHS)('%s with entity options', (arch) => {
  let plainWidth = 0;
  beforeAll(() => {
    const n = buildNetwork(tiny(arch), SHAPE);
    plainWidth = classifierWidth(n);
    n.dispose();
  });

  // PCNN has no attention pooling: entity attention is refused for it (tested above); its combination is the other two.
  const options: Array<[string, Partial<ModelConfig>]> =
    arch === 'pcnn'
      ? [...OPTIONS.filter(([, o]) => !o.entityAttention), ['both', { entityTypes: true, entityPooling: 'max' }]]
      : OPTIONS;
  it.each(options)('%s: shapes, padding ignored, gradients to the new weights, no leaks', (_name, option) => {
    const config = tiny(arch, option);
    buildNetwork(config, SHAPE).dispose(); // first build may cache per-backend constants
    const before = tf.memory().numTensors;
    const network = buildNetwork(config, SHAPE);
    const inputs = networkInputs(config);
    expect(inputs.includes('entityTypes')).toBe(option.entityTypes === true);
    expect(network.inputs.map((i) => i.name.split('_')[0])).toEqual(expect.arrayContaining([...inputs]));
    const names = network.layers.map((l) => l.name);
    if (option.entityTypes) expect(names).toContain('entity_type_embedding');
    if (option.entityAttention)
      expect(network.layers.some((l) => l.getClassName() === 'EmrEntityAwareAttention')).toBe(true);
    // Entity pooling adds the head's and the tail's states (2 × d) to every pooling: the classifier input grows by
    // the states' widths (ResGRU-Att: two branches; PCNN: its 3 pieces + 2).
    const pooledWidth = classifierWidth(network);
    if (option.entityPooling) {
      const stateWidth = { 'resgru-att': 6 + 12, pcnn: 6, 'bigru-att': 12 }[arch as 'pcnn'];
      expect(pooledWidth).toBe(plainWidth + 2 * stateWidth);
      expect(names.filter((n) => n.endsWith('_head')).length).toBe(arch === 'resgru-att' ? 2 : 1);
    } else expect(pooledWidth).toBe(plainWidth);

    tf.tidy(() => {
      const features = featureTensors(probe, vocabulary, config, inputs, TYPES);
      // Scribble on the padding of chars and positions: the output must not move.
      expect(expectPaddingIgnored(network, features, inputs).shape).toEqual([probe.length, 3]);
      // Gradients of a loss reach every weight, the new ones included.
      const vars = network.trainableWeights.map((w) => w.read() as tf.Variable);
      const grads = lossGradients(network, features, probe.length, vars);
      const dead = vars
        .filter((v) => /entity|_head|_tail|attention/.test(v.name))
        .filter((v) => !/bias/.test(v.name) || /entity/.test(v.name))
        .filter((v) => tf.sum(tf.abs(grads[v.name])).dataSync()[0] === 0)
        .map((v) => v.name);
      expect(dead).toEqual([]);
      if (option.entityTypes) expect(vars.some((v) => v.name.includes('entity_type_embedding'))).toBe(true);
    });
    network.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves and loads with every option on, predicting the same probabilities', async () => {
    const option = arch === 'pcnn' ? { entityTypes: true, entityPooling: 'start' as const } : OPTIONS[4][1];
    const config = tiny(arch, option);
    const before = tf.memory().numTensors;
    const model = await createRelationModel({ config, schema: TOY_SCHEMA, vocabulary });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-entity-'));
    try {
      await model.fit(candidates(12, 5));
      await model.save(path.join(dir, 'm'));
      const saved = JSON.parse(await fs.readFile(path.join(dir, 'm', 'config.json'), 'utf8'));
      expect(saved).toMatchObject(option);
      const loaded = await loadRelationModel(path.join(dir, 'm'));
      expect(loaded.inputs).toEqual(model.inputs);
      const a = await model.predictProba(probe);
      const b = await loaded.predictProba(probe);
      a.forEach((row, i) => row.forEach((p, j) => expect(b[i][j]).toBeCloseTo(p, 6)));
      loaded.dispose();
    } finally {
      model.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('entity pooling', () => {
  it("hands over the encoder's states at the head and the tail: their max over the span, or the span's first", () => {
    for (const mode of ['max', 'start'] as const) {
      // Windows of 64 hold every toy sentence whole, so character k of the window is character k of the sentence.
      const config = tiny('bigru-att', { entityPooling: mode, maxLength: 64, maxDistance: 64 });
      const network = buildNetwork(config, SHAPE);
      const inputs = networkInputs(config);
      tf.tidy(() => {
        const features = featureTensors(probe, vocabulary, config, inputs, TYPES);
        const rnn = network.getLayer('rnn_attention').input as tfl.SymbolicTensor[];
        const head = network.getLayer('rnn_attention_head').output as tfl.SymbolicTensor;
        // A model over the same layers and weights that outputs the attention's states H and the pooled head.
        const states = tfl.model({ inputs: network.inputs, outputs: [rnn[0], head] });
        const [h, pooled] = states.predict(features) as tf.Tensor[];
        const H = h.arraySync() as number[][][];
        const P = pooled.arraySync() as number[][];
        probe.forEach((c, b) => {
          const start = c.head.start - c.sentence.start;
          const end = c.head.end - c.sentence.start;
          const expected = H[b][start].map((_, k) =>
            mode === 'start' ? H[b][start][k] : Math.max(...H[b].slice(start, end).map((row) => row[k])),
          );
          expected.forEach((v, k) => expect(P[b][k]).toBeCloseTo(v, 5));
        });
      });
      network.dispose();
    }
  });
});

describe('entity-type input', () => {
  it('learns a task that only the entity types decide, which the same network without it cannot', async () => {
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
    const withTypes = await accuracy({ entityTypes: true });
    const without = await accuracy({});
    expect(withTypes).toBeGreaterThanOrEqual(0.95);
    expect(without).toBeLessThan(0.75);
  });
});
