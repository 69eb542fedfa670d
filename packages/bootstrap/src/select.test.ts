import { classQuotaLimits, selectConfident, topPredictions, validateClassQuotas } from './select';
import { BootstrapOptionError } from './errors';

const labels = ['unknown', 'A', 'B'];
const rows = (...rs: number[][]): Float32Array[] => rs.map((r) => Float32Array.from(r));

describe('topPredictions', () => {
  it('takes the most probable label, the earlier one on ties', () => {
    const top = topPredictions(labels, rows([0.2, 0.5, 0.3], [0.4, 0.4, 0.2], [0.1, 0.1, 0.8]));
    expect(top.map((t) => t.label)).toEqual(['A', 'unknown', 'B']);
    expect(top[2].probability).toBeCloseTo(0.8, 6);
  });
  it('rejects a row of the wrong width', () => {
    expect(() => topPredictions(labels, rows([0.5, 0.5]))).toThrow('probability row 0 has 2 values for 3 labels');
  });
});

describe('selectConfident', () => {
  const preds = [
    { label: 'A', probability: 0.9 }, // 0
    { label: 'B', probability: 0.7 }, // 1: equal to λ, not above it
    { label: 'unknown', probability: 0.95 }, // 2
    { label: 'A', probability: 0.8 }, // 3
    { label: 'B', probability: 0.85 }, // 4
    { label: 'A', probability: 0.9 }, // 5: ties with 0, later index
    { label: 'A', probability: 0.71 }, // 6
  ];
  it('keeps only p > λ, most probable first, ties by index, at most N', () => {
    expect(selectConfident(preds, { lambda: 0.7, perIteration: 10, includeUnknown: true })).toEqual([2, 0, 5, 4, 3, 6]);
    expect(selectConfident(preds, { lambda: 0.7, perIteration: 3, includeUnknown: true })).toEqual([2, 0, 5]);
    expect(selectConfident(preds, { lambda: 0.95, perIteration: 3, includeUnknown: true })).toEqual([]);
  });
  it('skips unknown when negatives are excluded', () => {
    expect(selectConfident(preds, { lambda: 0.7, perIteration: 3, includeUnknown: false })).toEqual([0, 5, 4]);
  });
  it('skips a class whose cap is used up and fills N from the others', () => {
    const limits = new Map([
      ['A', 1],
      ['unknown', 0],
    ]);
    expect(selectConfident(preds, { lambda: 0.7, perIteration: 3, includeUnknown: true, limits })).toEqual([0, 4]);
  });
});

describe('classQuotaLimits', () => {
  const seedLabels = ['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'A', 'A', 'A', 'B'];
  it('proportional: ceil(N × seed share), zero for a class absent from the seed', () => {
    const limits = classQuotaLimits('proportional', 7, seedLabels, [...labels, 'C']);
    // 7 × 0.6 = 4.2 → 5; 7 × 0.3 = 2.1 → 3; 7 × 0.1 = 0.7 → 1; C absent → 0
    expect(Object.fromEntries(limits as Map<string, number>)).toEqual({ unknown: 5, A: 3, B: 1, C: 0 });
  });
  it('a record mixes shares, counts and a default', () => {
    expect(
      Object.fromEntries(classQuotaLimits({ unknown: 0.25, A: 3 }, 10, seedLabels, labels) as Map<string, number>),
    ).toEqual({
      unknown: 3,
      A: 3,
    });
    expect(
      Object.fromEntries(classQuotaLimits({ A: 2, '*': 0 }, 10, seedLabels, labels) as Map<string, number>),
    ).toEqual({
      unknown: 0,
      A: 2,
      B: 0,
    });
    expect(classQuotaLimits(undefined, 10, seedLabels, labels)).toBeUndefined();
  });
  it('rejects values that are neither a share nor a whole count', () => {
    expect(() => validateClassQuotas({ A: 1.5 })).toThrow(BootstrapOptionError);
    expect(() => validateClassQuotas({ A: -0.1 })).toThrow(
      'bootstrap option classQuotas.A: -0.1 is neither a share in [0, 1) nor a whole count ≥ 1',
    );
    expect(() => validateClassQuotas({ A: 0.5, B: 4 })).not.toThrow();
  });
});
