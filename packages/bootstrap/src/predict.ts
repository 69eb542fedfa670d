import { metricsToJSON, scorePairs } from '@emr-re/metrics';
import type { MetricsJSON } from '@emr-re/metrics';
import type { Candidate, ProgressListener, RelationClassifier } from '@emr-re/tokenize';
import { throwIfAborted } from './aborted-run';
import { calibrateThresholds, ThresholdCalibration } from './calibration';
import { TopPrediction, topPredictions } from './top-predictions';

/** Dev-set metrics as `@emr-re/metrics` serialises them (`micro.f1`, `macro.f1`, `perClass`, ...). */
export type DevMetrics = MetricsJSON;

/** How the loop asks a classifier for predictions. */
export interface PredictSettings {
  /** Candidates per `predictProba` call. */
  batchSize: number;
  /** Checked before every batch; a fired signal throws `AbortedRun`. */
  signal?: AbortSignal;
  /** Receives a `predict` event after every batch. */
  onProgress?: ProgressListener;
}

/** Probability rows for `items`, `batchSize` at a time, checking the signal between batches. */
export async function predictProbabilities(
  classifier: RelationClassifier,
  items: Candidate[],
  settings: PredictSettings,
): Promise<Float32Array[]> {
  const { batchSize, signal, onProgress } = settings;
  const rows: Float32Array[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    throwIfAborted(signal);
    const batch = items.slice(start, start + batchSize);
    const out = await classifier.predictProba(batch);
    if (out.length !== batch.length)
      throw new RangeError(`predictProba returned ${out.length} rows for ${batch.length} candidates`);
    rows.push(...out);
    onProgress?.({ phase: 'predict', done: Math.min(start + batchSize, items.length), total: items.length });
  }
  return rows;
}

/** The classifier's top label and probability for each of `items`. */
export async function predictTop(
  classifier: RelationClassifier,
  items: Candidate[],
  settings: PredictSettings,
): Promise<TopPrediction[]> {
  return topPredictions(classifier.labels, await predictProbabilities(classifier, items, settings));
}

/** Dev metrics of a classifier's top predictions (no threshold). */
export async function scoreDev(
  classifier: RelationClassifier,
  dev: Candidate[],
  settings: PredictSettings,
): Promise<DevMetrics> {
  const top = await predictTop(classifier, dev, settings);
  return metricsToJSON(scorePairs(dev.map((c, i) => ({ gold: c.label, pred: top[i].label }))));
}

/** The classifier's per-class thresholds, calibrated on its predictions for held-out labelled candidates. */
export async function calibrateOn(
  classifier: RelationClassifier,
  heldOut: Candidate[],
  calibration: ThresholdCalibration,
  settings: PredictSettings,
): Promise<Map<string, number>> {
  const top = await predictTop(classifier, heldOut, settings);
  return calibrateThresholds(
    classifier.labels,
    top,
    heldOut.map((c) => c.label),
    calibration,
  );
}
