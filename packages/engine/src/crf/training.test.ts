import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@emr-re/tokenize';
import { selectBackend } from '../backend/select';
import { Adam } from '../optimizer';
import { fixedValues } from '../__tests__/gradcheck';
import { LinearChainCrf } from './linear-chain-crf';

/**
 * A toy tagging task where the tag of one character depends on the previous tag: characters x, y, z (ids 0, 1, 2),
 * tags O, B, I (0, 1, 2). x is B, z is O, and y is I after B or I but O after O or at the start. A per-character
 * projection cannot tell the two kinds of y apart; the CRF's transitions can.
 */
const [X, Y] = [0, 1];
const [O, B, I] = [0, 1, 2];
const V = 3;
const K = 3;

function tagsOf(chars: number[]): number[] {
  const tags: number[] = [];
  chars.forEach((c, t) => {
    const prev = t === 0 ? O : tags[t - 1];
    tags.push(c === X ? B : c === Y ? (prev === O ? O : I) : O);
  });
  return tags;
}

function dataset(count: number, seed: number) {
  const rng = new SeededRandom(seed);
  const sentences = Array.from({ length: count }, () =>
    Array.from({ length: 3 + rng.int(6) }, () => {
      const r = rng.next();
      return r < 0.25 ? 0 : r < 0.7 ? 1 : 2;
    }),
  );
  const T = Math.max(...sentences.map((s) => s.length));
  const pad = (rows: number[][]) => rows.map((r) => [...r, ...new Array<number>(T - r.length).fill(0)]);
  const gold = sentences.map(tagsOf);
  return {
    sentences,
    gold,
    lengths: sentences.map((s) => s.length),
    T,
    ids: tf.tensor2d(pad(sentences), [count, T], 'int32'),
    tags: tf.tensor2d(pad(gold), [count, T], 'int32'),
    mask: tf.tensor2d(
      sentences.map((s) => Array.from({ length: T }, (_, t) => (t < s.length ? 1 : 0))),
      [count, T],
    ),
  };
}

describe.each(['cpu', 'wasm'] as const)('LinearChainCrf on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend });
  });

  it('learns a task whose tags depend on the previous tag: 100% tag accuracy, NLL down', async () => {
    const train = dataset(48, 1);
    const test = dataset(24, 2);
    // Both kinds of y occur: the task needs the transitions.
    const ys = train.sentences.flatMap((s, b) => s.map((c, t) => (c === Y ? train.gold[b][t] : -1)));
    expect(ys.filter((tag) => tag === O).length).toBeGreaterThan(5);
    expect(ys.filter((tag) => tag === I).length).toBeGreaterThan(5);

    // Emissions (batch, T, K) from a dense projection of one-hot characters.
    const kernel = tf.variable(tf.tensor2d(fixedValues(V * K, 3, 0.1), [V, K]), true, 'toy/kernel');
    const bias = tf.variable(tf.zeros([K]), true, 'toy/bias');
    const emissionsOf = (ids: tf.Tensor2D) =>
      tf.tidy(() => {
        const [n, T] = ids.shape;
        const oneHot = tf.reshape(tf.oneHot(ids, V), [n * T, V]);
        return tf.reshape(tf.add(tf.matMul(oneHot, kernel), bias), [n, T, K]) as tf.Tensor3D;
      });
    const crf = new LinearChainCrf(K, { seed: 5 });
    const variables = [kernel, bias, ...crf.variables];
    const adam = new Adam(variables, { learningRate: 0.1 });
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let step = 0; step < 120; step++) {
      const { value, grads } = tf.variableGrads(
        () => crf.negativeLogLikelihood(emissionsOf(train.ids), train.tags, train.mask),
        variables,
      );
      adam.apply(variables.map((v) => grads[v.name]));
      losses.push(value.dataSync()[0]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[0]).toBeGreaterThan(1);
    expect(losses[losses.length - 1]).toBeLessThan(0.05 * losses[0]);
    expect(losses[losses.length - 1]).toBeLessThan(losses[losses.length - 11]);

    for (const set of [train, test]) {
      const emissions = emissionsOf(set.ids);
      const { paths } = await crf.decode(emissions, set.lengths);
      const perCharacter = (await emissions.array()) as number[][][];
      emissions.dispose();
      let correct = 0;
      let emissionOnly = 0;
      let total = 0;
      set.gold.forEach((g, b) =>
        g.forEach((tag, t) => {
          total++;
          if (paths[b][t] === tag) correct++;
          const row = perCharacter[b][t];
          if (row.indexOf(Math.max(...row)) === tag) emissionOnly++;
        }),
      );
      expect(correct / total).toBe(1);
      // Without the transitions the same emissions get the ambiguous y's wrong.
      expect(emissionOnly / total).toBeLessThan(0.9);
    }
    // The learned transitions encode the rule: after B or I, I beats O; after O, O beats I.
    const tr = crf.parameterArrays().transitions;
    expect(tr[B * K + I]).toBeGreaterThan(tr[B * K + O]);
    expect(tr[O * K + O]).toBeGreaterThan(tr[O * K + I]);

    adam.dispose();
    crf.dispose();
    tf.dispose([kernel, bias, train.ids, train.tags, train.mask, test.ids, test.tags, test.mask]);
  });
});
