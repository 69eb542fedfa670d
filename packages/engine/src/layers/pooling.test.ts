import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backend/select';
import { ShapeError } from '../errors';
import { AttentionPooling, MaskedMaxPooling, PiecewiseMaxPooling } from './pooling';
import { fixedRandom, layerGradientError, maxAbsDiff, verdict } from '../__tests__/gradcheck';
import { roundTrip } from '../__tests__/serialization';

const maxDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

/** H (2, 4, 2) with distinct values (no max ties), row 1 padded after 2 steps. */
const H = [
  [
    [0.1, -0.5],
    [0.9, 0.3],
    [-0.2, 0.8],
    [0.4, -0.7],
  ],
  [
    [0.6, 0.2],
    [-0.3, -0.9],
    [5, 5],
    [7, -6],
  ],
];
const MASK = [
  [1, 1, 1, 1],
  [1, 1, 0, 0],
];

describe.each(['cpu', 'wasm'] as const)('pooling on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend });
  });

  // The score of step H_i under each form, for w and b: where the tanh of eq. 10 sits.
  const scoreOf = {
    'tanh-features': (h: number[], w: number[], b: number) => w[0] * Math.tanh(h[0]) + w[1] * Math.tanh(h[1]) + b,
    'tanh-score': (h: number[], w: number[], b: number) => Math.tanh(w[0] * h[0] + w[1] * h[1] + b),
  };
  it.each(['tanh-features', 'tanh-score'] as const)(
    'AttentionPooling (%s) computes eq. 10-11 over unpadded steps (hand-computed)',
    (form) => {
      tf.tidy(() => {
        const layer = new AttentionPooling({ form });
        const h = tf.tensor3d(H);
        const mask = tf.tensor2d(MASK);
        layer.apply([h, mask]);
        const w = [0.7, -1.2];
        const b = 0.3;
        layer.setWeights([tf.tensor2d([[w[0]], [w[1]]]), tf.tensor1d([b])]);
        const out = (layer.apply([h, mask]) as tf.Tensor).arraySync() as number[][];
        const a = layer.attentionWeights([h, mask]).arraySync();
        for (let i = 0; i < 2; i++) {
          const steps = MASK[i].map((m, t) => (m ? t : -1)).filter((t) => t >= 0);
          const scores = steps.map((t) => scoreOf[form](H[i][t], w, b));
          const z = scores.reduce((s, v) => s + Math.exp(v), 0);
          const weights = scores.map((v) => Math.exp(v) / z);
          const expected = [0, 1].map((d) => steps.reduce((s, t, j) => s + weights[j] * H[i][t][d], 0));
          expect(out[i][0]).toBeCloseTo(expected[0], 5);
          expect(out[i][1]).toBeCloseTo(expected[1], 5);
          steps.forEach((t, j) => expect(a[i][t]).toBeCloseTo(weights[j], 6));
        }
        // Padded steps: weight exactly 0.
        expect(a[1][2]).toBe(0);
        expect(a[1][3]).toBe(0);
        layer.dispose();
      });
    },
  );

  it("AttentionPooling form 'tanh-score' gradients (H, w, b) match central differences; b now matters", () => {
    const layer = new AttentionPooling({ form: 'tanh-score' });
    const h = fixedRandom([2, 4, 3], 22);
    const mask = tf.tensor2d(MASK);
    const res = layerGradientError(layer, [h, mask], [0]);
    expect(verdict(res)).toMatchObject({ worst: 'ok' });
    // Inside the tanh, b changes the weights; in the default form softmax cancels it.
    const weightsWithBias = (l: AttentionPooling, b: number): number[] =>
      tf.tidy(() => {
        l.setWeights([l.getWeights()[0], tf.tensor1d([b])]);
        return Array.from(l.attentionWeights([h, mask]).dataSync());
      });
    expect(maxDiff(weightsWithBias(layer, 0), weightsWithBias(layer, 0.8))).toBeGreaterThan(1e-3);
    const usual = new AttentionPooling();
    usual.apply([h, mask]);
    expect(maxDiff(weightsWithBias(usual, 0), weightsWithBias(usual, 0.8))).toBeLessThan(1e-6);
    usual.dispose();
    tf.dispose([h, mask]);
    layer.dispose();
  });

  it('AttentionPooling: padded steps get zero gradient and do not change the output', () => {
    const layer = new AttentionPooling();
    const mask = tf.tensor2d(MASK);
    const h = tf.tensor3d(H);
    const r = fixedRandom([2, 2], 5);
    const loss = (x: tf.Tensor) => tf.sum(tf.mul(layer.apply([x, mask]) as tf.Tensor, r)) as tf.Scalar;
    const g = tf.grad(loss)(h);
    const grad = g.arraySync() as number[][][];
    expect([...grad[1][2], ...grad[1][3]].map(Math.abs)).toEqual([0, 0, 0, 0]);
    expect(grad[0][3].some((v) => v !== 0)).toBe(true);
    const changed = tf.tensor3d(H.map((row, i) => row.map((step, t) => (MASK[i][t] ? step : [100, -100]))));
    const before = loss(h);
    const after = loss(changed);
    expect(after.dataSync()[0]).toBe(before.dataSync()[0]);
    tf.dispose([mask, h, r, g, changed, before, after]);
    layer.dispose();
  });

  it('AttentionPooling gradients (H, w, b) match central differences', () => {
    const layer = new AttentionPooling();
    const h = fixedRandom([2, 4, 3], 21);
    const mask = tf.tensor2d(MASK);
    const res = layerGradientError(layer, [h, mask], [0]);
    expect(verdict(res)).toMatchObject({ worst: 'ok' });
    tf.dispose([h, mask]);
    layer.dispose();
  });

  it('MaskedMaxPooling takes the max over unpadded steps; an all-padding row gives zeros', () => {
    tf.tidy(() => {
      const layer = new MaskedMaxPooling();
      const h = tf.concat([
        tf.tensor3d(H),
        tf.tensor3d([
          [
            [3, 3],
            [4, 4],
            [5, 5],
            [6, 6],
          ],
        ]),
      ]);
      const mask = tf.tensor2d([...MASK, [0, 0, 0, 0]]);
      const out = (layer.apply([h, mask]) as tf.Tensor).arraySync() as number[][];
      expect(out[0]).toEqual([0.9, 0.8].map(Math.fround));
      expect(out[1]).toEqual([0.6, 0.2].map(Math.fround));
      expect(out[2].map(Math.abs)).toEqual([0, 0]);
    });
  });

  it('MaskedMaxPooling gradient matches central differences and skips padded steps', () => {
    const layer = new MaskedMaxPooling();
    const h = tf.tensor3d(H);
    const mask = tf.tensor2d(MASK);
    const res = layerGradientError(layer, [h, mask], [0], { eps: 1e-3 });
    expect(verdict(res)).toMatchObject({ worst: 'ok' });
    const g = tf
      .grad((x: tf.Tensor) => tf.sum(layer.apply([x, mask]) as tf.Tensor))(h)
      .arraySync() as number[][][];
    // Arg-max steps only: row 0 → step 1 (dim 0) and step 2 (dim 1); row 1 → step 0 (both); never the padded 5s and 7.
    expect(g[0]).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    expect(g[1]).toEqual([
      [1, 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    tf.dispose([h, mask]);
  });

  it('MaskedMaxPooling gives tied maxima each the full gradient, as tf.max does; empty rows get none', () => {
    tf.tidy(() => {
      const h = tf.tensor3d([
        [
          [2, 1],
          [2, 3],
          [0, 3],
        ],
        [
          [4, 4],
          [1, 4],
          [4, 0],
        ],
        [
          [9, 9],
          [9, 9],
          [9, 9],
        ],
      ]);
      const mask = tf.tensor2d([
        [1, 1, 1],
        [1, 1, 0],
        [0, 0, 0],
      ]);
      const layer = new MaskedMaxPooling();
      const dy = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(layer.apply([x, mask]) as tf.Tensor, dy)))(h);
      expect(g.arraySync()).toEqual([
        [
          [1, 0],
          [1, 2],
          [0, 2],
        ],
        [
          [3, 4],
          [0, 4],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 0],
          [0, 0],
        ],
      ]);
      // Unmasked rows: the same as tfjs' own max gradient.
      const stock = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.max(x, 1), dy)))(h);
      expect(tf.slice(g, [0, 0, 0], [1, 3, 2]).arraySync()).toEqual(tf.slice(stock, [0, 0, 0], [1, 3, 2]).arraySync());
    });
  });

  it('PiecewiseMaxPooling pools each of the three pieces; an empty piece gives zeros', () => {
    tf.tidy(() => {
      const layer = new PiecewiseMaxPooling();
      const h = tf.tensor3d(H);
      // Row 0: pieces 1,1,2,3; row 1: pieces 1,3 then padding — piece 2 empty.
      const segments = tf.tensor2d([
        [1, 1, 2, 3],
        [1, 3, 0, 0],
      ]);
      const out = (layer.apply([h, segments]) as tf.Tensor).arraySync() as number[][];
      const f = (xs: number[]) => xs.map(Math.fround);
      expect(out[0]).toEqual(f([0.9, 0.3, -0.2, 0.8, 0.4, -0.7]));
      expect(out[1].map((v) => v + 0)).toEqual(f([0.6, 0.2, 0, 0, -0.3, -0.9]));
    });
  });

  it('PiecewiseMaxPooling gradient matches central differences', () => {
    const layer = new PiecewiseMaxPooling();
    const h = fixedRandom([2, 5, 2], 31);
    const segments = tf.tensor2d([
      [1, 2, 2, 3, 3],
      [1, 1, 2, 3, 0],
    ]);
    const res = layerGradientError(layer, [h, segments], [0], { eps: 1e-3 });
    expect(verdict(res)).toMatchObject({ worst: 'ok' });
    tf.dispose([h, segments]);
  });

  it('each pooling layer saves and loads in the tfjs format with identical outputs', async () => {
    const x = tfl.input({ shape: [5, 3] });
    const mask = tfl.input({ shape: [5] });
    const segments = tfl.input({ shape: [5] });
    const att = new AttentionPooling({ kernelInitializer: 'heUniform' }).apply([x, mask]) as tfl.SymbolicTensor;
    const bounded = new AttentionPooling({ form: 'tanh-score' }).apply([x, mask]) as tfl.SymbolicTensor;
    const max = new MaskedMaxPooling().apply([x, mask]) as tfl.SymbolicTensor;
    const pcnn = new PiecewiseMaxPooling().apply([x, segments]) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate().apply([att, bounded, max, pcnn]) as tfl.SymbolicTensor;
    expect(joined.shape).toEqual([null, 3 + 3 + 3 + 9]);
    const model = tfl.model({ inputs: [x, mask, segments], outputs: joined });
    const xs = [
      fixedRandom([2, 5, 3], 41),
      tf.tensor2d([
        [1, 1, 1, 1, 0],
        [1, 1, 1, 1, 1],
      ]),
      tf.tensor2d([
        [1, 2, 3, 3, 0],
        [1, 1, 2, 2, 3],
      ]),
    ];
    const { config, loaded } = await roundTrip(model, xs);
    for (const name of ['EmrAttentionPooling', 'EmrMaskedMaxPooling', 'EmrPiecewiseMaxPooling']) {
      expect(JSON.stringify(config)).toContain(`"class_name":"${name}"`);
    }
    expect(JSON.stringify(config).match(/"form":"tanh-score"/g)).toHaveLength(1);
    const forms = loaded.layers.filter((l) => l instanceof AttentionPooling).map((l) => (l as AttentionPooling).form);
    expect(forms).toEqual(['tanh-features', 'tanh-score']);
    tf.dispose(xs);
    model.dispose();
    loaded.dispose();
  });
});

it('pooling layers reject a missing mask input with a ShapeError', async () => {
  await selectBackend({ backend: 'cpu' });
  const x = tfl.input({ shape: [5, 3] });
  expect(() => new MaskedMaxPooling().apply(x)).toThrow(ShapeError);
  expect(() => new AttentionPooling().apply(x)).toThrow(
    'AttentionPooling takes [H (batch, length, dim), mask (batch, length)]',
  );
  expect(() => new PiecewiseMaxPooling().apply(x)).toThrow(
    'PiecewiseMaxPooling takes [H (batch, length, dim), segments (batch, length)]',
  );
  // maskedMax on raw tensors equals a plain max when nothing is padded.
  tf.tidy(() => {
    const h = fixedRandom([2, 4, 3], 3);
    const out = new MaskedMaxPooling().apply([h, tf.ones([2, 4])]) as tf.Tensor;
    expect(maxAbsDiff(out.dataSync(), tf.max(h, 1).dataSync())).toBe(0);
  });
});
