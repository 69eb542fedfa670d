import type { DevMetrics } from './predict';

/** Which dev F1 the drop guard watches. */
export type GuardMetric = 'micro' | 'macro';

/** The drop guard's settings (`BootstrapOptions.devDropTolerance`, `guardMetric`). */
export interface DropGuard {
  /** The largest fall of dev F1 an iteration may cause; none means no guard. */
  devDropTolerance?: number;
  guardMetric: GuardMetric;
}

/** The micro- or macro-averaged F1 of dev metrics. */
export function f1Of(metrics: DevMetrics, which: GuardMetric): number {
  return metrics[which].f1;
}

/**
 * Whether the guard rolls an iteration back: its classifier's dev F1 (`guardMetric`) is more than the
 * tolerance below that of the previously accepted classifier. Never without a tolerance or either metric.
 */
export function devDropped(
  dev: DevMetrics | undefined,
  previousDev: DevMetrics | undefined,
  guard: DropGuard,
): boolean {
  const { devDropTolerance, guardMetric } = guard;
  return (
    devDropTolerance !== undefined &&
    dev !== undefined &&
    previousDev !== undefined &&
    f1Of(dev, guardMetric) < f1Of(previousDev, guardMetric) - devDropTolerance
  );
}
