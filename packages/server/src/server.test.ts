/*
 * The service over real HTTP on a free loopback port, with tiny models trained here: extraction (raw text, records
 * with entities, batching, ids), the limits and errors (bad JSON, oversize, too many records, unknown routes and
 * fields, bad offsets), /v1/models, /openapi.json, the page's files, and logs that carry ids and sizes, not text.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openGraph } from '@emr-re/kg';
import { applyAssertions } from '@emr-re/ner';
import type { EmbeddedGraphStore } from '@emr-re/kg';
import type { EmrRecord } from '@emr-re/tokenize';
import { createServer } from './server';
import type { ServedModels, ServerLogEvent, ServerOptions } from './options';
import { tinyModels, toyRecords } from './__tests__/tiny-models';

let tmp: string;
let models: ServedModels;
let dirs: { ner: string; relations: string };
const started: FastifyInstance[] = [];

async function start(options: Partial<ServerOptions> = {}): Promise<string> {
  const app = await createServer({ models, ...options });
  started.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

async function post(url: string, body: unknown, type = 'application/json'): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function get(url: string): Promise<{ status: number; json: any }> {
  const response = await fetch(url);
  return { status: response.status, json: await response.json() };
}

const test = toyRecords(6, 2);

/** The same records up to float noise in scores (batches of another size pad differently). */
function expectSameRecords(actual: EmrRecord[], expected: EmrRecord[]): void {
  const rounded = (records: EmrRecord[]): unknown =>
    JSON.parse(
      JSON.stringify(records, (key, value) =>
        key === 'score' && typeof value === 'number' ? value.toFixed(4) : value,
      ),
    );
  expect(rounded(actual)).toEqual(rounded(expected));
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-server-'));
  ({ models, dirs } = await tinyModels(tmp));
}, 600000);

afterAll(async () => {
  for (const app of started) await app.close();
  models?.ner.dispose();
  models?.relations.dispose();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('POST /v1/extract', () => {
  let base: string;
  beforeAll(async () => {
    base = await start({ limits: { batchSize: 2 } });
  });

  it('answers raw text with what the NER and relation models give for it, in order, in batches of 2', async () => {
    const records = test.map((r) => ({ id: r.id, text: r.text }));
    const { status, json } = await post(`${base}/v1/extract`, { records });
    expect(status).toBe(200);
    const direct = (await models.relations.predict(await models.ner.recognize(records))).map((r) => applyAssertions(r));
    expectSameRecords(json.records, direct);
    // Assertion detection ran: every disease, symptom or drug the toy texts name is present.
    const asserted = json.records.flatMap((r: EmrRecord) => r.entities.filter((e) => e.assertion !== undefined));
    expect(asserted.length).toBeGreaterThan(0);
    for (const e of asserted) expect(e.assertion).toBe('present');
    expect(json.models).toEqual({ ner: models.info.ner.id, relations: models.info.relations.id });
    expect(json.records.map((r: EmrRecord) => r.id)).toEqual(test.map((r) => r.id));
    let relations = 0;
    for (const r of json.records as EmrRecord[]) {
      for (const e of r.entities) {
        expect(r.text.slice(e.start, e.end)).toBe(e.text);
        expect(e.score).toBeGreaterThan(0);
        expect(e.score).toBeLessThanOrEqual(1);
      }
      for (const rel of r.relations) expect(rel.score).toBeGreaterThan(0);
      relations += r.relations.length;
    }
    // The toy task is learnt: most records get both of their entities' relations back.
    expect(relations).toBeGreaterThanOrEqual(test.length);
  });

  it('keeps the entities a record carries and finds only relations; ids default to record-<n>', async () => {
    const gold = test.slice(0, 3).map((r) => ({ text: r.text, entities: r.entities }));
    const { status, json } = await post(`${base}/v1/extract`, { records: gold });
    expect(status).toBe(200);
    const direct = (await models.relations.predict(gold.map((r, i) => ({ ...r, id: `record-${i + 1}` })))).map((r) =>
      applyAssertions(r),
    );
    expectSameRecords(json.records, direct);
    // The entities come back as given, with the assertion detection set on them.
    const withoutAssertion = (r: EmrRecord) => r.entities.map(({ assertion: _assertion, ...e }) => e);
    expect(json.records.map(withoutAssertion)).toEqual(gold.map((r) => r.entities));
  });

  it('applies minScore and minEntityScore', async () => {
    const records = test.map((r) => ({ id: r.id, text: r.text }));
    const all = (await post(`${base}/v1/extract`, { records })).json.records as EmrRecord[];
    const scores = all.flatMap((r) => r.relations.map((x) => x.score!)).sort((a, b) => a - b);
    const cut = scores[Math.floor(scores.length / 2)];
    const some = (await post(`${base}/v1/extract`, { records, minScore: cut })).json.records as EmrRecord[];
    expect(some.flatMap((r) => r.relations).length).toBe(scores.filter((s) => s >= cut).length);
    const none = (await post(`${base}/v1/extract`, { records, minEntityScore: 1 })).json.records as EmrRecord[];
    expect(none.flatMap((r) => r.entities.filter((e) => e.score! < 1))).toEqual([]);
  });

  it('refuses bad JSON, repeated ids, unknown fields, empty texts and bad offsets with 400 and a JSON error', async () => {
    const bad = await post(`${base}/v1/extract`, '{"records":[{"id":"r1","text":"糖尿病患者', 'application/json');
    expect(bad).toEqual({
      status: 400,
      json: { error: { status: 400, code: 'bad-json', message: expect.any(String) } },
    });
    expect(JSON.stringify(bad.json)).not.toContain('糖尿病');
    const repeated = await post(`${base}/v1/extract`, {
      records: [
        { id: 'a', text: '肺炎' },
        { id: 'a', text: '咳嗽' },
      ],
    });
    expect(repeated.status).toBe(400);
    expect(repeated.json.error).toMatchObject({ code: 'duplicate-id', message: expect.stringContaining("'a'") });
    const unknown = await post(`${base}/v1/extract`, { records: [{ text: '肺炎' }], colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('invalid-request');
    const empty = await post(`${base}/v1/extract`, { records: [{ text: '' }] });
    expect(empty.status).toBe(400);
    const none = await post(`${base}/v1/extract`, { records: [] });
    expect(none.status).toBe(400);
    const offsets = await post(`${base}/v1/extract`, {
      records: [{ id: 'r9', text: '肺炎咳嗽', entities: [{ id: 'e0', type: '疾病', start: 0, end: 9 }] }],
    });
    expect(offsets.status).toBe(400);
    expect(offsets.json.error.message).toMatch(/r9.*entities\[0\]\.end/);
    expect(offsets.json.error.message).not.toContain('肺炎');
  });

  it('answers an unknown route 404 and a text body 415, as JSON', async () => {
    const missing = await get(`${base}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not-found');
    const text = await post(`${base}/v1/extract`, '<records/>', 'application/xml');
    expect(text.status).toBe(415);
    expect(text.json.error.code).toBe('unsupported-media-type');
    // Without a store the graph routes do not exist.
    expect((await get(`${base}/v1/graph/entities?q=x`)).status).toBe(404);
    expect((await post(`${base}/v1/sparql`, { query: 'SELECT * WHERE { ?s ?p ?o }' })).status).toBe(404);
  });
});

describe('memory', () => {
  it('leaves no tensors behind after extraction requests', async () => {
    const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
    const base = await start({ limits: { batchSize: 3 } });
    const records = test.map((r) => ({ text: r.text }));
    const gold = test.map((r) => ({ text: r.text, entities: r.entities }));
    await post(`${base}/v1/extract`, { records });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      expect((await post(`${base}/v1/extract`, { records })).status).toBe(200);
      expect((await post(`${base}/v1/extract`, { records: gold })).status).toBe(200);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('limits', () => {
  it('answers a body over the limit 413 and more records than allowed 400, and the server keeps serving', async () => {
    const base = await start({ limits: { bodyBytes: 2048, records: 3 } });
    const big = await post(`${base}/v1/extract`, { records: [{ id: 'big', text: '肺'.repeat(1000) }] });
    expect(big.status).toBe(413);
    expect(big.json.error).toEqual({ status: 413, code: 'body-too-large', message: expect.stringContaining('2048') });
    const many = await post(`${base}/v1/extract`, { records: test.slice(0, 4).map((r) => ({ text: r.text })) });
    expect(many.status).toBe(400);
    expect(many.json.error.code).toBe('too-many-records');
    const ok = await post(`${base}/v1/extract`, { records: test.slice(0, 3).map((r) => ({ text: r.text })) });
    expect(ok.status).toBe(200);
    expect(ok.json.records).toHaveLength(3);
  });
});

describe('GET /healthz, /v1/models, /openapi.json and the page', () => {
  let base: string;
  beforeAll(async () => {
    base = await start();
  });

  it('/healthz says ok and that there is no graph', async () => {
    const { status, json } = await get(`${base}/healthz`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: 'ok', graph: false, writable: false, queued: 0 });
  });

  it('/v1/models names both models by their manifests and lists types, labels and the schema', async () => {
    const { json } = await get(`${base}/v1/models`);
    const manifest = await fs.readFile(path.join(dirs.ner, 'manifest.json'));
    expect(json.ner.id).toBe(`sha256:${createHash('sha256').update(manifest).digest('hex').slice(0, 16)}`);
    expect(json.ner).toMatchObject({ name: 'ner', format: 'emr-re-ner-model', arch: 'bigru-crf' });
    expect(json.ner.entityTypes).toEqual([...models.ner.types]);
    expect(json.relations).toMatchObject({ name: 're', format: 'emr-re-model', arch: 'cnn' });
    expect(json.relations.labels).toEqual([...models.relations.classifier.labels]);
    expect(json.relations.labels).toEqual(expect.arrayContaining(['药物治疗', '临床表现']));
    expect(json.relations.schema.name).toBe('cmeie');
    expect(json.relations.schema.pairs.length).toBe(models.relations.schema.pairs.length);
  });

  it('/openapi.json describes every API route from its schema, and not the page', async () => {
    const { status, json } = await get(`${base}/openapi.json`);
    expect(status).toBe(200);
    expect(json.openapi).toBe('3.1.0');
    expect(Object.keys(json.paths).sort()).toEqual(['/healthz', '/openapi.json', '/v1/extract', '/v1/models']);
    const extract = json.paths['/v1/extract'].post;
    const body = extract.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['records']);
    expect(body.properties.records.maxItems).toBe(256);
    expect(Object.keys(extract.responses).sort()).toEqual(['200', '400', '413', '503']);
    expect(extract.responses['200'].content['application/json'].schema.properties.records.items.required).toEqual([
      'id',
      'text',
      'entities',
      'relations',
    ]);
  });

  it('serves the page and cytoscape from the package (no CDN)', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script src="/vendor/cytoscape.min.js"');
    expect(html).not.toMatch(/https?:\/\//);
    const cy = await fetch(`${base}/vendor/cytoscape.min.js`);
    expect(cy.status).toBe(200);
    const installed = await fs.readFile(require.resolve('cytoscape/dist/cytoscape.min.js'), 'utf8');
    expect(await cy.text()).toBe(installed);
    for (const file of ['app.js', 'arcs.js', 'style.css']) expect((await fetch(`${base}/${file}`)).status).toBe(200);
  });
});

describe('logs', () => {
  const text = test[0].text;

  it('name record ids and sizes and the route pattern, never the text', async () => {
    const events: ServerLogEvent[] = [];
    const base = await start({ onLog: (e) => events.push(e) });
    await post(`${base}/v1/extract`, { records: [{ id: 'p1', text }] });
    await post(`${base}/v1/extract`, `{"records":[{"id":"p2","text":"${text}`);
    await get(`${base}/v1/nothing?q=${encodeURIComponent(text)}`);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'request',
        route: '/v1/extract',
        status: 200,
        records: [{ id: 'p1', chars: text.length }],
      }),
      expect.objectContaining({ kind: 'request', route: '/v1/extract', status: 400, error: 'bad-json' }),
      expect.objectContaining({ kind: 'request', status: 404, error: 'not-found' }),
    ]);
    expect(JSON.stringify(events)).not.toContain(text.slice(0, 3));
    expect(JSON.stringify(events)).not.toContain(encodeURIComponent(text.slice(0, 3)));
  });

  it('carry the texts and URLs with logText', async () => {
    const events: ServerLogEvent[] = [];
    const base = await start({ onLog: (e) => events.push(e), logText: true });
    await post(`${base}/v1/extract`, { records: [{ id: 'p1', text }] });
    expect(events[0]).toMatchObject({ route: '/v1/extract', texts: [text], url: '/v1/extract' });
  });
});

describe('graph routes over an embedded store', () => {
  let store: EmbeddedGraphStore;
  let base: string;
  let readOnly: string;
  let extracted: EmrRecord[];

  beforeAll(async () => {
    store = await openGraph(path.join(tmp, 'kg'));
    base = await start({ store, writable: true });
    readOnly = await start({ store });
    const records = toyRecords(8, 3).map((r) => ({ id: r.id, text: r.text }));
    extracted = (await post(`${base}/v1/extract`, { records })).json.records;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('adds extracted records only when writable, idempotently, stamped with the relation model', async () => {
    const refused = await post(`${readOnly}/v1/graph/add`, { records: extracted });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('read-only');
    expect((await store.stats()).records).toBe(0);
    const added = await post(`${base}/v1/graph/add`, { records: extracted });
    expect(added.status).toBe(200);
    const edges = new Set(
      extracted.flatMap((r) =>
        r.relations.map((rel) => {
          const h = r.entities.find((e) => e.id === rel.head)!;
          const t = r.entities.find((e) => e.id === rel.tail)!;
          return `${h.type}/${h.text}|${rel.label}|${t.type}/${t.text}`;
        }),
      ),
    );
    expect(added.json).toMatchObject({ records: extracted.length, newEdges: edges.size });
    expect(added.json.newEvidence).toBe(extracted.flatMap((r) => r.relations).length);
    const again = await post(`${base}/v1/graph/add`, { records: extracted });
    expect(again.json).toEqual({ records: extracted.length, newEntities: 0, newEdges: 0, newEvidence: 0 });
    const health = await get(`${base}/healthz`);
    expect(health.json).toMatchObject({ graph: true, writable: true });
    expect((await get(`${readOnly}/healthz`)).json).toMatchObject({ graph: true, writable: false });
  });

  it('finds entities by name and answers a neighbourhood with its evidence; an unknown IRI is 404', async () => {
    const withRelation = extracted.find((r) => r.relations.length > 0)!;
    const rel = withRelation.relations[0];
    const head = withRelation.entities.find((e) => e.id === rel.head)!;
    const tail = withRelation.entities.find((e) => e.id === rel.tail)!;
    const { status, json } = await get(`${base}/v1/graph/entities?q=${encodeURIComponent(head.text)}`);
    expect(status).toBe(200);
    const entity = json.entities.find(
      (e: { name: string; type: string }) => e.name === head.text && e.type === head.type,
    );
    expect(entity).toBeDefined();
    const nb = await get(`${base}/v1/graph/entity/${encodeURIComponent(entity.iri)}`);
    expect(nb.status).toBe(200);
    expect(nb.json.entity).toEqual(entity);
    const edge = nb.json.edges.find(
      (e: { label: string; head: { iri: string }; tail: { name: string; type: string } }) =>
        e.label === rel.label && e.head.iri === entity.iri && e.tail.name === tail.text && e.tail.type === tail.type,
    );
    expect(edge).toBeDefined();
    expect(edge.evidence).toContainEqual(
      expect.objectContaining({
        recordId: withRelation.id,
        head: [head.start, head.end],
        model: { id: models.info.relations.id, version: models.info.relations.version },
      }),
    );
    const missing = await get(`${base}/v1/graph/entity/${encodeURIComponent('https://example.org/none')}`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('no-entity');
  });

  it("answers with the assertions of an edge's evidence and of its entities", async () => {
    // "既往哮喘病史，予沙丁胺醇治疗。": a historical disease treated with a present drug.
    const text = '既往哮喘病史，予沙丁胺醇治疗。';
    const record = {
      id: 'assert-1',
      text,
      entities: [
        { id: 'd', type: '疾病', start: 2, end: 4, assertion: 'historical' },
        { id: 'm', type: '药物', start: 8, end: 12, assertion: 'present' },
      ],
      relations: [{ head: 'd', tail: 'm', label: '药物治疗' }],
    };
    // Entities without their text (the schema lets a request leave it out) take it from the offsets.
    expect((await post(`${base}/v1/graph/add`, { records: [record] })).status).toBe(200);
    const outside = { ...record, id: 'assert-2', entities: [{ ...record.entities[0], end: 40 }] };
    const refused = await post(`${base}/v1/graph/add`, { records: [outside] });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('bad-offsets');
    expect(refused.json.error.message).toContain('records[0].entities[0]');
    expect(refused.json.error.message).not.toContain('哮喘');
    const found = await get(`${base}/v1/graph/entities?q=${encodeURIComponent('哮喘')}`);
    const entity = found.json.entities.find((e: { name: string; type: string }) => e.name === '哮喘');
    expect(entity.assertions).toMatchObject({ historical: 1 });
    const nb = await get(`${base}/v1/graph/entity/${encodeURIComponent(entity.iri)}`);
    const edge = nb.json.edges.find((e: { label: string; tail: { name: string } }) => e.tail.name === '沙丁胺醇');
    expect(edge.assertions).toMatchObject({ historical: 1 });
    expect(edge.evidence).toContainEqual(
      expect.objectContaining({
        recordId: 'assert-1',
        headAssertion: 'historical',
        tailAssertion: 'present',
        assertion: 'historical',
      }),
    );
  });

  it('answers read-only SPARQL as JSON or application/sparql-query, and refuses an update without changing the store', async () => {
    const stats = await store.stats();
    const select = await post(`${readOnly}/v1/sparql`, { query: 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' });
    expect(select.status).toBe(200);
    expect(select.json).toEqual({ kind: 'select', variables: ['n'], rows: [{ n: String(stats.triples) }] });
    const ask = await post(`${readOnly}/v1/sparql`, 'ASK { ?s ?p ?o }', 'application/sparql-query');
    expect(ask).toEqual({ status: 200, json: { kind: 'ask', value: true } });
    for (const update of [
      'INSERT DATA { <urn:a> <urn:b> <urn:c> }',
      'PREFIX x: <urn:x#>\n# a comment\nDELETE WHERE { ?s ?p ?o }',
      'CLEAR ALL',
    ]) {
      const refused = await post(`${base}/v1/sparql`, { query: update });
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('update-refused');
    }
    const sneaky = await post(
      `${base}/v1/sparql`,
      'SELECT * WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o }',
      'application/sparql-query',
    );
    expect(sneaky.status).toBe(400);
    expect(await store.stats()).toEqual(stats);
    const bad = await post(`${base}/v1/sparql`, { query: 'SELECT WHERE {' });
    expect(bad.status).toBe(400);
  });

  it('lists the graph routes in /openapi.json', async () => {
    const { json } = await get(`${base}/openapi.json`);
    expect(Object.keys(json.paths)).toEqual(
      expect.arrayContaining([
        '/v1/graph/entities',
        '/v1/graph/entity/{id}',
        '/v1/graph/stats',
        '/v1/sparql',
        '/v1/graph/add',
      ]),
    );
    expect(json.paths['/v1/graph/entity/{id}'].get.parameters[0]).toMatchObject({
      name: 'id',
      in: 'path',
      required: true,
    });
    expect(Object.keys(json.paths['/v1/sparql'].post.requestBody.content)).toEqual([
      'application/json',
      'application/sparql-query',
    ]);
  });
});
