import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { ConfigError, ShapeError } from '../errors';
import { fixedValues } from '../__tests__/gradcheck';
import { logLikelihood, rowOf } from './__tests__/brute-force';
import { CrfConstraints } from './constraints';
import { crfNegativeLogLikelihood } from './log-likelihood';
import { LinearChainCrf } from './linear-chain-crf';
import { crfViterbi } from './viterbi';

/** BIO over one type, tags [O, B, I]. */
const BIO: CrfConstraints = {
  transitions: [
    [true, true, false],
    [true, true, true],
    [true, true, true],
  ],
  start: [true, true, false],
  end: [true, true, true],
};

const [B, T, K] = [2, 4, 3];
const GOLD = [
  [1, 2, 0, 1],
  [0, 1, 2, 0],
];
const LENGTHS = [4, 2];

function batch() {
  return {
    emissions: tf.tensor3d(fixedValues(B * T * K, 21), [B, T, K]),
    tags: tf.tensor2d(GOLD, [B, T], 'int32'),
    mask: tf.tensor2d(
      LENGTHS.map((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))),
      [B, T],
    ),
  };
}

describe.each(['cpu', 'wasm'] as const)('LinearChainCrf on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend });
  });

  it('starts from small uniform values drawn from its seed, the same every time', () => {
    const a = new LinearChainCrf(K, { seed: 3 });
    const b = new LinearChainCrf(K, { seed: 3 }); // same default name: the tfjs variable names must not clash
    const c = new LinearChainCrf(K, { seed: 4 });
    const [wa, wb, wc] = [a, b, c].map((crf) => crf.getWeights());
    expect(wa.map((w) => [w.name, w.shape])).toEqual([
      ['crf/transitions', [K, K]],
      ['crf/start', [K]],
      ['crf/end', [K]],
    ]);
    expect(wb).toEqual(wa);
    expect(wc[0].values).not.toEqual(wa[0].values);
    const all = wa.flatMap((w) => Array.from(w.values));
    expect(all.every((v) => v >= -0.1 && v < 0.1)).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    expect(a.variables.every((v) => v.trainable)).toBe(true);
    [a, b, c].forEach((crf) => crf.dispose());
  });

  it('negativeLogLikelihood equals brute-force enumeration with its parameters and constraints', () => {
    const crf = new LinearChainCrf(K, { seed: 8, constraints: BIO });
    const x = batch();
    const nll = crf.negativeLogLikelihood(x.emissions, x.tags, x.mask);
    const ll = crf.logLikelihood(x.emissions, x.tags, x.mask);
    const plain = crf.parameterArrays();
    const values = x.emissions.dataSync();
    const want = GOLD.map((g, b) => logLikelihood(rowOf(values, b, T, K), g.slice(0, LENGTHS[b]), plain, BIO));
    Array.from(ll.dataSync()).forEach((v, b) => expect(Math.abs(v - want[b])).toBeLessThan(1e-5));
    expect(Math.abs(nll.dataSync()[0] + (want[0] + want[1]) / 2)).toBeLessThan(1e-5);
    const free = crfNegativeLogLikelihood(x.emissions, x.tags, x.mask, crf.parameters);
    expect(Math.abs(free.dataSync()[0] - nll.dataSync()[0])).toBeGreaterThan(1e-3); // the constraints are applied
    tf.dispose([x, nll, ll, free]);
    crf.dispose();
  });

  it('decode reads the tensors once and returns what crfViterbi returns on parameterArrays()', async () => {
    const crf = new LinearChainCrf(K, { seed: 9, constraints: BIO });
    const x = batch();
    const got = await crf.decode(x.emissions, LENGTHS);
    const want = crfViterbi(x.emissions.dataSync() as Float32Array, [B, T, K], LENGTHS, crf.parameterArrays(), BIO);
    expect(got).toEqual(want);
    expect(got.paths.map((p) => p.length)).toEqual(LENGTHS);
    await expect(crf.decode(tf.zeros([2, 4, 5]) as tf.Tensor3D, LENGTHS)).rejects.toThrow(ShapeError);
    await expect(crf.decode(x.emissions, [4, 5])).rejects.toThrow(/lengths\[1\]/);
    tf.dispose(x);
    crf.dispose();
  });

  it('keeps the tensor count: NLL + gradients, decode, and construct + dispose()', async () => {
    const x = batch();
    const start = tf.memory().numTensors;
    const crf = new LinearChainCrf(K, { seed: 1, constraints: BIO });
    expect(tf.memory().numTensors).toBe(start + 3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const { value, grads } = tf.variableGrads(
        () => crf.negativeLogLikelihood(x.emissions, x.tags, x.mask),
        crf.variables,
      );
      expect(crf.variables.map((v) => grads[v.name].shape)).toEqual([[K, K], [K], [K]]);
      tf.dispose([value, ...Object.values(grads)]);
      await crf.decode(x.emissions, LENGTHS);
      expect(tf.memory().numTensors).toBe(before);
    }
    crf.getWeights();
    crf.setWeights(crf.getWeights());
    expect(tf.memory().numTensors).toBe(before);
    crf.dispose();
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose(x);
  });

  it('getWeights / setWeights round-trips exactly, ignores other arrays and refuses wrong ones unchanged', () => {
    const a = new LinearChainCrf(K, { seed: 11, name: 'tagger' });
    const b = new LinearChainCrf(K, { seed: 12, name: 'tagger' });
    const x = batch();
    // Make a's weights distinct from any initial values.
    tf.tidy(() => a.variables.forEach((v, i) => v.assign(tf.add(v, tf.tensor(fixedValues(v.size, 40 + i), v.shape)))));
    const saved = a.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['tagger/transitions', 'tagger/start', 'tagger/end']);
    b.setWeights([{ name: 'encoder/kernel', shape: [1], values: new Float32Array(1) }, ...saved.reverse()]);
    expect(b.getWeights()).toEqual(a.getWeights());
    const [na, nb] = [a, b].map((crf) => crf.negativeLogLikelihood(x.emissions, x.tags, x.mask));
    expect(nb.dataSync()[0]).toBe(na.dataSync()[0]);
    tf.dispose([na, nb]);
    // Mutating the returned arrays does not touch the CRF.
    const copy = b.getWeights();
    copy[0].values.fill(0);
    expect(b.getWeights()).toEqual(a.getWeights());

    const c = new LinearChainCrf(K, { seed: 13 }); // named 'crf': the 'tagger/*' arrays are not its own
    const initial = c.getWeights();
    expect(() => c.setWeights(a.getWeights())).toThrow(ShapeError);
    expect(() => c.setWeights(a.getWeights())).toThrow(/no array named "crf\/transitions"/);
    const wrong = initial.map((w) =>
      w.name === 'crf/end' ? { ...w, shape: [K + 1], values: new Float32Array(K + 1) } : w,
    );
    expect(() => c.setWeights(wrong)).toThrow(/"crf\/end" must have shape \[3\]/);
    expect(c.getWeights()).toEqual(initial);
    [a, b, c].forEach((crf) => crf.dispose());
    tf.dispose(x);
  });
});

describe('LinearChainCrf arguments', () => {
  it('refuses a bad numTags, seed or name (ConfigError) and constraints of the wrong shape (ShapeError)', () => {
    expect(() => new LinearChainCrf(0, { seed: 1 })).toThrow(ConfigError);
    expect(() => new LinearChainCrf(2.5, { seed: 1 })).toThrow(/numTags/);
    expect(() => new LinearChainCrf(3, {} as never)).toThrow(/seed/);
    expect(() => new LinearChainCrf(3, { seed: 1.5 })).toThrow(ConfigError);
    expect(() => new LinearChainCrf(3, { seed: 1, name: '' })).toThrow(/name/);
    expect(() => new LinearChainCrf(2, { seed: 1, constraints: BIO })).toThrow(ShapeError);
    expect(() => new LinearChainCrf(2, { seed: 1, constraints: BIO })).toThrow(
      /LinearChainCrf: constraints\.transitions/,
    );
  });

  it('keeps its own copy of the constraints', () => {
    const constraints: CrfConstraints = JSON.parse(JSON.stringify(BIO));
    const crf = new LinearChainCrf(K, { seed: 1, constraints });
    constraints.transitions[0][2] = true;
    expect(crf.constraints).toEqual(BIO);
    crf.dispose();
  });
});
