import {
  calibrateThresholds,
  classQuotaLimits,
  passingItems,
  selectConfident,
  selectForIteration,
  topPredictions,
  validateCalibration,
  validateClassQuotas,
} from './select';
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

describe('calibrateThresholds', () => {
  // Held-out items: predicted label, probability, gold.
  const held: [string, number, string][] = [
    ['A', 0.95, 'A'],
    ['A', 0.9, 'A'],
    ['A', 0.85, 'unknown'],
    ['A', 0.8, 'A'],
    ['A', 0.8, 'A'],
    ['A', 0.6, 'B'],
    ['B', 0.99, 'unknown'],
    ['B', 0.7, 'B'],
    ['B', 0.65, 'B'],
    ['unknown', 0.9, 'unknown'],
    ['unknown', 0.5, 'A'],
  ];
  const predictions = held.map(([label, probability]) => ({ label, probability }));
  const gold = held.map(([, , g]) => g);

  it('picks per class the lowest probability whose precision reaches the target', () => {
    // A, from the top: ≥0.95 1/1, ≥0.9 2/2, ≥0.85 2/3, ≥0.8 4/5 (the tie at 0.8 counts together), ≥0.6 4/6.
    // Target 0.75, support ≥ 2 → 0.8 (4/5 = 0.8); target 0.9 → 0.9; target 1 with support 3 → never.
    // B: ≥0.99 0/1, ≥0.7 1/2, ≥0.65 2/3 → never at 0.75. unknown: ≥0.9 1/1 (support 1 < 2), ≥0.5 1/2 → never.
    const at = (targetPrecision: number, minSupport: number): Record<string, number> =>
      Object.fromEntries(calibrateThresholds(labels, predictions, gold, { targetPrecision, minSupport }));
    expect(at(0.75, 2)).toEqual({ A: 0.8, B: Infinity, unknown: Infinity });
    expect(at(0.9, 2)).toEqual({ A: 0.9, B: Infinity, unknown: Infinity });
    expect(at(1, 3)).toEqual({ A: Infinity, B: Infinity, unknown: Infinity });
    // target 0.6, support 1: A ≥0.6 4/6; B ≥0.65 2/3; unknown ≥0.5 is 1/2 < 0.6, so a single right one sets 0.9
    expect(at(0.6, 1)).toEqual({ A: 0.6, B: 0.65, unknown: 0.9 });
    // the default support is 5: A's first qualifying set at target 0.8 is ≥ 0.8 (5 items, 4 right)
    expect(Object.fromEntries(calibrateThresholds(labels, predictions, gold, { targetPrecision: 0.8 }))).toEqual({
      A: 0.8,
      B: Infinity,
      unknown: Infinity,
    });
  });
  it('gives never to a label nobody predicted, and rejects mismatched gold', () => {
    expect(calibrateThresholds(['C'], predictions, gold, { targetPrecision: 0.5, minSupport: 1 }).get('C')).toBe(
      Infinity,
    );
    expect(() => calibrateThresholds(labels, predictions, gold.slice(1), { targetPrecision: 0.5 })).toThrow(
      '10 gold labels for 11 held-out predictions',
    );
  });
  it('checks its settings', () => {
    expect(() => validateCalibration({ targetPrecision: 0 })).toThrow(
      'bootstrap option calibration.targetPrecision: 0 is not in (0, 1]',
    );
    expect(() => validateCalibration({ targetPrecision: 0.9, minSupport: 0 })).toThrow(
      'bootstrap option calibration.minSupport: 0 is not a whole number ≥ 1',
    );
    expect(() => validateCalibration({ targetPrecision: 1, minSupport: 2 })).not.toThrow();
  });
});

describe('selectConfident with thresholds and a partner', () => {
  const preds = [
    { label: 'A', probability: 0.9 }, // 0
    { label: 'B', probability: 0.85 }, // 1
    { label: 'A', probability: 0.75 }, // 2
    { label: 'unknown', probability: 0.99 }, // 3
    { label: 'B', probability: 0.95 }, // 4
  ];
  it('needs p ≥ the class threshold as well as p > λ', () => {
    const thresholds = new Map([
      ['A', 0.8],
      ['B', 0.9],
      ['unknown', Infinity],
    ]);
    const rule = { lambda: 0.7, perIteration: 10, includeUnknown: true, thresholds };
    expect(selectConfident(preds, rule)).toEqual([4, 0]);
    // λ stays a floor: a threshold below it does not let 0.75 through at λ 0.8
    expect(selectConfident(preds, { ...rule, lambda: 0.8, thresholds: new Map([['A', 0.5]]) })).toEqual([3, 4, 0, 1]);
    // a threshold equal to the probability passes (≥), unlike λ (>)
    expect(selectConfident(preds, { ...rule, thresholds: new Map([['B', 0.85]]) })).toEqual([3, 4, 0, 1, 2]);
  });
  it('moves an item only when the partner agrees above its own thresholds, ranked by the lower probability', () => {
    const partner = [
      { label: 'A', probability: 0.72 }, // agrees, lower → confidence 0.72
      { label: 'B', probability: 0.99 }, // agrees → 0.85
      { label: 'B', probability: 0.9 }, // disagrees
      { label: 'unknown', probability: 0.6 }, // agrees but not above λ
      { label: 'B', probability: 0.8 }, // agrees → 0.8, but B's partner threshold is 0.85
    ];
    const rule = { lambda: 0.7, perIteration: 10, includeUnknown: true, partner };
    expect(selectConfident(preds, rule)).toEqual([1, 4, 0]);
    expect(passingItems(preds, rule)).toEqual([0, 1, 4]);
    const strict = { ...rule, partnerThresholds: new Map([['B', 0.85]]) };
    expect(selectConfident(preds, strict)).toEqual([1, 0]);
    expect(selectConfident(preds, { ...strict, perIteration: 1 })).toEqual([1]);
    expect(() => selectConfident(preds, { ...rule, partner: partner.slice(1) })).toThrow(
      '4 partner predictions for 5 items',
    );
  });
});

describe('selectForIteration', () => {
  const preds = [
    { label: 'A', probability: 0.9 },
    { label: 'B', probability: 0.8 },
    { label: 'A', probability: 0.95 },
  ];
  it('chooses as selectConfident and counts the items that passed before N', () => {
    const rule = { lambda: 0.7, perIteration: 1, includeUnknown: true };
    expect(selectForIteration(preds, rule)).toEqual({ chosen: [2], passed: 3 });
  });
  it('with a partner, also counts the items that passed the first classifier alone', () => {
    const partner = [
      { label: 'A', probability: 0.9 },
      { label: 'A', probability: 0.9 },
      { label: 'A', probability: 0.6 },
    ];
    const rule = { lambda: 0.7, perIteration: 10, includeUnknown: true, partner };
    expect(selectForIteration(preds, rule)).toEqual({ chosen: [0], passed: 1, passedAlone: 3 });
  });
});
