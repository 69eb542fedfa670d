import type { Assertion, EmrRecord } from '@emr-re/tokenize';
import type { AssertionCounts } from '../assertion';

/** Which model produced the predictions being added: kept on every piece of evidence. */
export interface ModelStamp {
  /** A stable id of the model (e.g. its manifest's SHA-256 or directory name). */
  id: string;
  /** Its version (package or manifest version). */
  version?: string;
}

/** Options of `GraphStore.add`. */
export interface AddOptions {
  /** The relation model behind the predictions (and the NER model, when entities were predicted too). */
  model?: ModelStamp;
  /** Called after each batch of records is added. */
  onProgress?: (done: number) => void;
}

/** What an `add` changed: counts of what was new (adding the same predictions twice adds nothing). */
export interface AddResult {
  records: number;
  newEntities: number;
  newEdges: number;
  newEvidence: number;
}

/** The size of a store. */
export interface GraphStats {
  entities: number;
  edges: number;
  evidence: number;
  records: number;
  triples: number;
  /** Entities by type and edges by label. */
  entitiesByType: Record<string, number>;
  edgesByLabel: Record<string, number>;
}

/** The rows of a SPARQL SELECT (variables in order; each binding a plain string value), or an ASK's boolean. */
export type QueryResult =
  | { kind: 'select'; variables: string[]; rows: Array<Record<string, string | undefined>> }
  | { kind: 'ask'; value: boolean }
  | { kind: 'graph'; nquads: string };

/** An entity node of the graph. */
export interface GraphEntity {
  /** Stable IRI derived from the type and the normalised name. */
  iri: string;
  type: string;
  name: string;
  mentions: number;
  /** Its mentions by assertion (`emr:<value>MentionCount`), when any mention had one. */
  assertions?: AssertionCounts;
}

/** One supporting mention of an edge: which record, where, with what score, from which model. */
export interface GraphEvidence {
  recordId: string;
  head: [number, number];
  tail: [number, number];
  score?: number;
  model?: ModelStamp;
  /** The assertions of the head and tail mentions, and of the evidence (`emr:assertion`), when known. */
  headAssertion?: Assertion;
  tailAssertion?: Assertion;
  assertion?: Assertion;
}

/** An edge with its evidence. */
export interface GraphEdge {
  iri: string;
  head: GraphEntity;
  label: string;
  tail: GraphEntity;
  evidence: GraphEvidence[];
  /** Its evidence by assertion (`emr:<value>EvidenceCount`), when any piece had one. */
  assertions?: AssertionCounts;
}

/** An entity and the edges that touch it. */
export interface Neighbourhood {
  entity: GraphEntity;
  edges: GraphEdge[];
}

/**
 * A knowledge-graph store: records with relations go in, SPARQL and a few graph reads come out. The embedded
 * implementation (`openGraph(dir)`) keeps it in a directory; the HTTP service reads it through this interface.
 */
export interface GraphStore {
  /** Adds records (entities and relations, with scores) idempotently: ids come from content. */
  add(records: Iterable<EmrRecord> | AsyncIterable<EmrRecord>, options?: AddOptions): Promise<AddResult>;
  /** Runs a read-only SPARQL 1.1 query. */
  query(sparql: string): Promise<QueryResult>;
  /** Counts of what the store holds. */
  stats(): Promise<GraphStats>;
  /** Entities whose normalised name contains `text` (most mentioned first), at most `limit`. */
  searchEntities(text: string, limit?: number): Promise<GraphEntity[]>;
  /** The entity with this IRI and its edges with their evidence, or undefined. */
  neighbourhood(iri: string, limit?: number): Promise<Neighbourhood | undefined>;
  /** Writes pending changes and releases the store. */
  close(): Promise<void>;
}
