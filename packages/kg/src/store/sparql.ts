import { SparqlError } from './errors';
import type { QueryResult } from './types';

/* Pure SPARQL text handling: telling queries from updates, and reading the results' JSON. */

/** The SPARQL text with comments removed (a `#` outside IRIs and strings starts one). */
function withoutComments(text: string): string {
  return text.replace(
    /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>)|#[^\n]*/g,
    (_match: string, kept: string | undefined) => kept ?? '',
  );
}

const PROLOGUE = /^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*/i;

/** The form of a SPARQL request: a query form (SELECT/ASK/CONSTRUCT/DESCRIBE), an update, or unknown. */
export function sparqlForm(text: string): 'select' | 'ask' | 'construct' | 'describe' | 'update' | 'unknown' {
  const body = withoutComments(text).replace(PROLOGUE, '');
  const word = /^([A-Za-z]+)/.exec(body)?.[1]?.toUpperCase();
  switch (word) {
    case 'SELECT':
      return 'select';
    case 'ASK':
      return 'ask';
    case 'CONSTRUCT':
      return 'construct';
    case 'DESCRIBE':
      return 'describe';
    case 'INSERT':
    case 'DELETE':
    case 'LOAD':
    case 'CLEAR':
    case 'CREATE':
    case 'DROP':
    case 'COPY':
    case 'MOVE':
    case 'ADD':
    case 'WITH':
      return 'update';
    default:
      return 'unknown';
  }
}

/** Throws `SparqlError` unless `text` is a query (updates are refused: the store is read through `query`). */
export function assertReadOnly(text: string): void {
  if (sparqlForm(text) === 'update') {
    throw new SparqlError('SPARQL updates are refused: kg query is read-only (use kg add to change the store)');
  }
}

interface ResultsJson {
  head: { vars?: string[] };
  boolean?: boolean;
  results?: { bindings: Array<Record<string, { value: string }>> };
}

/** A SPARQL 1.1 Query Results JSON document as a `QueryResult` (each binding its plain value). */
export function parseResultsJson(json: string): QueryResult {
  const doc = JSON.parse(json) as ResultsJson;
  if (typeof doc.boolean === 'boolean') return { kind: 'ask', value: doc.boolean };
  const variables = doc.head.vars ?? [];
  const rows = (doc.results?.bindings ?? []).map((b) => {
    const row: Record<string, string | undefined> = {};
    for (const v of variables) row[v] = b[v]?.value;
    return row;
  });
  return { kind: 'select', variables, rows };
}

/** A SPARQL string literal for `text` (used to bind named-query parameters). */
export function sparqlString(text: string): string {
  return `"${text.replace(/[\\"\n\r]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r' })[c]!)}"`;
}
