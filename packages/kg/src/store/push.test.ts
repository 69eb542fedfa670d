import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SparqlEndpointError } from './errors';
import { openGraph } from './open-graph';
import { batchUpdate, pushGraph } from './push';
import { contentIri } from './terms';
import { cmeieRecords } from './__tests__/records';
import { freePort, selectOn, startVirtuoso, type VirtuosoServer } from './__tests__/virtuoso';

const GRAPH = 'urn:emr-re:test:push';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

test('batchUpdate replaces counts and inserts the lines', () => {
  const lines = [
    '<urn:e> <urn:emr-re:kg#mentionCount> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .',
    '<urn:e> <http://www.w3.org/2000/01/rdf-schema#label> "高血压" .',
  ];
  expect(batchUpdate(lines, GRAPH)).toBe(
    `DELETE { GRAPH <${GRAPH}> { ?s ?p ?o } } WHERE { GRAPH <${GRAPH}> { VALUES (?s ?p) { (<urn:e> <urn:emr-re:kg#mentionCount>) } ?s ?p ?o } } ;\n` +
      `INSERT DATA { GRAPH <${GRAPH}> {\n${lines.join('\n')}\n} }`,
  );
});

test('an endpoint nobody listens on: retried with doubling waits, then one SparqlEndpointError', async () => {
  const port = await freePort();
  const waits: number[] = [];
  const err = await pushGraph(['<urn:a> <urn:b> <urn:c> .'], {
    endpoint: `http://127.0.0.1:${port}/sparql`,
    retries: 3,
    backoffMs: 10,
    sleep: async (ms) => void waits.push(ms),
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SparqlEndpointError);
  expect((err as Error).message).toMatch(/triples 1-1 not sent after 4 attempts/);
  expect(waits).toEqual([10, 20, 40]);
});

describe('push to a real Virtuoso (virtuoso-opensource-7 on 127.0.0.1)', () => {
  let server: VirtuosoServer | undefined;
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'emr-kg-push-')), 'store');

  beforeAll(async () => {
    server = await startVirtuoso();
  }, 120000);
  afterAll(async () => {
    await server?.stop();
  }, 30000);

  const count = async (): Promise<number> =>
    Number((await selectOn(server!.endpoint, `SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${GRAPH}> { ?s ?p ?o } }`))[0].n);

  test('pushes in batches, reads back, pushes again without duplicates, replaces counts when the store grew', async () => {
    const kg = await openGraph(dir);
    await kg.add(cmeieRecords.slice(0, 2), { model: { id: 'm', version: '1' } });
    const lines = await collect(kg.nquadLines());
    const first = await pushGraph(lines, { endpoint: server!.endpoint, graph: GRAPH, batchSize: 25 });
    expect(first).toEqual({ triples: lines.length, batches: Math.ceil(lines.length / 25), retried: 0, graph: GRAPH });
    expect(await count()).toBe(lines.length);

    await pushGraph(lines, { endpoint: server!.endpoint, graph: GRAPH, batchSize: 7 });
    expect(await count()).toBe(lines.length);

    const diabetes = contentIri('entity', ['疾病', '糖尿病']);
    const mentions = async (): Promise<string[]> =>
      (
        await selectOn(
          server!.endpoint,
          `SELECT ?n ?name WHERE { GRAPH <${GRAPH}> { <${diabetes}> <urn:emr-re:kg#mentionCount> ?n ; <http://www.w3.org/2000/01/rdf-schema#label> ?name } }`,
        )
      ).map((r) => `${r.name} ${r.n}`);
    expect(await mentions()).toEqual(['糖尿病 2']);

    await kg.add(cmeieRecords.slice(2), { model: { id: 'm', version: '1' } });
    const grown = await collect(kg.nquadLines());
    await pushGraph(grown, { endpoint: server!.endpoint, graph: GRAPH, batchSize: 25 });
    expect(await count()).toBe(grown.length);
    expect(await mentions()).toEqual(['糖尿病 3']);

    // the evidence is queryable on the server as in the store
    const evidence = await selectOn(
      server!.endpoint,
      `PREFIX emr: <urn:emr-re:kg#>
       SELECT ?record ?start WHERE { GRAPH <${GRAPH}> {
         ?edge emr:relation "药物治疗" . ?ev emr:edge ?edge ; emr:headMention ?m . ?m emr:start ?start ; emr:record/emr:recordId ?record
       } } ORDER BY ?record`,
    );
    expect(evidence).toEqual([
      { record: 'c1', start: '0' },
      { record: 'c3', start: '3' },
    ]);
    await kg.close();
  });

  test('a request the server refuses (not 429/5xx) is not retried', async () => {
    const waits: number[] = [];
    const err = await pushGraph(['<urn:a> <urn:b> <urn:c> .'], {
      endpoint: server!.endpoint.replace(/\/sparql$/, '/no-such-endpoint'),
      sleep: async (ms) => void waits.push(ms),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SparqlEndpointError);
    expect((err as SparqlEndpointError).status).toBe(404);
    expect(waits).toEqual([]);
  });
});
