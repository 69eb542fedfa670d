/**
 * The canonical data model of emr-re and the small interfaces at which the packages meet.
 * Every other package imports these types; none of them reaches into another's internals.
 */

/** An entity mention. Offsets are character (UTF-16 code unit) offsets into `EmrRecord.text`, `end` exclusive. */
export interface Entity {
  id: string;
  type: string;
  start: number;
  end: number;
  text: string;
  /** The recogniser's confidence in [0, 1]; only on entities a model found. */
  score?: number;
  /** Whether a disease, symptom or treatment holds for the patient (gold annotation or assertion detection). */
  assertion?: Assertion;
}

/**
 * The assertion values of a disease, symptom or treatment entity (corpus/emr-relations/GUIDELINES.md, section 4):
 * holds now, negated or ruled out, suspected, past history, about a relative.
 */
export type Assertion = 'present' | 'absent' | 'possible' | 'historical' | 'family';

/** Every `Assertion` value, for validation. */
export const ASSERTION_VALUES: readonly Assertion[] = ['present', 'absent', 'possible', 'historical', 'family'];

/** A directed relation between two entities of the same record, by entity id. `score` only on predictions. */
export interface Relation {
  head: string;
  tail: string;
  label: string;
  score?: number;
}

/** One record: the canonical JSON line `{"id","text","entities","relations"}`. */
export interface EmrRecord {
  id: string;
  text: string;
  entities: Entity[];
  relations: Relation[];
}

/** The label of a candidate pair that stands in no relation. Excluded from micro/macro metrics. */
export const UNKNOWN_LABEL = 'unknown';

/** An allowed (head type, tail type) pair and the relation labels it may carry. */
export interface SchemaPair {
  head: string;
  tail: string;
  labels: string[];
  /** Human-readable category, e.g. "Disease-Position" in the paper's Table 2. */
  category?: string;
}

/** How a source format's relation label maps onto a schema label; `swap` exchanges head and tail. */
export interface LabelMapping {
  label: string;
  swap?: boolean;
}

/** Type and label mappings from one source format (e.g. "cmeie", "ccks2017") onto a schema. */
export interface SourceMapping {
  /** source entity type → schema entity type; a type absent here is kept only if the schema lists it. */
  types?: Record<string, string>;
  /** source relation label → schema label; a label absent here is kept only if the schema lists it. */
  labels?: Record<string, LabelMapping>;
}

/** A relation schema, as data: entity types, allowed ordered type pairs with labels, and source mappings. */
export interface Schema {
  version: 1;
  name: string;
  entityTypes: string[];
  pairs: SchemaPair[];
  mappings?: Record<string, SourceMapping>;
}

/** A sentence of a record with its offset in the record's text. */
export interface Sentence {
  index: number;
  start: number;
  end: number;
  text: string;
}

/**
 * A candidate pair: an ordered pair of entities in one sentence whose types form an allowed schema pair.
 * `label` is the gold label or `UNKNOWN_LABEL`. Entity offsets stay record-level; `sentence` gives the window.
 */
export interface Candidate {
  recordId: string;
  sentence: Sentence;
  head: Entity;
  tail: Entity;
  label: string;
}

/** Streams records from some source (a file, a folder, a string of lines). */
export interface CorpusReader {
  /** The source format name, e.g. "jsonl", "cmeie", "ccks2017", "brat". */
  readonly format: string;
  read(): AsyncIterable<EmrRecord>;
}

/** Turns records into candidate pairs under a schema. */
export interface CandidateGenerator {
  candidates(record: EmrRecord): Candidate[];
}

/** Progress of long work (training, bootstrapping, embedding training). The library never prints; the CLI renders these. */
export interface ProgressEvent {
  /** What is running: "train", "epoch", "bootstrap", "embeddings", "predict", ... */
  phase: string;
  /** Done units of `total` (steps, batches, words, ...). */
  done: number;
  total?: number;
  /** Free-form numeric measurements: loss, examples/s, words/s, f1, ... */
  values?: Record<string, number>;
  message?: string;
}

/** A receiver of progress events. */
export type ProgressListener = (event: ProgressEvent) => void;

/** Options common to every fit of a relation classifier. */
export interface FitOptions {
  /** Candidates to early-stop on (macro-F1). */
  dev?: Candidate[];
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Overrides of the classifier's configured epochs and seed. */
  epochs?: number;
  seed?: number;
  /**
   * Loss weight of each training candidate, aligned with `train` (finite, ≥ 0; default 1 each), e.g. to trust
   * pseudo-labelled items less than gold ones. A classifier that cannot weight examples must reject them.
   */
  exampleWeights?: readonly number[];
}

/** What a fit reports. */
export interface FitReport {
  epochs: number;
  /** Per-epoch training loss. */
  loss: number[];
  /** Per-epoch dev macro-F1, when a dev set was given. */
  devMacroF1?: number[];
  bestEpoch?: number;
}

/**
 * The seam between a relation model and everything that uses one (bootstrapping, CLI, evaluation).
 * Any model, including one not written here, can be plugged in by implementing this.
 */
export interface RelationClassifier {
  /** Output labels, including `UNKNOWN_LABEL`; `predictProba` rows follow this order. */
  readonly labels: readonly string[];
  /** Trains on labelled candidates (continuing from the current weights if any). */
  fit(train: Candidate[], options?: FitOptions): Promise<FitReport>;
  /** Per candidate, a probability row over `labels`. */
  predictProba(batch: Candidate[]): Promise<Float32Array[]>;
  /** Writes the classifier to a directory (atomically). */
  save(dir: string): Promise<void>;
  /** Replaces this classifier's state with the one saved in `dir`. */
  load(dir: string): Promise<void>;
  /** Frees tensors or other resources. */
  dispose(): void;
}

/**
 * A source of pretrained token (character) vectors, e.g. a word2vec file. Models initialise their
 * character embeddings from any implementation of this.
 */
export interface EmbeddingSource {
  /** Vector dimension. */
  readonly dim: number;
  /** Number of tokens held. */
  readonly size: number;
  has(token: string): boolean;
  /** The token's vector, or undefined when absent. */
  lookup(token: string): Float32Array | undefined;
  /** Every (token, vector) pair. */
  entries(): IterableIterator<[string, Float32Array]>;
}
