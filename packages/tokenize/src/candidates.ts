import { schemaIndex } from './schema';
import { splitSentences } from './sentences';
import { UNKNOWN_LABEL } from './types';
import type { Candidate, CandidateGenerator, EmrRecord, Entity, Relation, Schema, Sentence } from './types';

/** Options of candidate generation. */
export interface CandidateOptions {
  /**
   * Use the whole record as one window instead of its sentences (default false). CMeIE annotates many
   * relations across 。, which sentence windows cannot see.
   */
  crossSentence?: boolean;
}

/** Why a gold relation produced no labelled candidate. */
export type LostRelationReason =
  /** head or tail names no entity of the record */
  | 'missing-entity'
  /** head and tail are the same entity */
  | 'self-relation'
  /** the (head type, tail type) pair is not in the schema */
  | 'pair-not-allowed'
  /** the pair is allowed, but not with this label */
  | 'label-not-allowed'
  /** no window (sentence) holds both entities whole */
  | 'cross-sentence'
  /** an earlier relation already labels the same (head, tail) pair */
  | 'duplicate-pair';

/** A gold relation lost on the way to candidates, and why. */
export interface LostRelation {
  recordId: string;
  relation: Relation;
  reason: LostRelationReason;
}

/** Candidates of a record plus the gold relations they could not carry. */
export interface CandidateSet {
  candidates: Candidate[];
  lost: LostRelation[];
}

function byOffset(a: Entity, b: Entity): number {
  return a.start - b.start || a.end - b.end;
}

/**
 * Candidate pairs of a record with a report of the gold relations lost. A candidate is every ordered pair
 * (head ≠ tail) of entities lying wholly inside one sentence (or, with `crossSentence`, the whole record)
 * whose (head.type, tail.type) is a schema pair. Its label is the record's relation on (head id, tail id)
 * when the schema allows that label for the pair, else `UNKNOWN_LABEL`. Candidates come sentence by
 * sentence, heads and tails in order of offset.
 */
export function candidatePairs(record: EmrRecord, schema: Schema, options: CandidateOptions = {}): CandidateSet {
  const index = schemaIndex(schema);
  const byId = new Map(record.entities.map((e) => [e.id, e]));
  const lost: LostRelation[] = [];
  const gold = new Map<string, string>();
  for (const relation of record.relations) {
    const head = byId.get(relation.head);
    const tail = byId.get(relation.tail);
    const lose = (reason: LostRelationReason): void => {
      lost.push({ recordId: record.id, relation, reason });
    };
    if (head === undefined || tail === undefined) lose('missing-entity');
    else if (head.id === tail.id) lose('self-relation');
    else {
      const labels = index.pairLabels(head.type, tail.type);
      const key = `${head.id}\u0000${tail.id}`;
      if (labels === undefined) lose('pair-not-allowed');
      else if (!labels.has(relation.label)) lose('label-not-allowed');
      else if (gold.has(key)) lose('duplicate-pair');
      else gold.set(key, relation.label);
    }
  }

  const windows: Sentence[] = options.crossSentence
    ? [{ index: 0, start: 0, end: record.text.length, text: record.text }]
    : splitSentences(record.text);
  const entities = [...record.entities].sort(byOffset);
  const candidates: Candidate[] = [];
  const labelled = new Set<string>();
  // Windows come in text order and entities by offset: one pointer walks both, so a long record stays linear.
  let first = 0;
  for (const sentence of windows) {
    while (first < entities.length && entities[first].start < sentence.start) first++;
    const inside: Entity[] = [];
    for (let i = first; i < entities.length && entities[i].start < sentence.end; i++) {
      if (entities[i].end <= sentence.end) inside.push(entities[i]);
    }
    for (const head of inside) {
      for (const tail of inside) {
        if (head.id === tail.id || index.pairLabels(head.type, tail.type) === undefined) continue;
        const key = `${head.id}\u0000${tail.id}`;
        const label = gold.get(key);
        if (label !== undefined) labelled.add(key);
        candidates.push({ recordId: record.id, sentence, head, tail, label: label ?? UNKNOWN_LABEL });
      }
    }
  }
  for (const relation of record.relations) {
    const key = `${relation.head}\u0000${relation.tail}`;
    if (gold.get(key) === relation.label && !labelled.has(key)) {
      lost.push({ recordId: record.id, relation, reason: 'cross-sentence' });
      gold.delete(key);
    }
  }
  return { candidates, lost };
}

/** Candidate pairs of a record (see `candidatePairs`; use that to see which gold relations were lost). */
export function generateCandidates(record: EmrRecord, schema: Schema, options: CandidateOptions = {}): Candidate[] {
  return candidatePairs(record, schema, options).candidates;
}

/** Running totals of a `SchemaCandidateGenerator`. */
export interface CandidateStats {
  records: number;
  candidates: number;
  /** Candidates with a gold label other than `UNKNOWN_LABEL`. */
  labelled: number;
  /** Gold relations in the records seen. */
  goldRelations: number;
  /** Gold relations lost, by reason. */
  lost: Record<LostRelationReason, number>;
}

function emptyCandidateStats(): CandidateStats {
  return {
    records: 0,
    candidates: 0,
    labelled: 0,
    goldRelations: 0,
    lost: {
      'missing-entity': 0,
      'self-relation': 0,
      'pair-not-allowed': 0,
      'label-not-allowed': 0,
      'cross-sentence': 0,
      'duplicate-pair': 0,
    },
  };
}

/** A `CandidateGenerator` under a fixed schema that counts candidates and lost gold relations in `stats`. */
export class SchemaCandidateGenerator implements CandidateGenerator {
  readonly schema: Schema;
  readonly options: CandidateOptions;
  stats: CandidateStats = emptyCandidateStats();

  constructor(schema: Schema, options: CandidateOptions = {}) {
    this.schema = schema;
    this.options = { ...options };
  }

  /** Candidate pairs of one record (see `candidatePairs`); updates `stats`. */
  candidates(record: EmrRecord): Candidate[] {
    const { candidates, lost } = candidatePairs(record, this.schema, this.options);
    this.stats.records++;
    this.stats.candidates += candidates.length;
    this.stats.labelled += candidates.filter((c) => c.label !== UNKNOWN_LABEL).length;
    this.stats.goldRelations += record.relations.length;
    for (const l of lost) this.stats.lost[l.reason]++;
    return candidates;
  }

  /** Sets every count back to zero. */
  resetStats(): void {
    this.stats = emptyCandidateStats();
  }
}
