import { ASSERTION_ORDER, type AssertionCounts } from './assertion';
import type { KgNode, KgProvenance, KnowledgeGraph } from './graph';

/**
 * The IRI namespace of every emr-re node, relation and property: `urn:emr-re:entity/TYPE/NAME`,
 * `urn:emr-re:type/TYPE`, `urn:emr-re:relation/LABEL`, `urn:emr-re:score`, `urn:emr-re:count`, `urn:emr-re:evidence`.
 */
export const KG_IRI_NAMESPACE = 'urn:emr-re:';

const NS = KG_IRI_NAMESPACE;
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

/** `<subject> <urn:emr-re:assertion/VALUE> "N"^^xsd:integer` for each value counted. */
function assertionCounts(subject: string, counts: AssertionCounts | undefined): string[] {
  return ASSERTION_ORDER.filter((v) => counts?.[v] !== undefined).map(
    (v) => `${subject} <${NS}assertion/${v}> "${counts![v]}"^^<${XSD}integer> .`,
  );
}

/** `RECORD#head=S,E;tail=S,E`, then `;headAssertion=V` and `;tailAssertion=V` when known. */
function evidenceLiteral(pv: KgProvenance): string {
  let text = `${pv.recordId}#head=${pv.head[0]},${pv.head[1]};tail=${pv.tail[0]},${pv.tail[1]}`;
  if (pv.headAssertion !== undefined) text += `;headAssertion=${pv.headAssertion}`;
  if (pv.tailAssertion !== undefined) text += `;tailAssertion=${pv.tailAssertion}`;
  return literal(text);
}

function nodeIri(node: KgNode): string {
  return `<${NS}entity/${iriSegment(node.type)}/${iriSegment(node.name)}>`;
}

/**
 * The graph as N-Triples: each node typed and labelled; each edge as a direct triple plus an
 * `rdf:Statement` reification carrying score, count and provenance (record id and offsets). When the
 * predictions had entity assertions: `<urn:emr-re:assertion/VALUE>` counts on nodes (mentions) and statements
 * (evidence), and each evidence literal ends in `;headAssertion=V;tailAssertion=V` (the sides known).
 */
export function graphToNTriples(graph: KnowledgeGraph): string {
  const out: string[] = [];
  const iriById = new Map<string, string>();
  for (const n of graph.nodes) {
    const iri = nodeIri(n);
    iriById.set(n.id, iri);
    out.push(`${iri} <${RDF}type> <${NS}type/${iriSegment(n.type)}> .`);
    out.push(`${iri} <${RDFS}label> ${literal(n.name)} .`);
    out.push(...assertionCounts(iri, n.assertions));
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
    out.push(...assertionCounts(st, e.assertions));
    for (const pv of e.provenance) out.push(`${st} <${NS}evidence> ${evidenceLiteral(pv)} .`);
  });
  return out.join('\n') + (out.length ? '\n' : '');
}
