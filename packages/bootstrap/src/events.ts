import type { ProgressEvent } from '@emr-re/tokenize';
import type { GuardMetric } from './drop-guard';
import type { BootstrapIteration } from './iteration-record';
import type { DevMetrics } from './predict';

/** The `bootstrap` event after the seed training (`done` 0). */
export function seedTrainedEvent(seedDev: DevMetrics | undefined, maxIterations: number): ProgressEvent {
  return {
    phase: 'bootstrap',
    done: 0,
    total: finiteOrUndefined(maxIterations),
    values: devValues(seedDev),
    message: 'seed classifier trained',
  };
}

/** The `bootstrap` event after iteration K (`done` K), saying whether the drop guard rolled it back. */
export function iterationEvent(
  record: BootstrapIteration,
  settings: { maxIterations: number; guardMetric: GuardMetric },
): ProgressEvent {
  const k = record.iteration;
  return {
    phase: 'bootstrap',
    done: k,
    total: finiteOrUndefined(settings.maxIterations),
    values: { added: record.added, poolLeft: record.poolLeft, labelled: record.labelled, ...devValues(record.dev) },
    message:
      record.rolledBack === true
        ? `dev ${settings.guardMetric} F1 dropped; iteration ${k} rolled back`
        : `iteration ${k}`,
  };
}

function devValues(metrics: DevMetrics | undefined): Record<string, number> {
  return metrics === undefined ? {} : { devMicroF1: metrics.micro.f1, devMacroF1: metrics.macro.f1 };
}

function finiteOrUndefined(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}
