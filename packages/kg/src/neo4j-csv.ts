import { ASSERTION_ORDER, type AssertionCounts } from './assertion';
import type { KnowledgeGraph } from './graph';

/** The two CSV files of `graphToNeo4jCsv`, as text. */
export interface Neo4jCsv {
  /** `id:ID,name,mentions:int,:LABEL`: one row per node, its entity type as the Neo4j label. */
  nodes: string;
  /** `:START_ID,:END_ID,:TYPE,score:double,count:int,provenance`: one row per edge, its relation as the type. */
  relationships: string;
}

/** The file names `neo4j-admin database import` is pointed at (`--nodes=nodes.csv --relationships=...`). */
export const NEO4J_CSV_FILES = { nodes: 'nodes.csv', relationships: 'relationships.csv' } as const;

/** A CSV field, quoted (RFC 4180) only when it holds a quote, a comma or a line break. */
function csvField(value: string | number): string {
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The graph as the two CSV files `neo4j-admin database import` reads, with Neo4j's typed header columns. An
 * edge's `provenance` is one field: `recordId#headStart-headEnd>tailStart-tailEnd`, joined by `|`. When any
 * entity had an assertion, nodes gain `presentMentions:int` ... `familyMentions:int` and relationships
 * `presentEvidence:int` ... `familyEvidence:int` (0 when none), after the columns above.
 */
export function graphToNeo4jCsv(graph: KnowledgeGraph): Neo4jCsv {
  // Assertion columns only when some entity had an assertion: older predictions give the same files as before.
  const asserted = graph.nodes.some((n) => n.assertions !== undefined);
  const counts = (c: AssertionCounts | undefined): number[] =>
    asserted ? ASSERTION_ORDER.map((v) => c?.[v] ?? 0) : [];
  const header = (suffix: string): string =>
    asserted ? ASSERTION_ORDER.map((v) => `,${v}${suffix}:int`).join('') : '';
  const nodes = ['id:ID,name,mentions:int,:LABEL' + header('Mentions')];
  for (const n of graph.nodes) {
    nodes.push([n.id, n.name, n.mentions, n.type, ...counts(n.assertions)].map(csvField).join(','));
  }
  const rels = [':START_ID,:END_ID,:TYPE,score:double,count:int,provenance' + header('Evidence')];
  for (const e of graph.edges) {
    const provenance = e.provenance
      .map((p) => `${p.recordId}#${p.head[0]}-${p.head[1]}>${p.tail[0]}-${p.tail[1]}`)
      .join('|');
    rels.push(
      [e.source, e.target, e.label, e.score, e.count, provenance, ...counts(e.assertions)].map(csvField).join(','),
    );
  }
  return { nodes: nodes.join('\n') + '\n', relationships: rels.join('\n') + '\n' };
}
