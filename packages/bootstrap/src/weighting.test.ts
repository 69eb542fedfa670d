import { BootstrapOptionError } from './errors';
import type { MovedItem } from './run-dir';
import { validatePseudoLabelWeight, weightedFitOptions } from './weighting';

const moved: MovedItem[] = [
  { key: 'a', label: 'A', probability: 0.9, iteration: 1 },
  { key: 'b', label: 'B', probability: 0.75, iteration: 2 },
];

describe('weightedFitOptions', () => {
  const base = { epochs: 3 };
  it('passes the base options themselves at weight 1 (the paper: no weights at all)', () => {
    expect(weightedFitOptions(base, 2, moved, 1)).toBe(base);
  });
  it('weighs seed items 1 and moved items a fixed weight, in the order of L', () => {
    expect(weightedFitOptions(base, 2, moved, 0.25)).toEqual({ epochs: 3, exampleWeights: [1, 1, 0.25, 0.25] });
  });
  it("weighs moved items by their probability when they moved with 'probability'", () => {
    expect(weightedFitOptions(base, 1, moved, 'probability').exampleWeights).toEqual([1, 0.9, 0.75]);
  });
  it('gives the seed set alone weights of 1 when weighting is on', () => {
    expect(weightedFitOptions(base, 3, [], 0.5).exampleWeights).toEqual([1, 1, 1]);
  });
});

describe('validatePseudoLabelWeight', () => {
  it('accepts (0, 1] and probability', () => {
    for (const w of [1, 0.5, 1e-9, 'probability'] as const) expect(() => validatePseudoLabelWeight(w)).not.toThrow();
  });
  it.each([0, -0.5, 1.5, NaN, 'mean'])('rejects %p', (w) => {
    expect(() => validatePseudoLabelWeight(w as number)).toThrow(BootstrapOptionError);
    expect(() => validatePseudoLabelWeight(w as number)).toThrow('is neither a number in (0, 1] nor');
  });
});
