import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { ShapeError } from '../errors';
import { fixedValues, gradientError } from '../__tests__/gradcheck';
import { expectedCounts, logLikelihood, pathCounts, PlainCrf, rowOf } from './__tests__/brute-force';
import { CrfConstraints } from './constraints';
import { crfLogLikelihood, crfNegativeLogLikelihood } from './log-likelihood';

const K = 3;

/** Forbids 0→2 and 2→1, starting with 2 and ending with 1 (every gold path below is allowed). */
const CONSTRAINTS: CrfConstraints = {
  transitions: [
    [true, true, false],
    [true, true, true],
    [true, false, true],
  ],
  start: [true, true, false],
  end: [true, false, true],
};

/** A fixed problem: emissions (B, T, K), gold tags (padding -1), lengths, parameters. */
function problem(T: number, gold: number[][], seed = 1) {
  const B = gold.length;
  const lengths = gold.map((g) => g.length);
  const emissions = fixedValues(B * T * K, seed);
  const plain: PlainCrf = {
    transitions: fixedValues(K * K, seed + 1, 0.5),
    start: fixedValues(K, seed + 2, 0.5),
    end: fixedValues(K, seed + 3, 0.5),
  };
  const padded = gold.map((g) => [...g, ...new Array<number>(T - g.length).fill(-1)]);
  const tensors = () => ({
    emissions: tf.tensor3d(emissions, [B, T, K]),
    tags: tf.tensor2d(padded, [B, T], 'int32'),
    mask: tf.tensor2d(
      lengths.map((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))),
      [B, T],
      'float32',
    ),
    params: {
      transitions: tf.tensor2d(plain.transitions as Float32Array, [K, K]),
      start: tf.tensor1d(plain.start as Float32Array),
      end: tf.tensor1d(plain.end as Float32Array),
    },
  });
  const reference = (constraints?: CrfConstraints) =>
    gold.map((g, b) => logLikelihood(rowOf(emissions, b, T, K), g, plain, constraints));
  return { B, T, lengths, emissions, plain, gold, tensors, reference };
}

describe.each(['cpu', 'wasm'] as const)('crfLogLikelihood on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend });
  });

  const cases: Array<[string, number, number[][]]> = [
    [
      'B=2, T=3 and 2',
      3,
      [
        [1, 2, 0],
        [1, 2],
      ],
    ],
    ['B=2, T=1', 1, [[0], [0]]], // the only length-1 path the constraints allow
    ['B=3, T=4, lengths 4/1/3', 4, [[0, 1, 2, 2], [0], [1, 1, 0]]],
  ];

  it.each(cases)('%s: equals brute-force enumeration of all K^T paths, with and without constraints', (_, T, gold) => {
    const p = problem(T, gold);
    const t = p.tensors();
    for (const constraints of [undefined, CONSTRAINTS]) {
      const expected = p.reference(constraints);
      const perExample = crfLogLikelihood(t.emissions, t.tags, t.mask, t.params, constraints);
      const nll = crfNegativeLogLikelihood(t.emissions, t.tags, t.mask, t.params, constraints);
      expect(perExample.shape).toEqual([p.B]);
      Array.from(perExample.dataSync()).forEach((v, b) => expect(Math.abs(v - expected[b])).toBeLessThan(1e-5));
      const mean = -expected.reduce((a, b) => a + b, 0) / p.B;
      expect(Math.abs(nll.dataSync()[0] - mean)).toBeLessThan(1e-5);
      tf.dispose([perExample, nll]);
    }
    // The constraints matter here: forbidden paths would have carried mass.
    const free = p.reference();
    const constrained = p.reference(CONSTRAINTS);
    expect(Math.max(...free.map((v, b) => Math.abs(v - constrained[b])))).toBeGreaterThan(1e-2);
    tf.dispose(t);
  });

  it('ignores padded steps entirely: their emissions and tags change nothing', () => {
    const p = problem(3, [
      [1, 2, 0],
      [1, 2],
    ]);
    const t = p.tensors();
    const base = crfLogLikelihood(t.emissions, t.tags, t.mask, t.params, CONSTRAINTS);
    const noisy = tf.tensor3d(
      p.emissions.map((v, i) => (i >= (1 * 3 + 2) * K ? 1e3 : v)),
      [2, 3, K],
    );
    const otherPad = tf.tensor2d([1, 2, 0, 1, 2, 2], [2, 3], 'int32');
    const changed = crfLogLikelihood(noisy, otherPad, t.mask, t.params, CONSTRAINTS);
    expect(Array.from(changed.dataSync())).toEqual(Array.from(base.dataSync()));
    tf.dispose([t, base, noisy, otherPad, changed]);
  });

  it('gives a gold path through a forbidden transition a log-likelihood of about -1e4', () => {
    const p = problem(3, [
      [0, 2, 2],
      [1, 2],
    ]); // 0→2 is forbidden
    const t = p.tensors();
    const ll = crfLogLikelihood(t.emissions, t.tags, t.mask, t.params, CONSTRAINTS);
    const [bad, good] = Array.from(ll.dataSync());
    expect(bad).toBeLessThan(-9990);
    expect(bad).toBeGreaterThan(-10010);
    expect(Math.abs(good - p.reference(CONSTRAINTS)[1])).toBeLessThan(1e-5);
    tf.dispose([t, ll]);
  });

  it.each([
    ['without', undefined],
    ['with', CONSTRAINTS],
  ] as const)(
    'gradients %s constraints equal expected minus gold counts (marginals by enumeration), to 1e-5',
    (_, constraints) => {
      const p = problem(4, [
        [0, 1, 2, 0],
        [1, 2],
      ]);
      const t = p.tensors();
      const before = tf.memory().numTensors;
      const grads = tf.grads((e, tr, st, en) =>
        crfNegativeLogLikelihood(
          e as tf.Tensor3D,
          t.tags,
          t.mask,
          { transitions: tr as tf.Tensor2D, start: st as tf.Tensor1D, end: en as tf.Tensor1D },
          constraints,
        ),
      )([t.emissions, t.params.transitions, t.params.start, t.params.end]);
      const [dE, dTr, dSt, dEn] = grads.map((g) => Array.from(g.dataSync()));
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(before);
      const wantE = new Array<number>(p.B * p.T * K).fill(0);
      const wantTr = new Array<number>(K * K).fill(0);
      const wantSt = new Array<number>(K).fill(0);
      const wantEn = new Array<number>(K).fill(0);
      p.gold.forEach((g, b) => {
        const expected = expectedCounts(rowOf(p.emissions, b, p.T, K), g.length, p.plain, constraints);
        const gold = pathCounts(g, K);
        expected.emissions.forEach((row, s) =>
          row.forEach((v, k) => (wantE[(b * p.T + s) * K + k] += (v - gold.emissions[s][k]) / p.B)),
        );
        expected.transitions.forEach((v, i) => (wantTr[i] += (v - gold.transitions[i]) / p.B));
        expected.start.forEach((v, k) => (wantSt[k] += (v - gold.start[k]) / p.B));
        expected.end.forEach((v, k) => (wantEn[k] += (v - gold.end[k]) / p.B));
      });
      const check = (got: number[], want: number[]) =>
        got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
      check(dE, wantE);
      check(dTr, wantTr);
      check(dSt, wantSt);
      check(dEn, wantEn);
      // Padded steps get exactly zero gradient; forbidden entries (almost) none.
      expect(dE.slice((1 * p.T + 2) * K)).toEqual(new Array(2 * K).fill(0));
      if (constraints) for (const i of [0 * K + 2, 2 * K + 1]) expect(Math.abs(dTr[i])).toBeLessThan(1e-6);
      tf.dispose(t);
    },
  );

  it.each([
    ['without', undefined],
    ['with', CONSTRAINTS],
  ] as const)(
    'gradients %s constraints w.r.t. emissions, transitions, start and end match central differences',
    (_, constraints) => {
      const p = problem(
        4,
        [
          [0, 1, 2, 0],
          [1, 2],
        ],
        11,
      );
      const t = p.tensors();
      const before = tf.memory().numTensors;
      const r = gradientError(
        (e, tr, st, en) =>
          crfNegativeLogLikelihood(
            e as tf.Tensor3D,
            t.tags,
            t.mask,
            { transitions: tr as tf.Tensor2D, start: st as tf.Tensor1D, end: en as tf.Tensor1D },
            constraints,
          ),
        [t.emissions, t.params.transitions, t.params.start, t.params.end],
      );
      expect(tf.memory().numTensors).toBe(before);
      const nonZero = r.analytic.map((g) => g.filter((v) => Math.abs(v) > 1e-3).length);
      expect(nonZero.every((n) => n > 0)).toBe(true);
      if (r.worst > 1) throw new Error(`gradient mismatch ${r.worst.toFixed(2)}× tolerance at ${r.at}`);
      tf.dispose(t);
    },
  );

  it('leaks no tensors through tf.variableGrads', () => {
    const p = problem(3, [
      [1, 2, 0],
      [1, 2],
    ]);
    const t = p.tensors();
    const vars = [tf.variable(t.params.transitions), tf.variable(t.params.start), tf.variable(t.params.end)] as const;
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () =>
        crfNegativeLogLikelihood(
          t.emissions,
          t.tags,
          t.mask,
          { transitions: vars[0] as tf.Tensor2D, start: vars[1] as tf.Tensor1D, end: vars[2] as tf.Tensor1D },
          CONSTRAINTS,
        ),
      [...vars],
    );
    expect(Object.keys(grads)).toHaveLength(3);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([t, ...vars]);
  });
});

describe('crfNegativeLogLikelihood refuses wrong shapes with a ShapeError naming the argument', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it.each([
    ['emissions', () => ({ emissions: tf.zeros([2, 3]) })],
    ['emissions', () => ({ emissions: tf.zeros([2, 0, 3]) })],
    ['tags', () => ({ tags: tf.zeros([2, 4], 'int32') })],
    ['tags', () => ({ tags: tf.zeros([2, 3], 'float32') })],
    ['mask', () => ({ mask: tf.ones([3, 3]) })],
    ['params.transitions', () => ({ transitions: tf.zeros([3, 2]) })],
    ['params.start', () => ({ start: tf.zeros([4]) })],
    ['params.end', () => ({ end: tf.zeros([1, 3]) })],
    ['constraints.transitions', () => ({ constraints: { ...CONSTRAINTS, transitions: [[true]] } })],
    ['constraints.end', () => ({ constraints: { ...CONSTRAINTS, end: [true, true] } })],
  ] as Array<[string, () => Record<string, unknown>]>)('%s', (name, override) => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const o = override();
      const call = () =>
        crfNegativeLogLikelihood(
          (o.emissions ?? tf.zeros([2, 3, 3])) as tf.Tensor3D,
          (o.tags ?? tf.zeros([2, 3], 'int32')) as tf.Tensor2D,
          (o.mask ?? tf.ones([2, 3])) as tf.Tensor2D,
          {
            transitions: (o.transitions ?? tf.zeros([3, 3])) as tf.Tensor2D,
            start: (o.start ?? tf.zeros([3])) as tf.Tensor1D,
            end: (o.end ?? tf.zeros([3])) as tf.Tensor1D,
          },
          o.constraints as CrfConstraints | undefined,
        );
      expect(call).toThrow(ShapeError);
      expect(call).toThrow(new RegExp(`^crfNegativeLogLikelihood: ${name.replace('.', '\\.')} `));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
