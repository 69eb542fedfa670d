/**
 * @emr-re/kg: a medical knowledge graph from extracted relations. `KnowledgeGraphBuilder` merges the entities
 * and relations of records (predicted or gold) into nodes and edges that keep their evidence; the writers
 * serialise the graph as N-Triples, JSON lines or Neo4j import CSV. `emr-re export-kg` is this package on a file.
 */

/** The graph and its builder: nodes merged by (normalised text, type), edges by (head, label, tail). */
export type { KgNode, KgProvenance, KgEdge, KnowledgeGraph } from './graph';
export { KnowledgeGraphBuilder, normaliseMention } from './graph';

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
