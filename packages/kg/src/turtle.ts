import { KG_VOCABULARY, RDFS_NS, RDF_NS, XSD_NS } from './store/vocabulary';

const PREFIXES: Array<[string, string]> = [
  ['emr', KG_VOCABULARY],
  ['rdf', RDF_NS],
  ['rdfs', RDFS_NS],
  ['xsd', XSD_NS],
];

const LINE = /^(<[^>]*>) <([^>]*)> (.*) \.$/;

/** A predicate or class IRI as `prefix:name` when its local name is plain letters, else `<iri>`. */
function shorten(iri: string): string {
  for (const [prefix, ns] of PREFIXES) {
    if (iri.startsWith(ns) && /^[A-Za-z][A-Za-z0-9]*$/.test(iri.slice(ns.length)))
      return `${prefix}:${iri.slice(ns.length)}`;
  }
  return `<${iri}>`;
}

/** An N-Triples object term in Turtle: IRIs shortened, integers bare, other literals with a prefixed datatype. */
function object(term: string): string {
  if (term.startsWith('<')) return shorten(term.slice(1, -1));
  const typed = /^("(?:[^"\\]|\\.)*")\^\^<([^>]*)>$/.exec(term);
  if (typed === null) return term;
  if (typed[2] === `${XSD_NS}integer` && /^"-?\d+"$/.test(typed[1])) return typed[1].slice(1, -1);
  return `${typed[1]}^^${shorten(typed[2])}`;
}

/**
 * N-Triples lines (sorted by subject, as the store and `graphLines` give them) as Turtle: the `emr:`, `rdf:`,
 * `rdfs:` and `xsd:` prefixes, one block per subject with its predicates joined by `;`, `a` for `rdf:type`.
 */
export function nTriplesToTurtle(lines: Iterable<string>): string {
  const out: string[] = PREFIXES.map(([p, ns]) => `@prefix ${p}: <${ns}> .`);
  let subject: string | undefined;
  let block: string[] = [];
  const flush = (): void => {
    if (subject !== undefined) out.push('', `${subject}\n    ${block.join(' ;\n    ')} .`);
  };
  for (const line of lines) {
    const m = LINE.exec(line);
    if (m === null) throw new Error(`not an N-Triples line of the store: ${line.slice(0, 80)}`);
    const [, s, p, o] = m;
    if (s !== subject) {
      flush();
      subject = s;
      block = [];
    }
    block.push(`${p === `${RDF_NS}type` ? 'a' : shorten(p)} ${object(o)}`);
  }
  flush();
  return out.join('\n') + '\n';
}
