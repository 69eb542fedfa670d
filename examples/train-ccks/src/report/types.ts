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

/** Which bootstrapping iteration's classifier extracts the graph, and on what it was chosen. */
export interface BootstrapChoice {
  /** The bootstrapped model's name in the tables, e.g. "pcnn (best)+bootstrap". */
  model: string;
  /** The accepted iteration (0 = the seed classifier). */
  iteration: number;
  /** What the iterations were judged on, e.g. "9 EMR dev documents (341 candidates)". */
  judgedOn: string;
  /** Its micro F1 (0..1) there, when measured. */
  devMicroF1?: number;
  /** Why bootstrapping stopped (`runBootstrap`'s `stopReason`). */
  stopReason: string;
}

/** The extracted relations of annotated documents at one probability threshold, scored as triples (same spans, types and label). */
export interface EdgeScore {
  threshold: number;
  /** Relations kept (score ≥ threshold), i.e. the graph's edges on those documents. */
  edges: number;
  /** Of them, gold relations. */
  correct: number;
  /** Gold relations of the documents. */
  gold: number;
  /** Edge precision, recall and F1 (0..1; 0 when the denominator is 0). */
  precision: number;
  recall: number;
  f1: number;
}

/** A threshold chosen for an edge precision target, with every threshold tried. */
export interface GraphThresholdChoice {
  threshold: number;
  /** The edge precision aimed at (0..1). */
  target: number;
  /** False when no threshold reached the target: then `threshold` is the one with the best precision. */
  reached: boolean;
  /** Every threshold tried, lowest first. */
  sweep: EdgeScore[];
}

/** The probability threshold the graph and the store were built with (`graph-threshold.json`). */
export interface GraphThresholdSummary extends GraphThresholdChoice {
  /** What it was chosen on, e.g. "9 EMR dev documents, the recogniser's entities". */
  chosenOn: string;
  /** The same extraction on held-out documents at the chosen threshold and at 0 (the top label). */
  test?: { description: string; atThreshold: EdgeScore; atZero: EdgeScore };
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

/** The most mentioned entities of one type in the graph store. */
export interface TopEntityGroup {
  type: string;
  /** Most mentioned first: normalised name and its number of distinct (record, offsets) mentions. */
  entities: Array<{ name: string; mentions: number }>;
}

/** One named question asked of the graph store (`emr-re kg ask QUERY ARGUMENT`) and its first answers. */
export interface GraphQuestion {
  /** Named query, e.g. "symptoms-of". */
  query: string;
  /** Its argument, e.g. a disease's name. */
  argument: string;
  /** Number of answers. */
  answers: number;
  /** The first answers, most evidence first; `evidence` counts mentions (or records, for co-occurrence). */
  top: Array<{ name: string; relation: string; evidence: number; maxScore?: number }>;
}

/** The embedded graph store (`openGraph` of @emr-re/kg) filled from the EMR predictions. */
export interface GraphStoreSummary {
  entities: number;
  edges: number;
  evidence: number;
  records: number;
  triples: number;
  /** Size of the store's graph file in bytes. */
  bytes: number;
  edgesByLabel: Record<string, number>;
  topEntities: TopEntityGroup[];
  questions: GraphQuestion[];
  /** Wall time of `kg.add` and of all the questions together. */
  addSeconds?: number;
  querySeconds?: number;
}

/** One reliability bin: predictions whose top score fell in [lower, upper). */
export interface ReliabilityBinData {
  lower: number;
  upper: number;
  count: number;
  /** Mean top score of the bin (0..1). */
  confidence: number;
  /** Share of the bin's predictions that were right (0..1). */
  accuracy: number;
}

/** Temperature scaling of one model on dev: expected calibration error before and after, and the bins. */
export interface CalibrationResult {
  model: string;
  temperature: number;
  /** Dev candidates it was fitted on. */
  candidates: number;
  before: { ece: number; nll: number; bins: ReliabilityBinData[] };
  after: { ece: number; nll: number; bins: ReliabilityBinData[] };
}

/** Relation scores on annotated real EMRs (the paper's Table 4 on EMRs): one row per classifier. */
export interface EmrEvaluation {
  /** What was scored, e.g. "EMR relation corpus, 40 test documents, gold entities, sentence windows". */
  description: string;
  documents: number;
  /** Gold relations no window could hold, counted as misses in every row. */
  lostRelations: number;
  /** Rows in order: the seed classifier, then each bootstrapping iteration. */
  rows: ModelResult[];
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
  /** The bootstrapping iteration the graph's classifier comes from. */
  bootstrapChoice?: BootstrapChoice;
  knowledgeGraph?: KnowledgeGraphSummary;
  /** The relation probability threshold of the graph, chosen on the EMR dev documents. */
  graphThreshold?: GraphThresholdSummary;
  /** The entity recogniser whose entities the EMR relations and the knowledge graph were extracted from. */
  ner?: NerSummary;
  /** Relation scores on the annotated EMR test documents, seed and per bootstrapping iteration. */
  emr?: EmrEvaluation;
  /** Temperature scaling of the models on dev. */
  calibration?: CalibrationResult[];
  /** The graph store filled from the EMR predictions. */
  graphStore?: GraphStoreSummary;
}
