import type { EntityMetricsReport, MetricsReport } from '@emr-re/metrics';

/** The version of the `ReportData` JSON written to `report.json`. */
export const REPORT_DATA_VERSION = 1;

/** Wall time of one pipeline stage ("read corpus", "embeddings", "train ResGRU-Att", ...). */
export interface StageTime {
  stage: string;
  seconds: number;
}

/** How the run was made: enough to repeat it and to compare it with another run. */
export interface RunInfo {
  /** ISO 8601 date-time the run started. */
  date: string;
  /** The command line that produced the run. */
  command: string;
  /** tfjs backend the models ran on, e.g. "wasm" or "cpu". */
  backend: string;
  /** Model preset name, e.g. "paper" or "small". */
  preset: string;
  /** Schema name, e.g. "paper-table2" or "cmeie". */
  schema: string;
  /** Named seeds, e.g. `{ split: 1, model: 42 }`. */
  seeds: Record<string, number>;
  /** Wall times per stage, in pipeline order. */
  stages: StageTime[];
  /** Named data sizes, e.g. `{ "train records": 800, "train candidates": 17000, "dev candidates": 2000 }`. */
  dataSizes: Record<string, number>;
}

/** A character (or word) of the embedding table and its nearest neighbours by cosine similarity. */
export interface NeighbourList {
  query: string;
  neighbours: Array<{ token: string; similarity: number }>;
}

/** What the character embeddings looked like after training. */
export interface EmbeddingStats {
  vocabSize: number;
  dim: number;
  /** Training throughput; absent when the embeddings were loaded, not trained. */
  wordsPerSecond?: number;
  nearest: NeighbourList[];
}

/** Test-set scores of one model (a row of the paper's Tables 5 and 6). */
export interface ModelResult {
  model: string;
  report: MetricsReport;
}

/** One row of the paper's Table 4: micro F1 (0..1) of one model at each training-set size (key = size, e.g. "17000"). */
export interface DataSizeRow {
  model: string;
  sizes: Record<string, number>;
}

/** One point of the paper's Figure 7: micro F1 (0..1) of an encoder family at a network depth. */
export interface DepthPoint {
  /** Encoder family, e.g. "CNN" or "ResNet"; one line per family. */
  model: string;
  /** Number of convolution layers. */
  depth: number;
  f1: number;
}

/** One epoch of a model's training. */
export interface LossPoint {
  epoch: number;
  loss: number;
  /** Dev micro F1 (0..1) after the epoch, when measured. */
  devF1?: number;
}

/** The training-loss curve of one model. */
export interface LossCurve {
  model: string;
  points: LossPoint[];
}

/** One bootstrapping iteration (iteration 0 = the classifier trained on the seed set alone). */
export interface BootstrapRow {
  iteration: number;
  /** Size of the labelled set the iteration's classifier was trained on. */
  labelled: number;
  /** Pool items moved into the labelled set. */
  added: number;
  /** Pool items left afterwards. */
  poolLeft: number;
  /** Added items per predicted class. */
  addedByClass: Record<string, number>;
  /** Dev micro F1 (0..1) of the iteration's classifier, when measured. */
  devF1?: number;
  /** True when the drop guard undid the iteration. */
  rolledBack?: boolean;
}

/** Edge count of one relation label in the knowledge graph. */
export interface RelationCount {
  label: string;
  edges: number;
}

/** Size and content summary of the knowledge graph built from the predictions. */
export interface KnowledgeGraphSummary {
  nodes: number;
  edges: number;
  /** Relation labels by edge count, most frequent first. */
  topRelations: RelationCount[];
}

/** The entity recogniser of the run, scored on the held-out EMRs (the NER table). */
export interface NerSummary {
  /** Architecture and preset, e.g. "bigru-crf (small)". */
  model: string;
  /** Training epochs run. */
  epochs: number;
  /** How the EMRs were split, e.g. "CCKS 2017 by record number, 80/20, seed 1". */
  split: string;
  /** Records (sections) trained on and scored on. */
  trainRecords: number;
  testRecords: number;
  /** Strict span scores on the held-out records (`scoreEntities` of `@emr-re/metrics`): per type, micro, macro, relaxed. */
  report: EntityMetricsReport;
  /** Entities recognised in all the EMRs' raw text: the input of relation extraction and of the knowledge graph. */
  entitiesRecognised?: number;
}

/**
 * Everything the run report shows; plain JSON (written as `report.json`).
 * Optional parts may be absent: their tables and charts are then left out with a short note.
 */
export interface ReportData {
  version: typeof REPORT_DATA_VERSION;
  /** Report title; default "emr-re run report". */
  title?: string;
  run: RunInfo;
  embeddings?: EmbeddingStats;
  /** Test-set results, one per model, in table order. */
  models: ModelResult[];
  /**
   * The model whose per-class precision/recall (Figure 8) and confusion matrix are drawn;
   * default: the model with the highest micro F1.
   */
  focusModel?: string;
  /** Relation classes in column order for Table 6 and Figure 8; default: classes with gold support, first seen first. */
  labels?: string[];
  dataSize?: DataSizeRow[];
  depth?: DepthPoint[];
  losses?: LossCurve[];
  bootstrap?: BootstrapRow[];
  knowledgeGraph?: KnowledgeGraphSummary;
  /** The entity recogniser whose entities the EMR relations and the knowledge graph were extracted from. */
  ner?: NerSummary;
}
