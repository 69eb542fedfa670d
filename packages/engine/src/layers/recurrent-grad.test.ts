import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { fixedRandom, gradientError } from '../__tests__/gradcheck';
import { CellKind, DirectionWeights, gateCount, recurrentSequence, RnnImplementation } from './recurrent-kernels';

interface Case {
  cell: CellKind;
  dirs: number;
  returnSequences: boolean;
}

/** Inputs `[x, ...weights]` and a scalar loss `Σ out ⊙ P` of the kernel under `implementation`. */
function problem(c: Case, B: number, T: number, D: number, U: number, lengths: number[]) {
  const G = gateCount(c.cell);
  const x = fixedRandom([B, T, D], 1);
  const maskRows = lengths.map((len) => Array.from({ length: T }, (_, t) => (t < len ? 1 : 0)));
  const mask = tf.tensor2d(maskRows);
  const weights: tf.Tensor[] = [];
  for (let d = 0; d < c.dirs; d++) {
    weights.push(
      fixedRandom([D, G * U], 10 + d, 0.8),
      fixedRandom([U, G * U], 20 + d, 0.8),
      fixedRandom([G * U], 30 + d, 0.5),
    );
  }
  const width = c.dirs * U;
  const probe = fixedRandom(c.returnSequences ? [B, T, width] : [B, width], 40);
  const loss =
    (implementation: RnnImplementation) =>
    (xIn: tf.Tensor, ...w: tf.Tensor[]): tf.Scalar => {
      const dw: DirectionWeights[] = [];
      for (let d = 0; d < c.dirs; d++) dw.push({ kernel: w[3 * d], recurrentKernel: w[3 * d + 1], bias: w[3 * d + 2] });
      const out = recurrentSequence(xIn, mask, dw, {
        cell: c.cell,
        units: U,
        returnSequences: c.returnSequences,
        implementation,
      });
      return tf.sum(tf.mul(out, probe));
    };
  return { inputs: [x, ...weights], loss, dispose: () => tf.dispose([x, mask, probe, ...weights]) };
}

/** The shared central-difference check over every element of every input, and how many gradients are not ~0. */
function worstGradientError(
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
): { worst: number; at: string; nonZero: number } {
  const { worst, at, analytic } = gradientError(f, inputs);
  const nonZero = analytic.reduce((n, g) => n + g.filter((v) => Math.abs(v) > 1e-3).length, 0);
  return { worst, at, nonZero };
}

const CASES: Case[] = [
  { cell: 'gru', dirs: 1, returnSequences: true },
  { cell: 'gru', dirs: 2, returnSequences: true },
  { cell: 'gru', dirs: 2, returnSequences: false },
  { cell: 'lstm', dirs: 1, returnSequences: true },
  { cell: 'lstm', dirs: 2, returnSequences: true },
  { cell: 'lstm', dirs: 1, returnSequences: false },
];

describe.each(['cpu', 'wasm'])('recurrentSequence gradients on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend: backend as 'cpu' | 'wasm' });
  });

  describe.each(CASES)('$cell dirs=$dirs returnSequences=$returnSequences', (c) => {
    it.each(['autodiff', 'bptt'] as RnnImplementation[])(
      '%s matches central differences (B=2, T=4, D=3, U=2, one row padded)',
      (impl) => {
        const p = problem(c, 2, 4, 3, 2, [4, 2]);
        const before = tf.memory().numTensors;
        const r = worstGradientError(p.loss(impl), p.inputs);
        expect(tf.memory().numTensors).toBe(before);
        expect(r.nonZero).toBeGreaterThan(20);
        if (r.worst > 1) throw new Error(`gradient mismatch ${r.worst.toFixed(2)}× tolerance at ${r.at}`);
        p.dispose();
      },
    );

    it('bptt equals autodiff in value and every gradient (B=3, T=6, D=5, U=4, lengths 6/3/1)', () => {
      const p = problem(c, 3, 6, 5, 4, [6, 3, 1]);
      const run = (impl: RnnImplementation) => {
        const { value, grads } = tf.valueAndGrads(p.loss(impl))(p.inputs);
        const out = { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())) };
        tf.dispose([value, ...grads]);
        return out;
      };
      const auto = run('autodiff');
      const bptt = run('bptt');
      expect(Math.abs(bptt.value - auto.value)).toBeLessThan(1e-5 * (1 + Math.abs(auto.value)));
      auto.grads.forEach((g, i) => {
        const scale = Math.max(...g.map(Math.abs));
        expect(scale).toBeGreaterThan(1e-2);
        const diff = Math.max(...g.map((v, j) => Math.abs(v - bptt.grads[i][j])));
        expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
      });
      p.dispose();
    });
  });
});

describe.each(['cpu', 'wasm'])('recurrentSequence edge cases on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend: backend as 'cpu' | 'wasm' });
  });

  it.each([
    ['gru', 2, true],
    ['lstm', 2, false],
  ] as Array<[CellKind, number, boolean]>)(
    '%s dirs=%i returnSequences=%s: T=1 and an all-padding row (zeros out, zero gradient)',
    (cell, dirs, returnSequences) => {
      const c: Case = { cell, dirs, returnSequences };
      for (const [T, lengths] of [
        [1, [1, 1]],
        [3, [3, 0]],
      ] as Array<[number, number[]]>) {
        const p = problem(c, 2, T, 3, 2, lengths);
        const before = tf.memory().numTensors;
        const results = (['autodiff', 'bptt'] as RnnImplementation[]).map((impl) => {
          const { value, grads } = tf.valueAndGrads(p.loss(impl))(p.inputs);
          const out = {
            value: value.dataSync()[0],
            dx: Array.from(grads[0].dataSync()),
            dW: Array.from(grads[1].dataSync()),
          };
          tf.dispose([value, ...grads]);
          return out;
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(results[1].value).toBeCloseTo(results[0].value, 5);
        results[1].dx.forEach((v, i) => expect(v).toBeCloseTo(results[0].dx[i], 5));
        results[1].dW.forEach((v, i) => expect(v).toBeCloseTo(results[0].dW[i], 5));
        if (lengths[1] === 0) {
          // The empty row (batch index 1) contributes nothing: its input gradient is exactly 0.
          const row = results[1].dx.slice(T * 3);
          expect(row.every((v) => v === 0)).toBe(true);
          const out = tf.tidy(() => {
            const w = p.inputs.slice(1);
            const dw: DirectionWeights[] = [];
            for (let d = 0; d < dirs; d++)
              dw.push({ kernel: w[3 * d], recurrentKernel: w[3 * d + 1], bias: w[3 * d + 2] });
            const mask = tf.tensor2d([Array<number>(T).fill(1), Array<number>(T).fill(0)]);
            return recurrentSequence(p.inputs[0], mask, dw, {
              cell,
              units: 2,
              returnSequences,
              implementation: 'bptt',
            });
          });
          const values = Array.from(out.dataSync());
          const perRow = values.length / 2;
          expect(values.slice(perRow).every((v) => v === 0)).toBe(true);
          expect(values.slice(0, perRow).some((v) => v !== 0)).toBe(true);
          out.dispose();
        }
        p.dispose();
      }
    },
  );
});
