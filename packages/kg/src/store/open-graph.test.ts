import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isUserError } from '@emr-re/tokenize';
import { normaliseMention } from '../graph';
import { GraphStoreError, SparqlError } from './errors';
import { bindNamedQuery, namedQuery } from './named-queries';
import { openGraph, STORE_GRAPH } from './open-graph';
import { contentIri } from './terms';
import type { QueryResult } from './types';
import { cmeieRecords, paperRecords, record } from './__tests__/records';

const base = mkdtempSync(path.join(tmpdir(), 'emr-kg-store-'));
let n = 0;
const freshDir = (): string => path.join(base, `s${++n}`);
const graphBytes = (dir: string): string => readFileSync(path.join(dir, STORE_GRAPH), 'utf8');

function rows(result: QueryResult): Array<Record<string, string | undefined>> {
  if (result.kind !== 'select') throw new Error(`expected a SELECT result, got ${result.kind}`);
  return result.rows;
}

async function ask(dir: string, name: string, ...args: string[]): Promise<Array<Record<string, string | undefined>>> {
  const kg = await openGraph(dir, { create: false });
  try {
    return rows(await kg.query(bindNamedQuery(namedQuery(name), args)));
  } finally {
    await kg.close();
  }
}

describe('openGraph: merging', () => {
  const dir = freshDir();
  beforeAll(async () => {
    const kg = await openGraph(dir);
    await kg.add(cmeieRecords, { model: { id: 'model-a', version: '1.0.0' } });
    await kg.close();
  });

  test('entities merge by type and normalised name, with mention counts; 同义词 stays an edge', async () => {
    const kg = await openGraph(dir);
    const stats = await kg.stats();
    // 糖尿病 (×3, once written '糖 尿病'), ｄｍ, 二甲双胍 (×2), 空腹血糖, 多饮, 胰腺
    expect(stats).toEqual({
      entities: 6,
      edges: 5,
      evidence: 6,
      records: 3,
      triples: expect.any(Number),
      entitiesByType: { 检查: 1, 疾病: 2, 症状: 1, 药物: 1, 部位: 1 },
      edgesByLabel: { 临床表现: 1, 发病部位: 1, 同义词: 1, 实验室检查: 1, 药物治疗: 1 },
    });
    const diabetes = await kg.searchEntities('糖尿病');
    expect(diabetes).toEqual([
      { iri: contentIri('entity', ['疾病', '糖尿病']), type: '疾病', name: '糖尿病', mentions: 3 },
    ]);
    expect(await kg.searchEntities('ＤＭ')).toEqual([
      { iri: contentIri('entity', ['疾病', 'dm']), type: '疾病', name: 'dm', mentions: 1 },
    ]);
    const synonyms = rows(
      await kg.query(
        `SELECT ?a ?b WHERE { ?e emr:relation "同义词" ; emr:head/rdfs:label ?a ; emr:tail/rdfs:label ?b }`,
      ),
    );
    expect(synonyms).toEqual([{ a: 'dm', b: '糖尿病' }]);
    await kg.close();
  });

  test('one edge per (head, label, tail): evidence counted, highest score kept, direction kept', async () => {
    const kg = await openGraph(dir);
    const edge = rows(
      await kg.query(
        `SELECT ?edge ?count ?max WHERE { ?edge emr:relation "药物治疗" ; emr:evidenceCount ?count ; emr:maxScore ?max }`,
      ),
    );
    const headIri = contentIri('entity', ['疾病', '糖尿病']);
    const tailIri = contentIri('entity', ['药物', '二甲双胍']);
    expect(edge).toEqual([{ edge: contentIri('edge', [headIri, '药物治疗', tailIri]), count: '2', max: '0.95' }]);
    await kg.close();
  });

  test('a reversed relation is another edge', async () => {
    const d = freshDir();
    const kg = await openGraph(d);
    await kg.add([
      record(
        'x',
        '甲病乙病',
        [
          ['甲病', '疾病'],
          ['乙病', '疾病'],
        ],
        [
          [0, '并发症', 1],
          [1, '并发症', 0],
        ],
      ),
    ]);
    expect((await kg.stats()).edges).toBe(2);
    await kg.close();
  });
});

describe('openGraph: stable ids', () => {
  test('adding the same predictions twice leaves the store byte-identical and adds nothing', async () => {
    const dir = freshDir();
    const kg = await openGraph(dir);
    const first = await kg.add(cmeieRecords, { model: { id: 'm', version: '1' } });
    expect(first).toEqual({ records: 3, newEntities: 6, newEdges: 5, newEvidence: 6 });
    const bytes = graphBytes(dir);
    const again = await kg.add(cmeieRecords, { model: { id: 'm', version: '1' } });
    expect(again).toEqual({ records: 3, newEntities: 0, newEdges: 0, newEvidence: 0 });
    expect(graphBytes(dir)).toBe(bytes);
    await kg.close();
    // and from a fresh process's point of view: reopened, added once more
    const reopened = await openGraph(dir);
    await reopened.add(cmeieRecords, { model: { id: 'm', version: '1' } });
    expect(graphBytes(dir)).toBe(bytes);
    await reopened.close();
  });

  test('the bytes depend on the content only: record order and batching do not matter', async () => {
    const a = freshDir();
    const b = freshDir();
    const ka = await openGraph(a);
    await ka.add(cmeieRecords);
    const kb = await openGraph(b, { batchSize: 1 });
    await kb.add([cmeieRecords[2]]);
    await kb.add([cmeieRecords[1], cmeieRecords[0]]);
    expect(graphBytes(b)).toBe(graphBytes(a));
    await ka.close();
    await kb.close();
    // the file and the store loaded from it hold the same triples
    const lines = graphBytes(b).trimEnd().split('\n');
    expect(lines).toEqual([...lines].sort());
    const reopened = await openGraph(b, { create: false });
    expect((await reopened.stats()).triples).toBe(lines.length);
    expect(await reopened.query('SELECT (COUNT(*) AS ?n) WHERE { ?s emr:mentionCount ?c }')).toEqual({
      kind: 'select',
      variables: ['n'],
      rows: [{ n: '6' }],
    });
    await reopened.close();
  });

  test('new records only add: the lines of the old store are all kept, counts grow', async () => {
    const dir = freshDir();
    const kg = await openGraph(dir);
    await kg.add(cmeieRecords.slice(0, 2));
    const before = new Set(graphBytes(dir).split('\n'));
    const result = await kg.add(cmeieRecords.slice(2));
    expect(result).toEqual({ records: 1, newEntities: 1, newEdges: 1, newEvidence: 2 });
    const after = new Set(graphBytes(dir).split('\n'));
    const lost = [...before].filter((l) => !after.has(l));
    // only the counts of what c3 touched are replaced: 糖尿病's and 二甲双胍's mentions, the drug edge's evidence and max
    expect(lost.map((l) => l.split(' ')[1]).sort()).toEqual([
      '<urn:emr-re:kg#evidenceCount>',
      '<urn:emr-re:kg#maxScore>',
      '<urn:emr-re:kg#mentionCount>',
      '<urn:emr-re:kg#mentionCount>',
    ]);
    await kg.close();
  });
});

describe('openGraph: evidence', () => {
  test('evidence round trip: record, offsets, score and model of every supporting mention', async () => {
    const dir = freshDir();
    const kg = await openGraph(dir);
    await kg.add(cmeieRecords, { model: { id: 'model-a', version: '1.0.0' } });
    // the same relations from another model are more evidence, not a new edge
    await kg.add([cmeieRecords[0]], { model: { id: 'model-b' } });
    await kg.close();
    const reopened = await openGraph(dir, { create: false });
    const [entity] = await reopened.searchEntities('糖尿病');
    const hood = await reopened.neighbourhood(entity.iri);
    const drug = hood!.edges.find((e) => e.label === '药物治疗')!;
    expect(drug.head.name).toBe('糖尿病');
    expect(drug.tail).toMatchObject({ name: '二甲双胍', type: '药物', mentions: 2 });
    expect(drug.evidence).toEqual([
      { recordId: 'c1', head: [0, 3], tail: [7, 11], score: 0.9, model: { id: 'model-a', version: '1.0.0' } },
      { recordId: 'c1', head: [0, 3], tail: [7, 11], score: 0.9, model: { id: 'model-b' } },
      { recordId: 'c3', head: [3, 6], tail: [7, 11], score: 0.95, model: { id: 'model-a', version: '1.0.0' } },
    ]);
    for (const ev of drug.evidence) {
      const rec = cmeieRecords.find((r) => r.id === ev.recordId)!;
      expect(normaliseMention(rec.text.slice(ev.head[0], ev.head[1]))).toBe('糖尿病');
      expect(rec.text.slice(ev.tail[0], ev.tail[1])).toBe('二甲双胍');
    }
    expect(hood!.edges.map((e) => e.label).sort()).toEqual([
      '临床表现',
      '发病部位',
      '同义词',
      '实验室检查',
      '药物治疗',
    ]);
    expect(await reopened.neighbourhood('urn:emr-re:kg:entity:none')).toBeUndefined();
    await reopened.close();
  });
});

describe('named queries', () => {
  const cmeie = freshDir();
  const paper = freshDir();
  beforeAll(async () => {
    for (const [dir, recs] of [
      [cmeie, cmeieRecords],
      [paper, paperRecords],
    ] as const) {
      const kg = await openGraph(dir);
      await kg.add(recs, { model: { id: 'm', version: '2' } });
      await kg.close();
    }
  });

  test('drugs-for', async () => {
    expect(await ask(cmeie, 'drugs-for', '糖 尿病')).toEqual([
      { name: '二甲双胍', type: '药物', relation: '药物治疗', evidence: '2', maxScore: '0.95' },
    ]);
    expect(await ask(paper, 'drugs-for', '心肌梗死')).toEqual([
      { name: '阿司匹林', type: 'treatment', relation: 'TrAD', evidence: '1', maxScore: '0.8' },
    ]);
    expect(await ask(cmeie, 'drugs-for', '高血压')).toEqual([]);
  });

  test('tests-for', async () => {
    expect(await ask(cmeie, 'tests-for', '糖尿病')).toEqual([
      { name: '空腹血糖', type: '检查', relation: '实验室检查', evidence: '1', maxScore: '0.8' },
    ]);
    expect(await ask(paper, 'tests-for', '心肌梗死')).toEqual([
      { name: '心电图', type: 'test', relation: 'TeRD', evidence: '1', maxScore: '0.9' },
    ]);
  });

  test('symptoms-of: a relation in CMeIE, records in common in the paper schema', async () => {
    expect(await ask(cmeie, 'symptoms-of', '糖尿病')).toEqual([
      { name: '多饮', type: '症状', relation: '临床表现', evidence: '1', maxScore: '0.7' },
    ]);
    expect(await ask(paper, 'symptoms-of', '心肌梗死')).toEqual([
      { name: '胸痛', type: 'symptom', relation: 'co-occurrence', evidence: '2', maxScore: undefined },
    ]);
  });

  test('body-parts-of', async () => {
    expect(await ask(cmeie, 'body-parts-of', '糖尿病')).toEqual([
      { name: '胰腺', type: '部位', relation: '发病部位', evidence: '1', maxScore: '0.6' },
    ]);
    expect(await ask(paper, 'body-parts-of', '心肌梗死')).toEqual([
      { name: '左心室', type: 'position', relation: 'DAP', evidence: '1', maxScore: '0.7' },
    ]);
  });

  test('evidence-of', async () => {
    expect(await ask(cmeie, 'evidence-of', '糖尿病', '药物治疗', '二甲双胍')).toEqual([
      {
        record: 'c1',
        headStart: '0',
        headEnd: '3',
        tailStart: '7',
        tailEnd: '11',
        score: '0.9',
        model: 'm',
        modelVersion: '2',
      },
      {
        record: 'c3',
        headStart: '3',
        headEnd: '6',
        tailStart: '7',
        tailEnd: '11',
        score: '0.95',
        model: 'm',
        modelVersion: '2',
      },
    ]);
    expect(await ask(paper, 'evidence-of', '阿司匹林', 'TrAD', '心肌梗死')).toEqual([
      {
        record: 'p1',
        headStart: '13',
        headEnd: '17',
        tailStart: '7',
        tailEnd: '11',
        score: '0.8',
        model: 'm',
        modelVersion: '2',
      },
    ]);
  });

  test('wrong number of arguments, unknown name: user errors', () => {
    expect(() => bindNamedQuery(namedQuery('evidence-of'), ['a'])).toThrow(
      /takes 3 arguments \(HEAD LABEL TAIL\), got 1/,
    );
    expect(() => namedQuery('nope')).toThrow(/unknown named query 'nope'/);
  });
});

describe('openGraph: queries and errors', () => {
  const dir = freshDir();
  beforeAll(async () => {
    const kg = await openGraph(dir);
    await kg.add(cmeieRecords);
    await kg.close();
  });

  test('SELECT, ASK and CONSTRUCT; emr: is declared', async () => {
    const kg = await openGraph(dir, { create: false });
    expect(await kg.query('ASK { ?e a emr:Entity ; rdfs:label "胰腺" }')).toEqual({ kind: 'ask', value: true });
    const graph = await kg.query(
      'CONSTRUCT { ?e rdfs:label ?n } WHERE { ?e a emr:Entity ; rdfs:label ?n ; emr:entityType "部位" }',
    );
    expect(graph).toEqual({
      kind: 'graph',
      nquads: `<${contentIri('entity', ['部位', '胰腺'])}> <http://www.w3.org/2000/01/rdf-schema#label> "胰腺" .\n`,
    });
    await kg.close();
  });

  test('updates and bad SPARQL are user errors, and the store is unchanged', async () => {
    const kg = await openGraph(dir, { create: false });
    const before = graphBytes(dir);
    for (const update of [
      'INSERT DATA { <a:b> <a:c> <a:d> }',
      '# comment\nPREFIX x: <a:>\nDELETE WHERE { ?s ?p ?o }',
      'drop all',
    ]) {
      await expect(kg.query(update)).rejects.toThrow(SparqlError);
    }
    await expect(kg.query('SELEC ?x WHERE {}')).rejects.toThrow(/^SPARQL error at line 1, column \d+/);
    expect((await kg.stats()).entities).toBe(6);
    expect(graphBytes(dir)).toBe(before);
    await kg.close();
  });

  test('what is not a store is never opened or written', async () => {
    const missing = freshDir();
    await expect(openGraph(missing, { create: false })).rejects.toThrow(/no knowledge-graph store at/);
    const foreign = freshDir();
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    const err = await openGraph(foreign).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphStoreError);
    expect(isUserError(err)).toBe(true);
    expect(readFileSync(path.join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
    const file = path.join(base, 'a-file');
    writeFileSync(file, 'x');
    await expect(openGraph(file)).rejects.toThrow(/is a file/);
    const future = freshDir();
    mkdirSync(future);
    writeFileSync(path.join(future, 'kg.json'), JSON.stringify({ format: 'emr-re-kg-store', version: 99 }));
    await expect(openGraph(future)).rejects.toThrow(/store version 99/);
  });

  test('a directory another process is creating a store in (only its manifest temporary there) opens as a store', async () => {
    // What a second queue worker sees while the first one writes kg.json: the temporary, not yet renamed.
    const d = freshDir();
    mkdirSync(d);
    const temporary = `.kg.json.${process.pid}.${Date.now().toString(36)}.abc123.tmp`;
    writeFileSync(path.join(d, temporary), '{');
    const kg = await openGraph(d);
    await kg.add([cmeieRecords[0]]);
    expect((await kg.stats()).records).toBe(1);
    await kg.close();
    expect(JSON.parse(readFileSync(path.join(d, 'kg.json'), 'utf8')).format).toBe('emr-re-kg-store');
    // Two openers racing on one empty directory both get the same store.
    const e = freshDir();
    const [x, y] = await Promise.all([openGraph(e), openGraph(e)]);
    await x.add([cmeieRecords[1]]);
    await y.add([cmeieRecords[2]]);
    const z = await openGraph(e, { create: false });
    expect((await z.stats()).records).toBe(2);
    await Promise.all([x.close(), y.close(), z.close()]);
  });

  test('two handles on one store: a writer reloads what the other wrote first', async () => {
    const d = freshDir();
    const a = await openGraph(d);
    const b = await openGraph(d);
    await a.add([cmeieRecords[0]]);
    await b.add([cmeieRecords[1]]);
    const c = await openGraph(d);
    expect((await c.stats()).records).toBe(2);
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});
