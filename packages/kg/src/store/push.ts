import { SparqlEndpointError } from './errors';
import { KG_DEFAULT_GRAPH, KG_MUTABLE_PROPERTIES } from './vocabulary';

/** Options of `pushGraph`. */
export interface PushOptions {
  /** The SPARQL 1.1 Update endpoint (e.g. Virtuoso's `http://host:8890/sparql`). */
  endpoint: string;
  /** The named graph written into (default `KG_DEFAULT_GRAPH`). */
  graph?: string;
  /** Triples per request (default 2,000). */
  batchSize?: number;
  /** Further attempts of a request that failed on the network or with 429/5xx (default 5). */
  retries?: number;
  /** The first wait before a retry, doubled each time (default 500 ms). */
  backoffMs?: number;
  /** Extra HTTP headers (e.g. `authorization`). */
  headers?: Record<string, string>;
  /** Called after each batch with the triples sent so far. */
  onProgress?: (done: number) => void;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
  /** How to wait (default `setTimeout`); tests of the backoff pass their own. */
  sleep?: (ms: number) => Promise<void>;
}

/** What a push did. */
export interface PushResult {
  triples: number;
  batches: number;
  /** Requests sent again after a failure. */
  retried: number;
  graph: string;
}

const TRIPLE_START = /^<([^>]*)> <([^>]*)> /;

/**
 * One SPARQL Update request for a batch of N-Triples lines: the batch's counts and maxima are deleted from the
 * graph first (a count is replaced, never doubled), then every line is inserted (inserting a triple the graph
 * holds changes nothing). Sending the same batch twice therefore leaves the same graph.
 */
export function batchUpdate(lines: readonly string[], graph: string): string {
  const mutable = new Set<string>();
  for (const line of lines) {
    const m = TRIPLE_START.exec(line);
    if (m !== null && KG_MUTABLE_PROPERTIES.includes(m[2])) mutable.add(`(<${m[1]}> <${m[2]}>)`);
  }
  const parts: string[] = [];
  if (mutable.size > 0) {
    parts.push(
      `DELETE { GRAPH <${graph}> { ?s ?p ?o } } WHERE { GRAPH <${graph}> { VALUES (?s ?p) { ${[...mutable].join(' ')} } ?s ?p ?o } }`,
    );
  }
  parts.push(`INSERT DATA { GRAPH <${graph}> {\n${lines.join('\n')}\n} }`);
  return parts.join(' ;\n');
}

/**
 * Sends N-Triples lines (a store's `nquadLines()`, all in the default graph) to a SPARQL 1.1 endpoint as Update
 * requests (`update=` form posts) of `batchSize` triples into `graph`. A request failing on the network or with
 * 429/5xx is retried with exponential backoff; other answers stop the push with `SparqlEndpointError`.
 * Idempotent: pushing the same store again leaves the graph as it was, and pushing a grown store replaces counts.
 */
export async function pushGraph(
  lines: Iterable<string> | AsyncIterable<string>,
  options: PushOptions,
): Promise<PushResult> {
  const graph = options.graph ?? KG_DEFAULT_GRAPH;
  const batchSize = options.batchSize ?? 2000;
  const retries = options.retries ?? 5;
  const backoffMs = options.backoffMs ?? 500;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const result: PushResult = { triples: 0, batches: 0, retried: 0, graph };
  for await (const batch of batches(lines, batchSize)) {
    const i = result.triples;
    const body = new URLSearchParams({ update: batchUpdate(batch, graph) }).toString();
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      let status: number | undefined;
      try {
        const response = await doFetch(options.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
            accept: 'application/sparql-results+json, */*;q=0.1',
            ...options.headers,
          },
          body,
        });
        const text = await response.text();
        if (response.ok) break;
        status = response.status;
        failure = `HTTP ${response.status}: ${text.trim().split('\n')[0].slice(0, 200)}`;
        if (response.status !== 429 && response.status < 500) {
          throw new SparqlEndpointError(
            `${options.endpoint} refused triples ${i + 1}-${i + batch.length}: ${failure}`,
            status,
          );
        }
      } catch (err) {
        if (err instanceof SparqlEndpointError) throw err;
        failure = String((err as Error)?.cause ?? (err as Error)?.message ?? err);
      }
      if (attempt >= retries) {
        throw new SparqlEndpointError(
          `${options.endpoint}: triples ${i + 1}-${i + batch.length} not sent after ${attempt + 1} attempts: ${failure}`,
          status,
        );
      }
      result.retried += 1;
      await sleep(backoffMs * 2 ** attempt);
    }
    result.batches += 1;
    result.triples += batch.length;
    options.onProgress?.(result.triples);
  }
  return result;
}

async function* batches(lines: Iterable<string> | AsyncIterable<string>, size: number): AsyncGenerator<string[]> {
  let batch: string[] = [];
  for await (const line of lines) {
    batch.push(line);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
