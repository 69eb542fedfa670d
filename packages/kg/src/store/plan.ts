import type { Assertion, EmrRecord } from '@emr-re/tokenize';
import { addAssertion, ASSERTION_ORDER, evidenceAssertion, type AssertionCounts } from '../assertion';
import { normaliseMention } from '../graph';
import type { ModelStamp } from './types';
import { contentIri, doubleTerm, integerTerm, iriTerm, relationIri, stringTerm, tripleLine } from './terms';
import { assertionCountIri, KG_NODE_PREFIX, V } from './vocabulary';

/** The counts and maxima of one entity or edge: what the store holds as `emr:mentionCount` and friends. */
export interface NodeTally {
  /** `emr:mentionCount` (entity) or `emr:evidenceCount` (edge). */
  count: number;
  /** `emr:maxScore` of an edge, when any of its evidence has a score. */
  maxScore?: number;
  /** `emr:<value>MentionCount` (entity) or `emr:<value>EvidenceCount` (edge): mentions or evidence by assertion. */
  assertions?: AssertionCounts;
}

/** What a batch of records added: the N-Triples lines of the new nodes, and the tallies that changed. */
export interface GraphDelta {
  records: number;
  newEntities: number;
  newEdges: number;
  newEvidence: number;
  newMentions: number;
  /** Lines of the nodes that did not exist (every triple of a node is written once, when it is created). */
  lines: string[];
  /** Entities and edges whose tally changed, with the value the store holds now (undefined: none yet). */
  changed: Map<string, { before?: NodeTally; after: NodeTally }>;
}

/**
 * The part of a store that decides what an added record changes: which node IRIs exist, and the tallies of
 * entities and edges. Pure: it never touches the store; the store applies the returned `GraphDelta`.
 *
 * Ids come from content: an entity from (type, `normaliseMention(text)`); a mention from (record id, offsets,
 * entity); an edge from (head entity, label, tail entity); a piece of evidence from (edge, head mention, tail
 * mention, model). A mention or a piece of evidence seen again is not counted again, so adding the same
 * predictions twice changes nothing and new records only add. Assertions are properties, never part of an id: a
 * mention's `emr:assertion` line and a piece of evidence's `emr:headAssertion`, `emr:tailAssertion` and
 * `emr:assertion` lines are written once each, and an entity's or edge's per-assertion count counts those lines.
 */
export class GraphIndex {
  private readonly nodes = new Set<string>();
  private readonly tallies = new Map<string, NodeTally>();
  private readonly assertionLines = new Set<string>();

  /** Declares a node that exists already (when loading a store). */
  knowNode(iri: string): void {
    this.nodes.add(iri);
  }

  /** Declares the tally a store holds for an entity or edge. */
  knowTally(iri: string, tally: NodeTally): void {
    this.tallies.set(iri, { ...tally });
  }

  /** Declares an assertion line the store holds (`emr:assertion`, `emr:headAssertion`, `emr:tailAssertion`). */
  knowAssertionLine(line: string): void {
    this.assertionLines.add(line);
  }

  /** Whether a node exists. */
  has(iri: string): boolean {
    return this.nodes.has(iri);
  }

  /** The tallies of every entity and edge (for writing a whole graph). */
  allTallies(): ReadonlyMap<string, NodeTally> {
    return this.tallies;
  }

  /** Plans adding `records` (entities and relations, predicted or gold) stamped with `model`. */
  plan(records: Iterable<EmrRecord>, model?: ModelStamp): GraphDelta {
    const delta: GraphDelta = {
      records: 0,
      newEntities: 0,
      newEdges: 0,
      newEvidence: 0,
      newMentions: 0,
      lines: [],
      changed: new Map(),
    };
    const modelIri = model === undefined ? undefined : this.modelNode(model, delta);
    for (const record of records) this.planRecord(record, modelIri, delta);
    return delta;
  }

  private modelNode(model: ModelStamp, delta: GraphDelta): string {
    const iri = contentIri('model', [model.id, model.version ?? '']);
    if (this.create(iri, V.Model, delta)) {
      delta.lines.push(tripleLine(iri, V.modelId, stringTerm(model.id)));
      if (model.version !== undefined) delta.lines.push(tripleLine(iri, V.modelVersion, stringTerm(model.version)));
    }
    return iri;
  }

  private planRecord(record: EmrRecord, modelIri: string | undefined, delta: GraphDelta): void {
    delta.records += 1;
    const recordIri = contentIri('record', [record.id]);
    if (this.create(recordIri, V.Record, delta)) {
      delta.lines.push(tripleLine(recordIri, V.recordId, stringTerm(record.id)));
    }
    const mentionOf = new Map<string, { mention: string; entity: string; assertion?: Assertion }>();
    for (const e of record.entities) {
      const name = normaliseMention(e.text);
      const entity = contentIri('entity', [e.type, name]);
      if (this.create(entity, V.Entity, delta)) {
        delta.newEntities += 1;
        delta.lines.push(tripleLine(entity, V.entityType, stringTerm(e.type)));
        delta.lines.push(tripleLine(entity, V.label, stringTerm(name)));
      }
      const mention = contentIri('mention', [record.id, e.start, e.end, entity]);
      if (this.create(mention, V.Mention, delta)) {
        delta.newMentions += 1;
        delta.lines.push(tripleLine(mention, V.entity, iriTerm(entity)));
        delta.lines.push(tripleLine(mention, V.record, iriTerm(recordIri)));
        delta.lines.push(tripleLine(mention, V.start, integerTerm(e.start)));
        delta.lines.push(tripleLine(mention, V.end, integerTerm(e.end)));
        this.bump(entity, undefined, delta);
      }
      if (e.assertion !== undefined && this.assert(mention, V.assertion, e.assertion, delta)) {
        this.countAssertion(entity, e.assertion, delta);
      }
      mentionOf.set(e.id, { mention, entity, assertion: e.assertion });
    }
    for (const r of record.relations) {
      const head = mentionOf.get(r.head);
      const tail = mentionOf.get(r.tail);
      if (head === undefined || tail === undefined) continue;
      const edge = contentIri('edge', [head.entity, r.label, tail.entity]);
      if (this.create(edge, V.Edge, delta)) {
        delta.newEdges += 1;
        delta.lines.push(tripleLine(edge, V.head, iriTerm(head.entity)));
        delta.lines.push(tripleLine(edge, V.relation, stringTerm(r.label)));
        delta.lines.push(tripleLine(edge, V.tail, iriTerm(tail.entity)));
        delta.lines.push(tripleLine(head.entity, relationIri(r.label), iriTerm(tail.entity)));
      }
      const evidence = contentIri('evidence', [edge, head.mention, tail.mention, modelIri ?? '']);
      if (this.create(evidence, V.Evidence, delta)) {
        delta.newEvidence += 1;
        delta.lines.push(tripleLine(evidence, V.edge, iriTerm(edge)));
        delta.lines.push(tripleLine(evidence, V.headMention, iriTerm(head.mention)));
        delta.lines.push(tripleLine(evidence, V.tailMention, iriTerm(tail.mention)));
        if (r.score !== undefined) delta.lines.push(tripleLine(evidence, V.score, doubleTerm(r.score)));
        if (modelIri !== undefined) delta.lines.push(tripleLine(evidence, V.model, iriTerm(modelIri)));
        this.bump(edge, r.score, delta);
      }
      if (head.assertion !== undefined) this.assert(evidence, V.headAssertion, head.assertion, delta);
      if (tail.assertion !== undefined) this.assert(evidence, V.tailAssertion, tail.assertion, delta);
      const value = evidenceAssertion(head.assertion, tail.assertion);
      if (value !== undefined && this.assert(evidence, V.assertion, value, delta)) {
        this.countAssertion(edge, value, delta);
      }
    }
  }

  /** Writes `<subject> <property> "value"` unless the store holds it; true when it was new. */
  private assert(subject: string, property: string, value: Assertion, delta: GraphDelta): boolean {
    const line = tripleLine(subject, property, stringTerm(value));
    if (this.assertionLines.has(line)) return false;
    this.assertionLines.add(line);
    delta.lines.push(line);
    return true;
  }

  /** Adds a node if new (its `rdf:type` line); true when it was new. */
  private create(iri: string, cls: string, delta: GraphDelta): boolean {
    if (this.nodes.has(iri)) return false;
    this.nodes.add(iri);
    delta.lines.push(tripleLine(iri, V.type, iriTerm(cls)));
    return true;
  }

  private bump(iri: string, score: number | undefined, delta: GraphDelta): void {
    this.change(
      iri,
      (before) => {
        const after: NodeTally = { count: (before?.count ?? 0) + 1 };
        const max = before?.maxScore;
        if (score !== undefined || max !== undefined) after.maxScore = Math.max(score ?? -Infinity, max ?? -Infinity);
        if (before?.assertions !== undefined) after.assertions = before.assertions;
        return after;
      },
      delta,
    );
  }

  private countAssertion(iri: string, value: Assertion, delta: GraphDelta): void {
    this.change(
      iri,
      (before) => ({ ...(before ?? { count: 0 }), assertions: addAssertion(before?.assertions, value) }),
      delta,
    );
  }

  private change(iri: string, update: (before: NodeTally | undefined) => NodeTally, delta: GraphDelta): void {
    const before = this.tallies.get(iri);
    const after = update(before);
    this.tallies.set(iri, after);
    const seen = delta.changed.get(iri);
    delta.changed.set(iri, { before: seen ? seen.before : before, after });
  }
}

/**
 * The tally lines of an entity (`emr:mentionCount`, `emr:<value>MentionCount`) or edge (`emr:evidenceCount`,
 * `emr:maxScore`, `emr:<value>EvidenceCount`).
 */
export function tallyLines(iri: string, tally: NodeTally): string[] {
  const isEdge = iri.startsWith(`${KG_NODE_PREFIX}edge:`);
  const lines = [tripleLine(iri, isEdge ? V.evidenceCount : V.mentionCount, integerTerm(tally.count))];
  if (isEdge && tally.maxScore !== undefined) lines.push(tripleLine(iri, V.maxScore, doubleTerm(tally.maxScore)));
  for (const value of ASSERTION_ORDER) {
    const n = tally.assertions?.[value];
    if (n !== undefined)
      lines.push(tripleLine(iri, assertionCountIri(isEdge ? 'evidence' : 'mention', value), integerTerm(n)));
  }
  return lines;
}
