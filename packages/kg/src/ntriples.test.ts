import { KnowledgeGraphBuilder } from './graph';
import { graphToNTriples } from './ntriples';
import { fixtureGraph } from './__tests__/fixture';

const entity = (type: string, name: string) =>
  `<urn:emr-re:entity/${encodeURIComponent(type)}/${encodeURIComponent(name)}>`;

describe('graphToNTriples', () => {
  const nt = graphToNTriples(fixtureGraph()).trim().split('\n');

  it('types and labels each node, and reifies each edge with score, count and evidence', () => {
    // 2 nodes x (type + label) + edge (1 direct + 4 reification + score + count + 2 evidence)
    expect(nt).toHaveLength(4 + 9);
    for (const line of nt)
      expect(line).toMatch(/^(<[^<>"\s]+>|_:r\d+) <[^<>"\s]+> (<[^<>"\s]+>|".*"(\^\^<[^>]+>)?) \.$/);
    expect(nt).toContain(
      `${entity('疾病', '高血压')} <urn:emr-re:relation/${encodeURIComponent('药物治疗')}> ${entity('药物', '硝苯地平')} .`,
    );
    expect(nt).toContain('_:r1 <urn:emr-re:score> "0.95"^^<http://www.w3.org/2001/XMLSchema#double> .');
    expect(nt).toContain('_:r1 <urn:emr-re:evidence> "r2#head=0,4;tail=5,9" .');
  });

  it('escapes quotes and backslashes in literals and percent-encodes IRIs', () => {
    const builder = new KnowledgeGraphBuilder();
    builder.add(
      { id: 'q', text: 'x', entities: [{ id: 'e', type: '药物', start: 0, end: 4, text: 'a"b\\' }], relations: [] },
      { allEntities: true },
    );
    expect(graphToNTriples(builder.build())).toContain(
      `${entity('药物', 'a"b\\')} <http://www.w3.org/2000/01/rdf-schema#label> "a\\"b\\\\" .`,
    );
  });
});
