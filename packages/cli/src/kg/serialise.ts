import type { KgNode, KnowledgeGraph } from './graph';

/** Output formats of `emr-re export-kg`. */
export type KgFormat = 'jsonl' | 'ntriples' | 'neo4j-csv';

/** The graph as JSON lines: one `{"kind":"node",...}` per node, then one `{"kind":"edge",...}` per edge. */
export function graphToJsonl(graph: KnowledgeGraph): string {
  const lines = graph.nodes.map((n) => JSON.stringify({ kind: 'node', ...n }));
  for (const e of graph.edges) lines.push(JSON.stringify({ kind: 'edge', ...e }));
  return lines.join('\n') + (lines.length ? '\n' : '');
}

const NS = 'urn:emr-re:';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';

/** An IRI segment: percent-encoded UTF-8, safe inside `<...>` in N-Triples. */
function iriSegment(text: string): string {
  return encodeURIComponent(text);
}

/** An N-Triples string literal with the escapes the grammar requires. */
function literal(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `"${escaped}"`;
}

function nodeIri(node: KgNode): string {
  return `<${NS}entity/${iriSegment(node.type)}/${iriSegment(node.name)}>`;
}

/**
 * The graph as N-Triples: each node typed and labelled; each edge as a direct triple plus an
 * `rdf:Statement` reification carrying score, count and provenance (record id and offsets).
 */
export function graphToNTriples(graph: KnowledgeGraph): string {
  const out: string[] = [];
  const iriById = new Map<string, string>();
  for (const n of graph.nodes) {
    const iri = nodeIri(n);
    iriById.set(n.id, iri);
    out.push(`${iri} <${RDF}type> <${NS}type/${iriSegment(n.type)}> .`);
    out.push(`${iri} <${RDFS}label> ${literal(n.name)} .`);
  }
  graph.edges.forEach((e, i) => {
    const s = iriById.get(e.source)!;
    const o = iriById.get(e.target)!;
    const p = `<${NS}relation/${iriSegment(e.label)}>`;
    const st = `_:r${i + 1}`;
    out.push(`${s} ${p} ${o} .`);
    out.push(`${st} <${RDF}type> <${RDF}Statement> .`);
    out.push(`${st} <${RDF}subject> ${s} .`);
    out.push(`${st} <${RDF}predicate> ${p} .`);
    out.push(`${st} <${RDF}object> ${o} .`);
    out.push(`${st} <${NS}score> "${e.score}"^^<${XSD}double> .`);
    out.push(`${st} <${NS}count> "${e.count}"^^<${XSD}integer> .`);
    for (const pv of e.provenance) {
      out.push(
        `${st} <${NS}evidence> ${literal(`${pv.recordId}#head=${pv.head[0]},${pv.head[1]};tail=${pv.tail[0]},${pv.tail[1]}`)} .`,
      );
    }
  });
  return out.join('\n') + (out.length ? '\n' : '');
}

function csvField(value: string | number): string {
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The graph as the two CSV files `neo4j-admin database import` reads (header row with Neo4j's typed columns). */
export function graphToNeo4jCsv(graph: KnowledgeGraph): { nodes: string; relationships: string } {
  const nodes = ['id:ID,name,mentions:int,:LABEL'];
  for (const n of graph.nodes) nodes.push([n.id, n.name, n.mentions, n.type].map(csvField).join(','));
  const rels = [':START_ID,:END_ID,:TYPE,score:double,count:int,provenance'];
  for (const e of graph.edges) {
    const provenance = e.provenance
      .map((p) => `${p.recordId}#${p.head[0]}-${p.head[1]}>${p.tail[0]}-${p.tail[1]}`)
      .join('|');
    rels.push([e.source, e.target, e.label, e.score, e.count, provenance].map(csvField).join(','));
  }
  return { nodes: nodes.join('\n') + '\n', relationships: rels.join('\n') + '\n' };
}
