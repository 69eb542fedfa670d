import { BootstrapOptionError } from './errors';

/**
 * Per-class caps on how many items one iteration may move into the labelled set, so that one frequent class
 * (often `unknown`) cannot flood it. `'proportional'`: each class gets `ceil(N × its share of the seed set)`,
 * and a class absent from the seed set gets none. A record maps a label to a share of N (a number in [0, 1))
 * or to a count (an integer ≥ 1); the key `'*'` sets the cap of every label not listed, otherwise those are
 * uncapped.
 */
export type ClassQuotas = 'proportional' | Record<string, number>;

/** Checks a quota record: shares in [0, 1), counts integers ≥ 1. */
export function validateClassQuotas(quotas: ClassQuotas | undefined): void {
  if (quotas === undefined || quotas === 'proportional') return;
  if (typeof quotas !== 'object' || quotas === null) {
    throw new BootstrapOptionError('classQuotas', `expected 'proportional' or an object of label → share or count`);
  }
  for (const [label, value] of Object.entries(quotas)) {
    const share = typeof value === 'number' && value >= 0 && value < 1;
    const count = typeof value === 'number' && Number.isInteger(value) && value >= 1;
    if (!share && !count) {
      throw new BootstrapOptionError(
        `classQuotas.${label}`,
        `${String(value)} is neither a share in [0, 1) nor a whole count ≥ 1`,
      );
    }
  }
}

/**
 * Turns `ClassQuotas` into a per-label cap for one iteration of `perIteration` items. `seedLabels` are the
 * labels of the seed set (for `'proportional'`); `labels` are the classifier's labels.
 */
export function classQuotaLimits(
  quotas: ClassQuotas | undefined,
  perIteration: number,
  seedLabels: readonly string[],
  labels: readonly string[],
): Map<string, number> | undefined {
  if (quotas === undefined) return undefined;
  const limits = new Map<string, number>();
  if (quotas === 'proportional') {
    const counts = new Map<string, number>();
    for (const label of seedLabels) counts.set(label, (counts.get(label) ?? 0) + 1);
    for (const label of labels) {
      limits.set(label, Math.ceil((perIteration * (counts.get(label) ?? 0)) / Math.max(1, seedLabels.length)));
    }
    return limits;
  }
  const cap = (value: number): number => (value < 1 ? Math.ceil(perIteration * value) : value);
  const fallback = quotas['*'];
  for (const label of labels) {
    const value = Object.prototype.hasOwnProperty.call(quotas, label) ? quotas[label] : fallback;
    if (value !== undefined) limits.set(label, cap(value));
  }
  return limits;
}
