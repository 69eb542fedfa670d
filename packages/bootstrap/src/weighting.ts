import type { FitOptions } from '@emr-re/tokenize';
import { BootstrapOptionError } from './errors';
import type { MovedItem } from './run-dir';

/** How much a moved (pseudo-labelled) item weighs in training: a fixed weight or its probability. */
export type PseudoLabelWeight = number | 'probability';

/** Checks `BootstrapOptions.pseudoLabelWeight`: a number in (0, 1] or `'probability'`. */
export function validatePseudoLabelWeight(weight: PseudoLabelWeight): void {
  if (weight !== 'probability' && !(typeof weight === 'number' && weight > 0 && weight <= 1)) {
    throw new BootstrapOptionError(
      'pseudoLabelWeight',
      `${String(weight)} is neither a number in (0, 1] nor 'probability'`,
    );
  }
}

/**
 * The fit options for L (the seed set, then `moved` in the order they moved): `base` itself at weight 1 (the
 * paper: no `exampleWeights` at all), otherwise with `exampleWeights` 1 for each of the `seedSize` seed items and
 * the pseudo-label weight of each moved item (its probability when it moved, with `'probability'`).
 */
export function weightedFitOptions(
  base: FitOptions,
  seedSize: number,
  moved: readonly MovedItem[],
  weight: PseudoLabelWeight,
): FitOptions {
  if (weight === 1) return base;
  const exampleWeights = [
    ...Array.from({ length: seedSize }, () => 1),
    ...moved.map((m) => (weight === 'probability' ? m.probability : weight)),
  ];
  return { ...base, exampleWeights };
}
