import { calibrationReport } from './calibration';

describe('calibrationReport', () => {
  it('computes ECE and MCE by hand on two bins', () => {
    // bin [0, .5): 0.2 (wrong), 0.4 (right) → conf .3, acc .5; bin [.5, 1]: .9 (right), .7 (right), 1 (wrong) →
    // conf .8667, acc .6667. ECE = 2/5 · .2 + 3/5 · .2 = .2; MCE = .2.
    const r = calibrationReport([0.2, 0.4, 0.9, 0.7, 1], [false, true, true, true, false], 2);
    expect(r.count).toBe(5);
    expect(r.bins.map((b) => b.count)).toEqual([2, 3]);
    expect(r.bins[0].confidence).toBeCloseTo(0.3, 12);
    expect(r.bins[0].accuracy).toBeCloseTo(0.5, 12);
    expect(r.bins[1].confidence).toBeCloseTo(2.6 / 3, 12);
    expect(r.bins[1].accuracy).toBeCloseTo(2 / 3, 12);
    expect(r.ece).toBeCloseTo(0.2, 12);
    expect(r.mce).toBeCloseTo(0.2, 12);
  });

  it('is 0 for a perfectly calibrated set and counts confidence 1 in the last bin', () => {
    const r = calibrationReport([1, 1, 0, 0], [true, true, false, false], 10);
    expect(r.ece).toBe(0);
    expect(r.bins[9].count).toBe(2);
    expect(r.bins[0].count).toBe(2);
  });

  it('refuses mismatched lengths, confidences outside [0, 1] and bad bin counts', () => {
    expect(() => calibrationReport([0.5], [])).toThrow(RangeError);
    expect(() => calibrationReport([1.5], [true])).toThrow('confidence[0] = 1.5');
    expect(() => calibrationReport([0.5], [true], 0)).toThrow('bins must be ≥ 1');
  });
});
