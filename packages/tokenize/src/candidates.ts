import { splitClauses } from './clauses';
import { UsageError } from './errors';
import { schemaIndex } from './schema';
import { splitSentences } from './sentences';
import { UNKNOWN_LABEL } from './types';
import type { Candidate, CandidateGenerator, EmrRecord, Entity, Relation, Schema, Sentence } from './types';

/**
 * The window inside which two entities are paired: a sentence (`splitSentences`: 。！？!?; and line breaks), a
 * clause of an EMR section (`splitClauses`: also after ；，、： and before "2." "3、" "①" list markers), a list item
 * (`splitClauses` with `level: 'item'`: after ； and before list markers only), or the whole record.
 */
export type CandidateWindow = 'sentence' | 'item' | 'clause' | 'record';

/** Every `CandidateWindow`, for validation. */
export const CANDIDATE_WINDOWS: readonly CandidateWindow[] = ['sentence', 'item', 'clause', 'record'];

/** Options of candidate generation. */
export interface CandidateOptions {
  /**
   * Use the whole record as one window instead of its sentences (default false): the same as `window: 'record'`.
   * CMeIE annotates many relations across 。, which sentence windows cannot see.
   */
  crossSentence?: boolean;
  /**
   * The window (default `'sentence'`, or `'record'` with `crossSentence`). Setting `crossSentence` together with
   * another window is a `UsageError`.
   */
  window?: CandidateWindow;
}

/** The window `options` ask for (see `CandidateOptions.window`). */
export function resolveCandidateWindow(options: CandidateOptions = {}): CandidateWindow {
  const { window, crossSentence } = options;
  if (window !== undefined && !CANDIDATE_WINDOWS.includes(window))
    throw new UsageError(`unknown candidate window ${JSON.stringify(window)} (use ${CANDIDATE_WINDOWS.join(', ')})`);
  if (crossSentence && window !== undefined && window !== 'record')
    throw new UsageError(`crossSentence asks for whole-record windows, window asks for ${window}: set one of them`);
  return window ?? (crossSentence ? 'record' : 'sentence');
}

/** The windows of a record under `window`, in text order; clauses never cut an entity. */
export function candidateWindows(record: EmrRecord, window: CandidateWindow): Sentence[] {
  if (window === 'record') return [{ index: 0, start: 0, end: record.text.length, text: record.text }];
  if (window === 'clause' || window === 'item')
    return splitClauses(record.text, { keepWhole: record.entities, level: window });
  return splitSentences(record.text);
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
  /** no window (sentence, clause or record) holds both entities whole */
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
 * (head ≠ tail) of entities lying wholly inside one window (a sentence by default, a clause or list item with
 * `window: 'clause'`, a list item with `window: 'item'`, the whole record with `window: 'record'` or `crossSentence`) whose (head.type, tail.type)
 * is a schema pair. Its label is the record's relation on (head id, tail id)
 * when the schema allows that label for the pair, else `UNKNOWN_LABEL`. Candidates come window by window,
 * heads and tails in order of offset; `candidate.sentence` is the window.
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

  const windows = candidateWindows(record, resolveCandidateWindow(options));
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
    resolveCandidateWindow(options);
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
