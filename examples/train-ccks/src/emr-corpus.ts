import { scorePairs, type MetricsReport } from '@emr-re/metrics';
import {
  UNKNOWN_LABEL,
  candidatePairs,
  readEmrCorpus,
  type Candidate,
  type CandidateWindow,
  type EmrRecord,
  type Schema,
} from '@emr-re/tokenize';

/** The EMR relation corpus (corpus/emr-relations) as the example uses it. */
export interface EmrCorpusParts {
  /** The annotated train documents (relations and assertions on gold entities). */
  train: EmrRecord[];
  /** The annotated test documents: scored, never trained or tuned on. */
  test: EmrRecord[];
  /** Ids of every annotated document (train and test): kept out of the bootstrapping pool. */
  ids: Set<string>;
}

/** Reads both parts of the EMR relation corpus (`annotations.jsonl` with the CCKS 2017 folder it annotates). */
export async function readEmrCorpusParts(
  annotations: string,
  ccksDir: string,
  schema: Schema,
): Promise<EmrCorpusParts> {
  const docs = await readEmrCorpus(annotations, ccksDir, { schema });
  const train = docs.filter((d) => d.split === 'train').map((d) => d.record);
  const test = docs.filter((d) => d.split === 'test').map((d) => d.record);
  return { train, test, ids: new Set(docs.map((d) => d.record.id)) };
}

/** Labelled candidates of annotated documents, and the gold relations no window of `window` holds. */
export interface EmrTestSet {
  candidates: Candidate[];
  /** Labels of the gold relations lost to the windows (each one a miss when scoring). */
  lost: string[];
}

/**
 * The candidates of annotated documents within `window` (every allowed pair of gold entities, labelled with its
 * relation or `unknown`) plus the labels of the gold relations that no window holds whole, so that scoring can count
 * them as misses instead of leaving them out.
 */
export function emrTestSet(records: readonly EmrRecord[], schema: Schema, window: CandidateWindow): EmrTestSet {
  const candidates: Candidate[] = [];
  const lost: string[] = [];
  for (const record of records) {
    const set = candidatePairs(record, schema, { window });
    candidates.push(...set.candidates);
    for (const l of set.lost) if (l.reason === 'cross-sentence') lost.push(l.relation.label);
  }
  return { candidates, lost };
}

/**
 * P/R/F1 (`unknown` excluded from micro/macro) of predicted labels on an `EmrTestSet`: the candidates as predicted,
 * and each lost gold relation as predicted `unknown`.
 */
export function scoreEmrTest(set: EmrTestSet, predicted: readonly string[]): MetricsReport {
  if (predicted.length !== set.candidates.length) {
    throw new RangeError(`scoreEmrTest: ${predicted.length} predictions for ${set.candidates.length} candidates`);
  }
  return scorePairs([
    ...set.candidates.map((c, i) => ({ gold: c.label, pred: predicted[i] })),
    ...set.lost.map((label) => ({ gold: label, pred: UNKNOWN_LABEL })),
  ]);
}
