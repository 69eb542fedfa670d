import { createHash } from 'node:crypto';
import { KG_NODE_PREFIX, KG_RELATION_PREFIX, V } from './vocabulary';

/* N-Triples terms and content-derived IRIs: pure string functions, no store. */

/** The kinds of node IRIs: `urn:emr-re:kg:<kind>:<hash>`. */
export type NodeKind = 'entity' | 'mention' | 'record' | 'edge' | 'evidence' | 'model';

/**
 * A node IRI derived from content: the first 128 bits of the SHA-256 of the JSON array `parts`, base64url. The
 * same parts give the same IRI in every store and every run, which is what makes `add` idempotent.
 */
export function contentIri(kind: NodeKind, parts: ReadonlyArray<string | number>): string {
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest().subarray(0, 16).toString('base64url');
  return `${KG_NODE_PREFIX}${kind}:${hash}`;
}

/** The direct predicate of a relation label; characters an IRI may not hold are percent-encoded (UTF-8). */
export function relationIri(label: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  return KG_RELATION_PREFIX + label.replace(/[\u0000-\u0020<>"{}|^`\\%]/g, (c) => percentEncode(c));
}

function percentEncode(c: string): string {
  return [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** `<iri>` as an N-Triples term. */
export function iriTerm(iri: string): string {
  return `<${iri}>`;
}

/** An N-Triples string literal, with the escapes the grammar requires (other control characters as `\uXXXX`). */
export function stringTerm(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  const escaped = text.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return '\\"';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  });
  return `"${escaped}"`;
}

/** An `xsd:integer` literal. */
export function integerTerm(n: number): string {
  return `"${n}"^^<${V.integer}>`;
}

/** An `xsd:double` literal in JavaScript's shortest round-tripping form. */
export function doubleTerm(x: number): string {
  return `"${String(x)}"^^<${V.double}>`;
}

/** One N-Triples line. */
export function tripleLine(subject: string, predicate: string, object: string): string {
  return `<${subject}> <${predicate}> ${object} .`;
}
