import type { DevMetrics } from './predict';
import { devDropped, f1Of } from './drop-guard';

const metrics = (micro: number, macro: number): DevMetrics =>
  ({ micro: { f1: micro }, macro: { f1: macro } }) as unknown as DevMetrics;

describe('devDropped', () => {
  const previous = metrics(0.8, 0.6);
  it('fires when the watched F1 falls by more than the tolerance', () => {
    expect(devDropped(metrics(0.8, 0.49), previous, { devDropTolerance: 0.1, guardMetric: 'macro' })).toBe(true);
    expect(devDropped(metrics(0.69, 0.6), previous, { devDropTolerance: 0.1, guardMetric: 'micro' })).toBe(true);
  });
  it('does not fire at a fall of at most the tolerance, or on the other metric', () => {
    expect(devDropped(metrics(0.8, 0.55), previous, { devDropTolerance: 0.05, guardMetric: 'macro' })).toBe(false);
    expect(devDropped(metrics(0.1, 0.6), previous, { devDropTolerance: 0.05, guardMetric: 'macro' })).toBe(false);
  });
  it('never fires without a tolerance or without either metric', () => {
    const low = metrics(0, 0);
    expect(devDropped(low, previous, { guardMetric: 'macro' })).toBe(false);
    expect(devDropped(undefined, previous, { devDropTolerance: 0, guardMetric: 'macro' })).toBe(false);
    expect(devDropped(low, undefined, { devDropTolerance: 0, guardMetric: 'macro' })).toBe(false);
  });
  it('reads micro or macro F1', () => {
    expect([f1Of(previous, 'micro'), f1Of(previous, 'macro')]).toEqual([0.8, 0.6]);
  });
});
