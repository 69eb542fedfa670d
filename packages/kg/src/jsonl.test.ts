import { graphToJsonl, type KgJsonlLine } from './jsonl';
import { fixtureGraph } from './__tests__/fixture';

describe('graphToJsonl', () => {
  it('writes the nodes, then the edges, one JSON object a line', () => {
    const lines = graphToJsonl(fixtureGraph())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as KgJsonlLine);
    expect(lines.map((o) => o.kind)).toEqual(['node', 'node', 'edge']);
    expect(lines[0]).toEqual({ kind: 'node', id: 'n1', type: '疾病', name: '高血压', mentions: 2 });
    expect(lines[2]).toMatchObject({ kind: 'edge', source: 'n1', target: 'n2', label: '药物治疗', count: 2 });
  });

  it('writes nothing for an empty graph', () => {
    expect(graphToJsonl({ nodes: [], edges: [] })).toBe('');
  });
});
