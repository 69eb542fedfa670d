import type { Assertion, EmrRecord } from '@emr-re/tokenize';
import { addAssertion, evidenceAssertion, type AssertionCounts } from './assertion';

/** A deduplicated entity of the knowledge graph: one node per (normalised text, type). */
export interface KgNode {
  id: string;
  type: string;
  name: string;
  /** How many mentions in the predictions were merged into this node. */
  mentions: number;
  /** Those mentions by assertion (`present`, `historical`...), when any had one. */
  assertions?: AssertionCounts;
}

/** Where one relation was read: record id and the character offsets of head and tail. */
export interface KgProvenance {
  recordId: string;
  head: [number, number];
  tail: [number, number];
  score?: number;
  /** The assertions of the head and tail entities, when the prediction had them. */
  headAssertion?: Assertion;
  tailAssertion?: Assertion;
}

/** One edge per (head node, label, tail node); `score` is the highest probability seen, `count` the evidence. */
export interface KgEdge {
  source: string;
  target: string;
  label: string;
  score: number;
  count: number;
  provenance: KgProvenance[];
  /**
   * The provenance by assertion, when any entity behind it had one: each piece counts once, under its head's
   * and tail's assertion combined (`evidenceAssertion`: a value other than `present` wins).
   */
  assertions?: AssertionCounts;
}

/** A medical knowledge graph built from predicted relations. */
export interface KnowledgeGraph {
  nodes: KgNode[];
  edges: KgEdge[];
}

/** Normalises an entity mention for deduplication: NFKC, trimmed, inner whitespace removed, lower-case Latin. */
export function normaliseMention(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

/**
 * Accumulates records into a graph. Entities are merged by normalised text and type; relations by
 * (head node, label, tail node), keeping every provenance. Records stream in one at a time.
 */
export class KnowledgeGraphBuilder {
  private readonly nodes = new Map<string, KgNode>();
  private readonly edges = new Map<string, KgEdge>();

  /** Adds one record's entities (those taking part in a relation, unless `allEntities`) and relations. */
  add(record: EmrRecord, options: { allEntities?: boolean } = {}): void {
    const byId = new Map(record.entities.map((e) => [e.id, e]));
    const used = new Set<string>();
    for (const r of record.relations) {
      used.add(r.head);
      used.add(r.tail);
    }
    const nodeOf = new Map<string, KgNode>();
    for (const e of record.entities) {
      if (!options.allEntities && !used.has(e.id)) continue;
      const key = `${e.type}\u0000${normaliseMention(e.text)}`;
      let node = this.nodes.get(key);
      if (!node) {
        node = { id: `n${this.nodes.size + 1}`, type: e.type, name: normaliseMention(e.text), mentions: 0 };
        this.nodes.set(key, node);
      }
      node.mentions += 1;
      if (e.assertion !== undefined) node.assertions = addAssertion(node.assertions, e.assertion);
      nodeOf.set(e.id, node);
    }
    for (const r of record.relations) {
      const head = byId.get(r.head);
      const tail = byId.get(r.tail);
      const source = nodeOf.get(r.head);
      const target = nodeOf.get(r.tail);
      if (!head || !tail || !source || !target) continue;
      const key = `${source.id}\u0000${r.label}\u0000${target.id}`;
      let edge = this.edges.get(key);
      if (!edge) {
        edge = { source: source.id, target: target.id, label: r.label, score: 0, count: 0, provenance: [] };
        this.edges.set(key, edge);
      }
      const score = r.score ?? 1;
      edge.score = Math.max(edge.score, score);
      edge.count += 1;
      const provenance: KgProvenance = {
        recordId: record.id,
        head: [head.start, head.end],
        tail: [tail.start, tail.end],
        score: r.score,
      };
      if (head.assertion !== undefined) provenance.headAssertion = head.assertion;
      if (tail.assertion !== undefined) provenance.tailAssertion = tail.assertion;
      edge.provenance.push(provenance);
      const assertion = evidenceAssertion(head.assertion, tail.assertion);
      if (assertion !== undefined) edge.assertions = addAssertion(edge.assertions, assertion);
    }
  }

  /** The graph so far. */
  build(): KnowledgeGraph {
    return { nodes: [...this.nodes.values()], edges: [...this.edges.values()] };
  }
}
