import * as tf from '@tensorflow/tfjs-core';
import { CharVocabulary, generateCandidates } from '@emr-re/tokenize';
import type { Candidate } from '@emr-re/tokenize';
import { buildNetwork, inputsOf } from './architectures';
import { selectBackend } from '@emr-re/engine';
import { ARCHITECTURES, Architecture, ModelConfig, validateConfig } from './config';
import { featureTensors } from './features';
import { createRelationModel } from './model';
import { devMacroF1 } from './trainer';
import { TOY_SCHEMA, syntheticRecords } from './__tests__/synthetic';

/** A tiny configuration of `arch` that trains in seconds. */
function tiny(arch: Architecture, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return validateConfig({
    arch,
    maxLength: 32,
    charDim: 16,
    positionDim: 6,
    maxDistance: 32,
    cnn: { filters: 12, windows: [3, 5], blocks: 1 },
    rnn: { units: 12, layers: 1 },
    dropout: 0.1,
    batchSize: 16,
    learningRate: 0.01,
    epochs: 12,
    seed: 3,
    ...overrides,
  });
}

const candidates = (n: number, seed: number): Candidate[] =>
  syntheticRecords(n, seed).flatMap((r) => generateCandidates(r, TOY_SCHEMA));
const train = candidates(100, 11);
const dev = candidates(40, 12);
const vocabulary = CharVocabulary.build(train.map((c) => c.sentence.text));

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('buildNetwork', () => {
  it.each(ARCHITECTURES)(
    '%s maps (batch, length) features to (batch, labels) probabilities, ignoring padding',
    (arch) => {
      const config = tiny(arch);
      // First use may create per-backend constants that layers cache; measure on the second build.
      buildNetwork(config, { vocabularySize: vocabulary.size, labelCount: 3 }).dispose();
      const before = tf.memory().numTensors;
      const network = buildNetwork(config, { vocabularySize: vocabulary.size, labelCount: 3 });
      const inputs = inputsOf(arch);
      expect(network.inputs.map((i) => i.shape)).toEqual(inputs.map(() => [null, 32]));
      expect(network.outputs[0].shape).toEqual([null, 3]);
      const batch = dev.slice(0, 5);
      tf.tidy(() => {
        const features = featureTensors(batch, vocabulary, config, inputs);
        const p = network.predict(features) as tf.Tensor;
        expect(p.shape).toEqual([5, 3]);
        const sums = tf.sum(p, -1).arraySync() as number[];
        sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
        // Scribble on the padding (chars and positions beyond the mask): the output must not move.
        const mask = features[inputs.indexOf('mask')];
        const pad = tf.sub(1, mask);
        const noisy = features.map((f, i) =>
          inputs[i] === 'chars' || inputs[i] === 'headPosition' || inputs[i] === 'tailPosition'
            ? tf.add(f, tf.cast(tf.mul(pad, 7), 'int32'))
            : f,
        );
        expect(tf.sum(pad).arraySync()).toBeGreaterThan(0);
        const q = network.predict(noisy) as tf.Tensor;
        expect(tf.max(tf.abs(tf.sub(p, q))).arraySync()).toBeLessThan(1e-5);
      });
      network.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('builds the same weights from the same seed and others from another seed, never calling Math.random', () => {
    const random = jest.spyOn(Math, 'random');
    const a = buildNetwork(tiny('resgru-att'), { vocabularySize: vocabulary.size, labelCount: 3 });
    const b = buildNetwork(tiny('resgru-att'), { vocabularySize: vocabulary.size, labelCount: 3 });
    expect(random).not.toHaveBeenCalled();
    random.mockRestore();
    const c = buildNetwork(tiny('resgru-att', { seed: 4 }), { vocabularySize: vocabulary.size, labelCount: 3 });
    const flat = (n: typeof a): number[] => n.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(flat(a)).toEqual(flat(b));
    expect(flat(a)).not.toEqual(flat(c));
    [a, b, c].forEach((n) => n.dispose());
  });

  it('resnet depth is 1 + 2 × blocks convolutions per window path (Figure 7: 11 layers = 5 blocks)', () => {
    const network = buildNetwork(tiny('resnet', { cnn: { filters: 4, windows: [3], blocks: 5 } }), {
      vocabularySize: 10,
      labelCount: 3,
    });
    const blocks = network.layers.filter((l) => l.getClassName() === 'EmrResidualBlock1D');
    const stem = network.layers.filter((l) => l.getClassName() === 'EmrConv1DSame');
    expect(stem).toHaveLength(1);
    expect(blocks).toHaveLength(5);
    network.dispose();
  });
});

describe("attentionForm 'tanh-score' (eq. 10 as printed)", () => {
  it('reaches every attention layer of resgru-att, and the model learns the toy task with it', async () => {
    const config = tiny('resgru-att', { attentionForm: 'tanh-score' });
    const model = await createRelationModel({ config, schema: TOY_SCHEMA, vocabulary });
    const forms = model.network.layers
      .filter((l) => l.getClassName() === 'EmrAttentionPooling')
      .map((l) => (l.getConfig() as { form?: string }).form);
    expect(forms).toEqual(['tanh-score', 'tanh-score']);
    const report = await model.fit(train, { dev });
    expect(Math.max(...(report.devMacroF1 as number[]))).toBeGreaterThanOrEqual(0.95);
    model.dispose();
  });
});

describe('each architecture learns the toy task', () => {
  it.each(ARCHITECTURES)('%s reaches dev macro-F1 ≥ 0.95', async (arch) => {
    const model = await createRelationModel({ config: tiny(arch), schema: TOY_SCHEMA, vocabulary });
    const report = await model.fit(train, { dev });
    const best = Math.max(...(report.devMacroF1 as number[]));
    expect(best).toBeGreaterThanOrEqual(0.95);
    expect(await devMacroF1(model, dev)).toBeCloseTo(best, 6);
    model.dispose();
  });
});
