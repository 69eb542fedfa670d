import type { FitReport } from '@emr-re/tokenize';
import type { DevMetrics } from './predict';
import type { MovedItem } from './run-dir';
import type { IterationSelection } from './select';

/** A fit's report in short (`BootstrapIteration.fit`). */
export interface FitSummary {
  /** Epochs run. */
  epochs: number;
  /** Training loss of the last epoch. */
  finalLoss?: number;
  /** With early stopping on a dev set: the epoch whose weights were kept. */
  bestEpoch?: number;
}

/** What one iteration did (also `iteration-K/metrics.json`). */
export interface BootstrapIteration {
  iteration: number;
  /** Items moved from U into L. */
  added: number;
  /** Items left in U after the move. */
  poolLeft: number;
  /** Size of L the iteration's classifier was trained on. */
  labelled: number;
  addedByClass: Record<string, number>;
  /** Moved items whose predicted label differs from `poolGold` (only when `poolGold` was given). */
  wrongAdded?: number;
  /** Dev metrics of the classifier trained in this iteration. */
  dev?: DevMetrics;
  /** The fit's report in short: epochs run, last training loss, and the restored best dev epoch (early stopping). */
  fit: FitSummary;
  /** True when the drop guard undid this iteration: its items went back to U and its classifier was dropped. */
  rolledBack?: boolean;
  /**
   * Pool items that passed the selection rule (λ, thresholds, agreement), before N and the class quotas
   * (absent in run directories written by 0.1).
   */
  passed?: number;
  /** With `agreement`: pool items that passed the first classifier's rule alone. */
  passedAlone?: number;
  /** With `calibration`: the per-class thresholds the items were chosen with (`null` = never). */
  thresholds?: Record<string, number | null>;
  /** With `calibration` and `agreement`: the partner's thresholds. */
  partnerThresholds?: Record<string, number | null>;
  /** With `agreement`: dev metrics of the partner trained in this iteration. */
  partnerDev?: DevMetrics;
}

/** Everything an iteration K ≥ 1 did, from which its record is made. */
export interface IterationFacts {
  iteration: number;
  /** The items it moved into L. */
  added: readonly MovedItem[];
  /** Size of U after the move. */
  poolLeft: number;
  /** Size of L it trained on. */
  labelled: number;
  /** The classifier's fit report. */
  fit: FitReport;
  selection: Pick<IterationSelection, 'passed' | 'passedAlone'>;
  /** The calibrated thresholds the items were chosen with (classifier's, partner's). */
  thresholds?: ReadonlyMap<string, number>;
  partnerThresholds?: ReadonlyMap<string, number>;
  /** The hidden gold labels of `added`, when the pool's are known. */
  addedGold?: readonly string[];
  dev?: DevMetrics;
  partnerDev?: DevMetrics;
}

/** The record of an iteration K ≥ 1; optional fields appear only when they apply (their order is the JSON's). */
export function iterationRecord(facts: IterationFacts): BootstrapIteration {
  const { added, selection, thresholds, partnerThresholds, addedGold, dev, partnerDev } = facts;
  const addedByClass: Record<string, number> = {};
  for (const item of added) addedByClass[item.label] = (addedByClass[item.label] ?? 0) + 1;
  const record: BootstrapIteration = {
    iteration: facts.iteration,
    added: added.length,
    poolLeft: facts.poolLeft,
    labelled: facts.labelled,
    addedByClass,
    fit: fitSummary(facts.fit),
    passed: selection.passed,
  };
  if (selection.passedAlone !== undefined) record.passedAlone = selection.passedAlone;
  if (thresholds !== undefined) record.thresholds = thresholdRecord(thresholds);
  if (partnerThresholds !== undefined) record.partnerThresholds = thresholdRecord(partnerThresholds);
  if (addedGold !== undefined) record.wrongAdded = added.filter((item, j) => addedGold[j] !== item.label).length;
  if (dev !== undefined) record.dev = dev;
  if (partnerDev !== undefined) record.partnerDev = partnerDev;
  return record;
}

/** The record of iteration 0 (`iteration-0/metrics.json`): the seed training, nothing moved. */
export function seedRecord(facts: {
  poolSize: number;
  seedSize: number;
  fit: FitReport;
  dev?: DevMetrics;
  partnerDev?: DevMetrics;
}): BootstrapIteration {
  const record: BootstrapIteration = {
    iteration: 0,
    added: 0,
    poolLeft: facts.poolSize,
    labelled: facts.seedSize,
    addedByClass: {},
    dev: facts.dev,
    fit: fitSummary(facts.fit),
  };
  if (facts.partnerDev !== undefined) record.partnerDev = facts.partnerDev;
  return record;
}

/** A fit report in short: epochs, the last epoch's loss, the early-stopping epoch. */
export function fitSummary(report: FitReport): FitSummary {
  const summary: FitSummary = { epochs: report.epochs };
  if (report.loss.length > 0) summary.finalLoss = report.loss[report.loss.length - 1];
  if (report.bestEpoch !== undefined) summary.bestEpoch = report.bestEpoch;
  return summary;
}

/** Thresholds as JSON: `Infinity` ("never") becomes `null`. */
export function thresholdRecord(thresholds: ReadonlyMap<string, number>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [label, t] of thresholds) out[label] = Number.isFinite(t) ? t : null;
  return out;
}
