import { KnowledgeGraphBuilder, normaliseMention } from './graph';
import { fixtureGraph, records } from './__tests__/fixture';

describe('KnowledgeGraphBuilder', () => {
  const graph = fixtureGraph();

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
});
