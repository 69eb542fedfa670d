import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backend';
import { ShapeError } from '../errors';
import { EntityAwareAttention, EntitySpanMask, EntityTypeEmbedding } from './entity';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

// Position ids of two rows of length 6 with anchor 4 (distance 0): row 0 has the entity at steps 1-2 and padding
// at step 5; row 1 has it at steps 3-5; padding is id 0.
const POSITIONS = [
  [3, 4, 4, 5, 6, 0],
  [1, 2, 3, 4, 4, 4],
];

describe('EntitySpanMask', () => {
  it('marks the span, or its first step, from the position ids (never padding)', () => {
    const ids = tf.tensor2d(POSITIONS, undefined, 'int32');
    const span = new EntitySpanMask({ anchor: 4 }).apply(ids) as tf.Tensor;
    const start = new EntitySpanMask({ anchor: 4, mode: 'start' }).apply(ids) as tf.Tensor;
    expect(span.arraySync()).toEqual([
      [0, 1, 1, 0, 0, 0],
      [0, 0, 0, 1, 1, 1],
    ]);
    expect(start.arraySync()).toEqual([
      [0, 1, 0, 0, 0, 0],
      [0, 0, 0, 1, 0, 0],
    ]);
    tf.dispose([ids, span, start]);
  });

  it('refuses a bad anchor or mode, and round-trips its config', () => {
    expect(() => new EntitySpanMask({ anchor: 0 })).toThrow(/anchor/);
    expect(() => new EntitySpanMask({ anchor: 3, mode: 'end' as never })).toThrow(/mode/);
    const layer = new EntitySpanMask({ anchor: 7, mode: 'start', name: 's' });
    const copy = EntitySpanMask.fromConfig(EntitySpanMask, layer.getConfig()) as EntitySpanMask;
    expect([copy.anchor, copy.mode]).toEqual([7, 'start']);
  });
});

describe('EntityTypeEmbedding', () => {
  it("adds the head's and the tail's type vectors at their spans only, and its gradient reaches the vectors", () => {
    const before = tf.memory().numTensors;
    const layer = new EntityTypeEmbedding({ typeCount: 3, seed: 1 });
    const x = tf.ones([2, 4, 2]);
    const types = tf.tensor2d(
      [
        [1, 2],
        [2, 0],
      ],
      undefined,
      'int32',
    );
    const head = tf.tensor2d([
      [1, 1, 0, 0],
      [0, 1, 0, 0],
    ]);
    const tail = tf.tensor2d([
      [0, 0, 0, 1],
      [0, 0, 1, 0],
    ]);
    const out = layer.apply([x, types, head, tail]) as tf.Tensor;
    const e = layer.getWeights()[0].arraySync() as number[][];
    expect(layer.getWeights()[0].shape).toEqual([3, 2]);
    const got = out.arraySync() as number[][][];
    got[0][0].forEach((v, i) => expect(v).toBeCloseTo(1 + e[1][i], 6));
    expect(got[0][1][0]).toBeCloseTo(1 + e[1][0], 6);
    expect(got[0][2]).toEqual([1, 1]); // neither entity
    expect(got[0][3][1]).toBeCloseTo(1 + e[2][1], 6);
    expect(got[1][1][0]).toBeCloseTo(1 + e[2][0], 6);
    expect(got[1][2][0]).toBeCloseTo(1 + e[0][0], 6); // type id 0: a type the schema lacks
    // d(sum out)/dE counts the span characters of each type id: id 1 two (row 0 head), id 2 two (row 0 tail, row 1
    // head), id 0 one (row 1 tail).
    const variable = layer.trainableWeights[0].read() as tf.Variable;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(layer.apply([x, types, head, tail]) as tf.Tensor) as tf.Scalar,
      [variable],
    );
    expect(grads[variable.name].arraySync()).toEqual([
      [1, 1],
      [2, 2],
      [2, 2],
    ]);
    tf.dispose([x, types, head, tail, out, value, ...Object.values(grads)]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a wrong wiring as a ShapeError', () => {
    const x = tfl.input({ shape: [4, 2] });
    expect(() => new EntityTypeEmbedding({ typeCount: 2 }).apply([x, x] as never)).toThrow(ShapeError);
  });
});

/** Largest absolute difference of two tensors (intermediates disposed). */
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('EntityAwareAttention', () => {
  const h = () => tf.randomNormal([2, 6, 4], 0, 1, 'float32', 3) as tf.Tensor3D;
  const mask = () =>
    tf.tensor2d([
      [1, 1, 1, 1, 1, 0],
      [1, 1, 1, 1, 1, 1],
    ]);
  const spans = (rows: number[][]) => tf.tensor2d(rows);
  const positions = () => tf.randomNormal([2, 6, 3], 0, 1, 'float32', 4) as tf.Tensor3D;

  it('pools with weights that sum to 1, are 0 on padding, and move with the entity pair', () => {
    const before = tf.memory().numTensors;
    const layer = new EntityAwareAttention({ units: 5, seed: 2 });
    const [H, m, p] = [h(), mask(), positions()];
    const head = spans([
      [0, 1, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
    ]);
    const tail = spans([
      [0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 1, 1],
    ]);
    const otherHead = spans([
      [0, 0, 1, 0, 0, 0],
      [0, 0, 1, 0, 0, 0],
    ]);
    const s = layer.apply([H, m, head, tail, p]) as tf.Tensor;
    expect(s.shape).toEqual([2, 4]);
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[4, 5], [8, 5], [3, 5], [5], [5, 1]]);
    const a = layer.attentionWeights([H, m, head, tail, p]);
    const rows = a.arraySync();
    rows.forEach((row) => expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5));
    expect(rows[0][5]).toBe(0);
    // S is the a-weighted sum of H.
    const manual = tf.tidy(() => tf.sum(tf.mul(H, tf.expandDims(a, 2)), 1));
    expect(maxDiff(manual, s)).toBeLessThan(1e-5);
    // Another head: other scores (the paper's attention would not change).
    const moved = layer.attentionWeights([H, m, otherHead, tail, p]);
    expect(maxDiff(moved, a)).toBeGreaterThan(1e-4);
    // Padding content does not matter.
    const scribbled = tf.tidy(() => tf.add(H, tf.mul(tf.sub(1, tf.expandDims(m, 2)), 100)));
    const s2 = layer.apply([scribbled, m, head, tail, p]) as tf.Tensor;
    expect(maxDiff(s2, s)).toBeLessThan(1e-5);
    tf.dispose([H, m, p, head, tail, otherHead, s, a, manual, moved, scribbled, s2]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('passes gradients to every weight and to H, none to padded steps', () => {
    const layer = new EntityAwareAttention({ seed: 5 });
    const [H, m, p] = [h(), mask(), positions()];
    const head = spans([
      [0, 1, 1, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
    ]);
    const tail = spans([
      [0, 0, 0, 0, 1, 0],
      [0, 0, 0, 1, 0, 0],
    ]);
    const target = tf.randomNormal([2, 4], 0, 1, 'float32', 9);
    layer.apply([H, m, head, tail, p]); // builds
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    expect(vars).toHaveLength(5);
    const loss = () => tf.sum(tf.mul(layer.apply([H, m, head, tail, p]) as tf.Tensor, target)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, vars);
    for (const v of vars) expect(tf.sum(tf.abs(grads[v.name])).dataSync()[0]).toBeGreaterThan(0);
    const dH = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(layer.apply([x, m, head, tail, p]) as tf.Tensor, target)))(H);
    const g = dH.arraySync() as number[][][];
    expect(g[0][5].every((v) => v === 0)).toBe(true);
    expect(g[0][1].some((v) => v !== 0)).toBe(true);
    tf.dispose([H, m, p, head, tail, target, dH, ...Object.values(grads)]);
    layer.dispose();
  });

  it('round-trips its config and refuses a wrong wiring', () => {
    const layer = new EntityAwareAttention({ units: 7, seed: 3, name: 'ea' });
    const copy = EntityAwareAttention.fromConfig(EntityAwareAttention, layer.getConfig()) as EntityAwareAttention;
    expect([copy.units, copy.seed, copy.name]).toEqual([7, 3, 'ea']);
    expect(new EntityAwareAttention().getConfig().units).toBeUndefined();
    const x = tfl.input({ shape: [4, 2] });
    expect(() => new EntityAwareAttention().apply([x, x] as never)).toThrow(ShapeError);
  });
});
