import { SeededRandom } from '@emr-re/tokenize';
import { ShapeError } from '../errors';
import { fixedValues } from '../__tests__/gradcheck';
import { bestPath, isAllowed, rowOf } from './__tests__/brute-force';
import { CrfConstraints } from './constraints';
import { crfViterbi } from './viterbi';

/** BIO over one type, tags [O, B, I]: I only after B or I, never first. */
const BIO: CrfConstraints = {
  transitions: [
    [true, true, false],
    [true, true, true],
    [true, true, true],
  ],
  start: [true, true, false],
  end: [true, true, true],
};

/** Random constraints over K tags that still allow some path of every length (tag 0 may follow itself everywhere). */
function randomConstraints(K: number, rng: SeededRandom): CrfConstraints {
  const allow = () => rng.next() < 0.6;
  return {
    transitions: Array.from({ length: K }, (_, from) =>
      Array.from({ length: K }, (_, to) => (from === 0 && to === 0) || allow()),
    ),
    start: Array.from({ length: K }, (_, k) => k === 0 || allow()),
    end: Array.from({ length: K }, (_, k) => k === 0 || allow()),
  };
}

const params = (K: number, seed: number, scale = 1) => ({
  transitions: fixedValues(K * K, seed, scale),
  start: fixedValues(K, seed + 1, scale),
  end: fixedValues(K, seed + 2, scale),
});

describe('crfViterbi', () => {
  it('equals the brute-force argmax path and score on 60 random small cases, with and without constraints', () => {
    const rng = new SeededRandom(5);
    let constrainedDiffers = 0;
    for (let c = 0; c < 60; c++) {
      const K = 2 + rng.int(3);
      const T = 1 + rng.int(5);
      const B = 3;
      const lengths = Array.from({ length: B }, () => 1 + rng.int(T));
      const emissions = fixedValues(B * T * K, 100 + c, 2);
      const p = params(K, 200 + 3 * c);
      const constraints = c % 2 === 0 ? undefined : randomConstraints(K, rng);
      const got = crfViterbi(emissions, [B, T, K], lengths, p, constraints);
      lengths.forEach((n, b) => {
        const want = bestPath(rowOf(emissions, b, T, K), n, p, constraints);
        expect(got.paths[b]).toEqual(want.path);
        expect(Math.abs(got.scores[b] - want.score)).toBeLessThan(1e-9);
        if (constraints && !isAllowed(bestPath(rowOf(emissions, b, T, K), n, p).path, constraints)) {
          constrainedDiffers++;
        }
      });
    }
    // The constrained cases are not trivially the unconstrained answer.
    expect(constrainedDiffers).toBeGreaterThan(5);
  });

  it('returns lengths[b] tags per row and ignores the steps beyond', () => {
    const [B, T, K] = [3, 5, 3];
    const emissions = fixedValues(B * T * K, 9);
    const lengths = [5, 1, 3];
    const p = params(K, 10);
    const a = crfViterbi(emissions, [B, T, K], lengths, p);
    expect(a.paths.map((x) => x.length)).toEqual(lengths);
    const noisy = emissions.map((v, i) => {
      const [b, t] = [Math.floor(i / (T * K)), Math.floor(i / K) % T];
      return t >= lengths[b] ? (i % 2 ? 1e6 : -1e6) : v;
    });
    expect(crfViterbi(noisy, [B, T, K], lengths, p)).toEqual(a);
  });

  it('never uses a forbidden transition, start or end, even when the emissions favour it by 1e6', () => {
    // Emissions want O I I O I (O→I forbidden) in row 0 and I (forbidden start) in row 1.
    const [B, T, K] = [2, 5, 3];
    const want = [
      [0, 2, 2, 0, 2],
      [2, 0, 0, 0, 0],
    ];
    const emissions = new Float32Array(B * T * K);
    want.forEach((row, b) => row.forEach((k, t) => (emissions[(b * T + t) * K + k] = 1e6)));
    const p = params(K, 3, 0.1);
    const free = crfViterbi(emissions, [B, T, K], [5, 1], p);
    expect(free.paths).toEqual([want[0], [2]]);
    const { paths, scores } = crfViterbi(emissions, [B, T, K], [5, 1], p, BIO);
    paths.forEach((path) => expect(isAllowed(path, BIO)).toBe(true));
    // The best allowed path keeps every step the emissions favour that the rules permit (B for the first I; I after
    // O is out, so the last step is whichever of O and B the small transition scores prefer).
    expect(paths[0].slice(0, 4)).toEqual([0, 1, 2, 0]);
    expect(paths[0][4]).not.toBe(2);
    expect(paths[1]).toEqual([0]);
    expect(Number.isFinite(scores[0]) && Number.isFinite(scores[1])).toBe(true);
    paths.forEach((path, b) => expect(path).toEqual(bestPath(rowOf(emissions, b, T, K), path.length, p, BIO).path));
  });

  it('throws a ShapeError naming what does not fit', () => {
    const e = new Float32Array(2 * 3 * 2);
    const p = params(2, 1);
    const expectShapeError = (f: () => unknown, name: string) => {
      expect(f).toThrow(ShapeError);
      expect(f).toThrow(new RegExp(`^crfViterbi: ${name.replace('.', '\\.').replace('[', '\\[')}`));
    };
    expectShapeError(() => crfViterbi(e, [2, 3, 3], [3, 3], p), 'emissions');
    expectShapeError(() => crfViterbi(e, [2, 3] as never, [3, 3], p), 'shape');
    expectShapeError(() => crfViterbi(e, [2, 3, 2], [3], p), 'lengths');
    expectShapeError(() => crfViterbi(e, [2, 3, 2], [3, 0], p), 'lengths[1]');
    expectShapeError(() => crfViterbi(e, [2, 3, 2], [4, 1], p), 'lengths[0]');
    expectShapeError(() => crfViterbi(e, [2, 3, 2], [3, 3], { ...p, start: new Float32Array(3) }), 'params.start');
    expectShapeError(
      () => crfViterbi(e, [2, 3, 2], [3, 3], p, { transitions: [[true]], start: [true, true], end: [true, true] }),
      'constraints.transitions',
    );
    // Constraints that allow no path at all (start only in 0, end only in 1, no transition): nothing to decode.
    const none: CrfConstraints = {
      transitions: [
        [false, false],
        [false, false],
      ],
      start: [true, false],
      end: [false, true],
    };
    expectShapeError(() => crfViterbi(e, [2, 3, 2], [3, 1], p, none), 'constraints allow no tag path of length 3');
  });
});
