import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EmrRecord } from '@emr-re/tokenize';
import { bindNamedQuery, namedQuery } from './named-queries';
import { openGraph, STORE_GRAPH } from './open-graph';
import { graphLines } from './graph-lines';
import type { QueryResult } from './types';
import { assertedRecords, cmeieRecords, paperRecords, record } from './__tests__/records';

const base = mkdtempSync(path.join(tmpdir(), 'emr-kg-assert-'));
let n = 0;
const freshDir = (): string => path.join(base, `s${++n}`);
const graphBytes = (dir: string): string => readFileSync(path.join(dir, STORE_GRAPH), 'utf8');

function rows(result: QueryResult): Array<Record<string, string | undefined>> {
  if (result.kind !== 'select') throw new Error(`expected a SELECT result, got ${result.kind}`);
  return result.rows;
}

async function storeOf(records: EmrRecord[], model = { id: 'm', version: '1' }): Promise<string> {
  const dir = freshDir();
  const kg = await openGraph(dir);
  await kg.add(records, { model });
  await kg.close();
  return dir;
}

async function ask(dir: string, name: string, ...args: string[]): Promise<Array<Record<string, string | undefined>>> {
  const kg = await openGraph(dir, { create: false });
  try {
    return rows(await kg.query(bindNamedQuery(namedQuery(name), args)));
  } finally {
    await kg.close();
  }
}

async function select(dir: string, sparql: string): Promise<Array<Record<string, string | undefined>>> {
  const kg = await openGraph(dir, { create: false });
  try {
    return rows(await kg.query(sparql));
  } finally {
    await kg.close();
  }
}

/** The records without any assertion: what predictions looked like before assertion detection. */
const withoutAssertions = (records: EmrRecord[]): EmrRecord[] =>
  records.map((r) => ({ ...r, entities: r.entities.map(({ assertion: _drop, ...e }) => e) }));

describe('assertions in the store', () => {
  test('predictions without assertions give the bytes the store wrote before assertions existed', async () => {
    const dir = freshDir();
    const kg = await openGraph(dir);
    await kg.add(cmeieRecords, { model: { id: 'm', version: '1' } });
    await kg.add(paperRecords);
    await kg.close();
    // written by the store at commit f331aed, before the kg knew of assertions
    expect(graphBytes(dir)).toBe(readFileSync(path.join(__dirname, '__tests__', 'store-v1.nq'), 'utf8'));
  });

  test('a historical disease: its mentions, its evidence and its edge say so', async () => {
    const dir = await storeOf(assertedRecords);
    expect(
      await select(
        dir,
        `SELECT ?n ?present ?historical WHERE { ?e rdfs:label "高血压" ; emr:mentionCount ?n ;
           emr:presentMentionCount ?present ; emr:historicalMentionCount ?historical }`,
      ),
    ).toEqual([{ n: '2', present: '1', historical: '1' }]);
    expect(
      await select(
        dir,
        `SELECT ?c ?present ?historical ?absent WHERE {
           ?edge emr:relation "TrAD" ; emr:tail/rdfs:label "高血压" ; emr:evidenceCount ?c ;
             emr:presentEvidenceCount ?present ; emr:historicalEvidenceCount ?historical .
           OPTIONAL { ?edge emr:absentEvidenceCount ?absent } }`,
      ),
    ).toEqual([{ c: '2', present: '1', historical: '1', absent: undefined }]);
    // each piece of evidence keeps both mentions' assertions and its own
    expect(
      await select(
        dir,
        `SELECT ?record ?h ?t ?a WHERE {
           ?edge emr:relation "TrAD" ; emr:tail/rdfs:label "高血压" .
           ?ev emr:edge ?edge ; emr:headMention/emr:record/emr:recordId ?record ;
             emr:headAssertion ?h ; emr:tailAssertion ?t ; emr:assertion ?a } ORDER BY ?record`,
      ),
    ).toEqual([
      { record: 'a1', h: 'present', t: 'historical', a: 'historical' },
      { record: 'a2', h: 'present', t: 'present', a: 'present' },
    ]);
    // a test has no assertion: the evidence takes the disease's
    expect(
      await select(
        dir,
        `SELECT ?h ?t ?a WHERE { ?ev emr:edge/emr:relation "TeRD" ; emr:tailAssertion ?t ; emr:assertion ?a .
           OPTIONAL { ?ev emr:headAssertion ?h } }`,
      ),
    ).toEqual([{ h: undefined, t: 'present', a: 'present' }]);
  });

  test('named queries: an assertions column; evidence-of shows each piece of evidence', async () => {
    const dir = await storeOf(assertedRecords);
    expect(await ask(dir, 'drugs-for', '高血压')).toEqual([
      {
        name: '硝苯地平',
        type: 'treatment',
        relation: 'TrAD',
        evidence: '2',
        maxScore: '0.9',
        assertions: 'present=1 historical=1',
      },
    ]);
    expect(await ask(dir, 'tests-for', '心肌梗死')).toEqual([
      { name: '心电图', type: 'test', relation: 'TeRD', evidence: '1', maxScore: '0.9', assertions: 'present=1' },
    ]);
    // the paper schema's symptoms: records in common, by the assertion of the pair (胸痛 denied in a3; a past
    // 心肌梗死 with a suspected 胸痛 in b1: possible wins over historical)
    const suspected = record(
      'b1',
      '既往心肌梗死，可疑胸痛。',
      [
        ['心肌梗死', 'disease', 'historical'],
        ['胸痛', 'symptom', 'possible'],
      ],
      [],
    );
    expect(await ask(await storeOf([...assertedRecords, suspected]), 'symptoms-of', '心肌梗死')).toEqual([
      {
        name: '胸痛',
        type: 'symptom',
        relation: 'co-occurrence',
        evidence: '2',
        maxScore: undefined,
        assertions: 'absent=1 possible=1',
      },
    ]);
    const evidence = await ask(dir, 'evidence-of', '硝苯地平', 'TrAD', '高血压');
    expect(evidence.map((r) => [r.record, r.headAssertion, r.tailAssertion])).toEqual([
      ['a1', 'present', 'historical'],
      ['a2', 'present', 'present'],
    ]);
    expect(evidence[0]).toMatchObject({ headStart: '7', headEnd: '11', tailStart: '2', tailEnd: '5', score: '0.9' });
    // predictions without assertions: the column is there, unbound
    const plain = await storeOf(withoutAssertions(assertedRecords));
    expect((await ask(plain, 'drugs-for', '高血压'))[0].assertions).toBeUndefined();
    expect((await ask(plain, 'symptoms-of', '心肌梗死'))[0].assertions).toBeUndefined();
    expect((await ask(plain, 'evidence-of', '硝苯地平', 'TrAD', '高血压'))[0]).toMatchObject({
      headAssertion: undefined,
      tailAssertion: undefined,
    });
  });

  test('an absent entity makes an edge only when the input has its relation: the store does not filter', async () => {
    const kept = await storeOf(assertedRecords);
    const edgesOf = (dir: string): Promise<Array<Record<string, string | undefined>>> =>
      select(
        dir,
        `SELECT ?c ?absent WHERE { ?edge emr:tail/rdfs:label "糖尿病" ; emr:evidenceCount ?c .
           OPTIONAL { ?edge emr:absentEvidenceCount ?absent } }`,
      );
    expect(await edgesOf(kept)).toEqual([{ c: '1', absent: '1' }]);
    // what applyAssertions of @emr-re/ner does: the relation of the absent entity dropped
    const dropped = assertedRecords.map((r) => (r.id === 'a4' ? { ...r, relations: [] } : r));
    const filtered = await storeOf(dropped);
    expect(await edgesOf(filtered)).toEqual([]);
    expect(await select(filtered, 'SELECT ?n WHERE { ?e rdfs:label "糖尿病" ; emr:absentMentionCount ?n }')).toEqual([
      { n: '1' },
    ]);
    // only edges seen with present entities (the README's query)
    const onlyPresent = `SELECT ?label WHERE {
      ?edge a emr:Edge ; emr:relation ?label .
      FILTER NOT EXISTS { ?edge emr:absentEvidenceCount|emr:possibleEvidenceCount|emr:historicalEvidenceCount|emr:familyEvidenceCount ?x }
    } ORDER BY ?label`;
    expect(await select(kept, onlyPresent)).toEqual([{ label: 'TeRD' }]);
  });

  test('ids stay stable: twice, any order or batching, and assertions added later, same bytes', async () => {
    const once = await storeOf(assertedRecords);
    const bytes = graphBytes(once);
    expect(graphLines(assertedRecords, { model: { id: 'm', version: '1' } }).join('\n') + '\n').toBe(bytes);
    // reopened (the index is rebuilt from the file) and added again
    const kg = await openGraph(once);
    expect(await kg.add(assertedRecords, { model: { id: 'm', version: '1' } })).toMatchObject({ newEvidence: 0 });
    await kg.close();
    expect(graphBytes(once)).toBe(bytes);
    const other = freshDir();
    const kb = await openGraph(other, { batchSize: 1 });
    await kb.add([...assertedRecords].reverse().slice(0, 2), { model: { id: 'm', version: '1' } });
    await kb.add([...assertedRecords].reverse().slice(2), { model: { id: 'm', version: '1' } });
    await kb.close();
    expect(graphBytes(other)).toBe(bytes);
    // the same predictions first without assertions, then with: the same evidence, now with its assertions
    const later = freshDir();
    const kl = await openGraph(later);
    await kl.add(withoutAssertions(assertedRecords), { model: { id: 'm', version: '1' } });
    await kl.close();
    const reopened = await openGraph(later);
    expect(await reopened.add(assertedRecords, { model: { id: 'm', version: '1' } })).toMatchObject({
      newEntities: 0,
      newEdges: 0,
      newEvidence: 0,
    });
    await reopened.close();
    expect(graphBytes(later)).toBe(bytes);
  });

  test('neighbourhood: entities and edges count by assertion, evidence carries them', async () => {
    const dir = await storeOf(assertedRecords);
    const kg = await openGraph(dir, { create: false });
    const [entity] = await kg.searchEntities('高血压');
    expect(entity.assertions).toEqual({ present: 1, historical: 1 });
    const hood = await kg.neighbourhood(entity.iri);
    const [edge] = hood!.edges;
    expect(edge.assertions).toEqual({ present: 1, historical: 1 });
    expect(edge.evidence.map((e) => [e.recordId, e.headAssertion, e.tailAssertion, e.assertion])).toEqual([
      ['a1', 'present', 'historical', 'historical'],
      ['a2', 'present', 'present', 'present'],
    ]);
    await kg.close();
  });
});
