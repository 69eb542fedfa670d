/** What the main thread and a model worker thread send each other (structured-cloned plain data only). */
import type { EmrRecord } from '@emr-re/tokenize';
import type { BackendName } from '@emr-re/resgru-att';
import type { PipelineOptions } from './pipeline';

/** The models a worker thread loads once: the extraction pipeline, or a relation model alone. */
export type PoolModels =
  | {
      /** `emr-re extract`: NER then relations on raw text. */
      kind: 'extract';
      /** A directory written by `emr-re ner train`. */
      ner: string;
      /** A directory written by `emr-re train`, or several: an ensemble averaging their probabilities. */
      relations: string | readonly string[];
    }
  | {
      /** `emr-re predict`: relations between the entities records already carry. */
      kind: 'predict';
      /** A directory written by `emr-re train`. */
      model: string;
    };

/** The `workerData` of a model worker thread. */
export interface WorkerSetup {
  models: PoolModels;
  /** The tfjs backend each thread selects for itself (default auto). */
  backend: BackendName | 'auto';
}

/**
 * The options of a batch: extract takes every `PipelineOptions` (thresholds, assertions, lexicon, …: plain data that
 * structured cloning carries); predict reads `minRelationScore` only.
 */
export type BatchOptions = PipelineOptions;

/** One batch for a worker thread. */
export interface BatchTask {
  /** extract: `{id, text}` records; predict: records with entities. */
  records: unknown[];
  options: BatchOptions;
}

/** An error crossing the thread boundary: structured cloning keeps neither an error's class nor its code. */
export interface SerializedError {
  name: string;
  message: string;
  /** The `EmrReError` code when the user caused it (bad model directory, bad record), absent for bugs. */
  userCode?: string;
  stack?: string;
}

/** A worker thread's answer to a `BatchTask`. */
export type BatchReply = { ok: true; records: EmrRecord[]; backend: string } | { ok: false; error: SerializedError };
