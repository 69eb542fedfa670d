/**
 * @emr-re/kg: a medical knowledge graph from extracted relations. `KnowledgeGraphBuilder` merges the entities
 * and relations of records (predicted or gold) into nodes and edges that keep their evidence; the writers
 * serialise the graph as N-Triples, JSON lines or Neo4j import CSV. `emr-re export-kg` is this package on a file.
 */

/** The graph and its builder: nodes merged by (normalised text, type), edges by (head, label, tail). */
export type { KgNode, KgProvenance, KgEdge, KnowledgeGraph } from './graph';
export { KnowledgeGraphBuilder, normaliseMention } from './graph';

/** Entity assertions in the graph: how a piece of evidence combines its head's and tail's, counts by value. */
export type { AssertionCounts } from './assertion';
export { evidenceAssertion, ASSERTION_PRECEDENCE, ASSERTION_ORDER } from './assertion';

/** The formats the writers produce, by the names `emr-re export-kg --to` takes. */
export type { KgFormat } from './formats';
export { KG_FORMATS } from './formats';

/** RDF N-Triples, every edge reified with its score, count and evidence. */
export { graphToNTriples, KG_IRI_NAMESPACE } from './ntriples';

/** JSON lines: the nodes, then the edges, one object a line. */
export type { KgJsonlLine } from './jsonl';
export { graphToJsonl } from './jsonl';

/** Neo4j's `neo4j-admin database import` CSV: a nodes file and a relationships file. */
export type { Neo4jCsv } from './neo4j-csv';
export { graphToNeo4jCsv, NEO4J_CSV_FILES } from './neo4j-csv';

/** The embedded knowledge-graph store: `openGraph(dir)` → add records, SPARQL queries, stats, named questions. */
export type * from './store/types';
export type { EmbeddedGraphStore, OpenGraphOptions } from './store/open-graph';
export { openGraph, STORE_GRAPH, STORE_MANIFEST, STORE_VERSION } from './store/open-graph';
export { GraphStoreError, SparqlError, SparqlEndpointError } from './store/errors';
export {
  KG_VOCABULARY,
  KG_NODE_PREFIX,
  KG_RELATION_PREFIX,
  KG_DEFAULT_GRAPH,
  KG_PROLOGUE,
  KG_CLASSES,
  assertionCountIri,
} from './store/vocabulary';
export type { KgClass } from './store/vocabulary';
export { contentIri, relationIri } from './store/terms';
export type { NamedQuery, NamedQueryParameter } from './store/named-queries';
export { NAMED_QUERIES, NAMED_QUERY_DIR, namedQuery, bindNamedQuery } from './store/named-queries';
export { sparqlForm, assertReadOnly } from './store/sparql';
export type { PushOptions, PushResult } from './store/push';
export { pushGraph, batchUpdate } from './store/push';

/** Turtle: the store's vocabulary (entities, mentions, edges and evidence as nodes), as `kg add` would store it. */
export { nTriplesToTurtle } from './turtle';
export { graphLines } from './store/graph-lines';
