import type { KgEdge, KgNode, KnowledgeGraph } from './graph';

/** One line of `graphToJsonl`, parsed: a node or an edge, told apart by `kind`. */
export type KgJsonlLine = ({ kind: 'node' } & KgNode) | ({ kind: 'edge' } & KgEdge);

/**
 * The graph as JSON lines: one `{"kind":"node",...}` per node, then one `{"kind":"edge",...}` per edge, each
 * carrying every field of `KgNode` / `KgEdge` (edges refer to nodes by `id`). Empty graph, empty string.
 */
export function graphToJsonl(graph: KnowledgeGraph): string {
  const lines = graph.nodes.map((n) => JSON.stringify({ kind: 'node', ...n }));
  for (const e of graph.edges) lines.push(JSON.stringify({ kind: 'edge', ...e }));
  return lines.join('\n') + (lines.length ? '\n' : '');
}
