import { KnowledgeGraphBuilder } from './graph';
import { graphToNeo4jCsv } from './neo4j-csv';
import { fixtureGraph } from './__tests__/fixture';

describe('graphToNeo4jCsv', () => {
  it('writes a nodes file and a relationships file with typed Neo4j headers', () => {
    const csv = graphToNeo4jCsv(fixtureGraph());
    expect(csv.nodes.trim().split('\n')).toEqual([
      'id:ID,name,mentions:int,:LABEL',
      'n1,高血压,2,疾病',
      'n2,硝苯地平,2,药物',
    ]);
    expect(csv.relationships.trim().split('\n')).toEqual([
      ':START_ID,:END_ID,:TYPE,score:double,count:int,provenance',
      'n1,n2,药物治疗,0.95,2,r1#0-3>7-11|r2#0-4>5-9',
    ]);
  });

  it('quotes a field holding a comma or a quote', () => {
    const builder = new KnowledgeGraphBuilder();
    builder.add(
      { id: 'q', text: 'x', entities: [{ id: 'e', type: '药物', start: 0, end: 4, text: 'a,"b' }], relations: [] },
      { allEntities: true },
    );
    expect(graphToNeo4jCsv(builder.build()).nodes.split('\n')[1]).toBe('n1,"a,""b",1,药物');
  });
});
