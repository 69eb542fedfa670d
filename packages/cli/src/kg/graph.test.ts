import type { EmrRecord } from '@emr-re/tokenize';
import { KnowledgeGraphBuilder, normaliseMention } from './graph';
import { graphToJsonl, graphToNTriples, graphToNeo4jCsv } from './serialise';

const records: EmrRecord[] = [
  {
    id: 'r1',
    text: '高血压患者服用硝苯地平。',
    entities: [
      { id: 'e0', type: '疾病', start: 0, end: 3, text: '高血压' },
      { id: 'e1', type: '药物', start: 7, end: 11, text: '硝苯地平' },
      { id: 'e2', type: '症状', start: 3, end: 5, text: '患者' },
    ],
    relations: [{ head: 'e0', tail: 'e1', label: '药物治疗', score: 0.8 }],
  },
  {
    id: 'r2',
    text: '高 血压，硝苯地平治疗。',
    entities: [
      { id: 'a', type: '疾病', start: 0, end: 4, text: '高 血压' },
      { id: 'b', type: '药物', start: 5, end: 9, text: '硝苯地平' },
    ],
    relations: [{ head: 'a', tail: 'b', label: '药物治疗', score: 0.95 }],
  },
];

describe('KnowledgeGraphBuilder', () => {
  const builder = new KnowledgeGraphBuilder();
  records.forEach((r) => builder.add(r));
  const graph = builder.build();

  it('merges entities by normalised text and type and edges by (head, label, tail)', () => {
    expect(normaliseMention(' 高 血压 ')).toBe('高血压');
    expect(graph.nodes.map((n) => [n.name, n.type, n.mentions])).toEqual([
      ['高血压', '疾病', 2],
      ['硝苯地平', '药物', 2],
    ]);
    expect(graph.edges).toHaveLength(1);
    const [edge] = graph.edges;
    expect(edge.score).toBe(0.95);
    expect(edge.count).toBe(2);
    expect(edge.provenance).toEqual([
      { recordId: 'r1', head: [0, 3], tail: [7, 11], score: 0.8 },
      { recordId: 'r2', head: [0, 4], tail: [5, 9], score: 0.95 },
    ]);
  });

  it('keeps entities without relations only when asked', () => {
    const all = new KnowledgeGraphBuilder();
    all.add(records[0], { allEntities: true });
    expect(all.build().nodes).toHaveLength(3);
  });

  it('serialises to JSON lines, N-Triples and Neo4j CSV', () => {
    const jsonl = graphToJsonl(graph)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jsonl.map((o) => o.kind)).toEqual(['node', 'node', 'edge']);
    const nt = graphToNTriples(graph).trim().split('\n');
    // 2 nodes x (type + label) + edge (1 direct + 4 reification + score + count + 2 evidence)
    expect(nt).toHaveLength(4 + 9);
    for (const line of nt)
      expect(line).toMatch(/^(<[^<>"\s]+>|_:r\d+) <[^<>"\s]+> (<[^<>"\s]+>|".*"(\^\^<[^>]+>)?) \.$/);
    expect(nt).toContain(
      `<urn:emr-re:entity/${encodeURIComponent('疾病')}/${encodeURIComponent('高血压')}> <urn:emr-re:relation/${encodeURIComponent('药物治疗')}> <urn:emr-re:entity/${encodeURIComponent('药物')}/${encodeURIComponent('硝苯地平')}> .`,
    );
    const csv = graphToNeo4jCsv(graph);
    expect(csv.nodes.trim().split('\n')).toEqual([
      'id:ID,name,mentions:int,:LABEL',
      'n1,高血压,2,疾病',
      'n2,硝苯地平,2,药物',
    ]);
    expect(csv.relationships.trim().split('\n')[1]).toBe('n1,n2,药物治疗,0.95,2,r1#0-3>7-11|r2#0-4>5-9');
  });
});
