import { evidenceAssertion } from './assertion';
import { KnowledgeGraphBuilder } from './graph';
import { graphToJsonl, type KgJsonlLine } from './jsonl';
import { graphToNeo4jCsv } from './neo4j-csv';
import { graphToNTriples } from './ntriples';
import { nTriplesToTurtle } from './turtle';
import { graphLines } from './store/graph-lines';
import { assertedRecords } from './store/__tests__/records';

function assertedGraph(): ReturnType<KnowledgeGraphBuilder['build']> {
  const builder = new KnowledgeGraphBuilder();
  assertedRecords.forEach((r) => builder.add(r));
  return builder.build();
}

describe('evidenceAssertion', () => {
  test('a value other than present wins; absent over all; unknown sides give way', () => {
    expect(evidenceAssertion('present', 'historical')).toBe('historical');
    expect(evidenceAssertion('historical', 'present')).toBe('historical');
    expect(evidenceAssertion('possible', 'absent')).toBe('absent');
    expect(evidenceAssertion('historical', 'family')).toBe('family');
    expect(evidenceAssertion('possible', 'historical')).toBe('possible');
    expect(evidenceAssertion('historical', 'possible')).toBe('possible');
    expect(evidenceAssertion(undefined, 'possible')).toBe('possible');
    expect(evidenceAssertion('present', undefined)).toBe('present');
    expect(evidenceAssertion(undefined, undefined)).toBeUndefined();
  });
});

describe('the builder and the writers carry assertions', () => {
  test('JSONL: nodes count mentions by assertion, edges their evidence, provenance both sides', () => {
    const lines = graphToJsonl(assertedGraph())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as KgJsonlLine);
    const hypertension = lines.find((l) => l.kind === 'node' && l.name === '高血压');
    expect(hypertension).toEqual({
      kind: 'node',
      id: 'n1',
      type: 'disease',
      name: '高血压',
      mentions: 2,
      assertions: { present: 1, historical: 1 },
    });
    const test = lines.find((l) => l.kind === 'node' && l.name === '心电图');
    expect(test).not.toHaveProperty('assertions'); // a test has no assertion
    const trad = lines.find((l) => l.kind === 'edge' && l.target === 'n1')!;
    expect(trad).toEqual({
      kind: 'edge',
      source: 'n2',
      target: 'n1',
      label: 'TrAD',
      score: 0.9,
      count: 2,
      provenance: [
        {
          recordId: 'a1',
          head: [7, 11],
          tail: [2, 5],
          score: 0.9,
          headAssertion: 'present',
          tailAssertion: 'historical',
        },
        { recordId: 'a2', head: [5, 9], tail: [0, 3], score: 0.8, headAssertion: 'present', tailAssertion: 'present' },
      ],
      assertions: { present: 1, historical: 1 },
    });
    // the absent entity's relation was in the input: its edge is there, and says so
    const diabetes = lines.find((l) => l.kind === 'node' && l.name === '糖尿病')!;
    const absent = lines.find((l) => l.kind === 'edge' && l.target === (diabetes as { id: string }).id);
    expect(absent).toMatchObject({ count: 1, assertions: { absent: 1 } });
  });

  test('N-Triples: counts on nodes and statements, assertions at the end of each evidence literal', () => {
    const nt = graphToNTriples(assertedGraph());
    expect(nt).toContain(
      '_:r1 <urn:emr-re:evidence> "a1#head=7,11;tail=2,5;headAssertion=present;tailAssertion=historical" .',
    );
    expect(nt).toContain('_:r1 <urn:emr-re:assertion/historical> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .');
    expect(nt).toContain('_:r2 <urn:emr-re:evidence> "a3#head=5,8;tail=9,13;tailAssertion=present" .');
    expect(nt).toContain(
      `<urn:emr-re:entity/disease/${encodeURIComponent('高血压')}> <urn:emr-re:assertion/present> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .`,
    );
  });

  test('Neo4j CSV: per-assertion count columns after the existing ones', () => {
    const csv = graphToNeo4jCsv(assertedGraph());
    const nodes = csv.nodes.trimEnd().split('\n');
    expect(nodes[0]).toBe(
      'id:ID,name,mentions:int,:LABEL,presentMentions:int,absentMentions:int,possibleMentions:int,historicalMentions:int,familyMentions:int',
    );
    expect(nodes[1]).toBe('n1,高血压,2,disease,1,0,0,1,0');
    const rels = csv.relationships.trimEnd().split('\n');
    expect(rels[0]).toBe(
      ':START_ID,:END_ID,:TYPE,score:double,count:int,provenance,presentEvidence:int,absentEvidence:int,possibleEvidence:int,historicalEvidence:int,familyEvidence:int',
    );
    expect(rels[1]).toBe('n2,n1,TrAD,0.9,2,a1#7-11>2-5|a2#5-9>0-3,1,0,0,1,0');
  });

  test('Turtle: the store vocabulary with the assertions', () => {
    const ttl = nTriplesToTurtle(graphLines(assertedRecords, { model: { id: 'm' } }));
    expect(ttl.match(/emr:historicalEvidenceCount 1/g)).toHaveLength(1);
    expect(ttl.match(/emr:headAssertion "present"/g)).toHaveLength(3);
    expect(ttl.match(/emr:tailAssertion "historical"/g)).toHaveLength(1);
    expect(ttl).toMatch(/emr:absentMentionCount 1/);
  });
});
