import type { EmrRecord } from '@emr-re/tokenize';
import { detectAssertions } from './detect';
import type { AssertionLexicon } from './types';

/**
 * Relation labels that themselves state an absence, kept by default although their entity is absent: the paper's
 * SNAP ("双下肢无水肿": the symptom is not at that position), whose symptom is absent by definition.
 */
export const NEGATED_LABELS: readonly string[] = ['SNAP'];

/**
 * The record without the relations whose head or tail entity is `absent` (negated, denied, ruled out): such an
 * entity does not hold for the patient, so an edge from it would put a false fact in a knowledge graph (issue 20:
 * "否认高血压…" followed by a trauma gave 高血压 —DAP→ 右手). A relation whose label is one of `negatedLabels`
 * (default `NEGATED_LABELS`: SNAP) states the absence itself and is kept. Historical and family entities keep their
 * relations; their assertion on the entity says what they are.
 */
export function dropAbsentRelations(record: EmrRecord, negatedLabels: readonly string[] = NEGATED_LABELS): EmrRecord {
  const absent = new Set(record.entities.filter((e) => e.assertion === 'absent').map((e) => e.id));
  if (absent.size === 0) return record;
  return {
    ...record,
    relations: record.relations.filter(
      (r) => negatedLabels.includes(r.label) || (!absent.has(r.head) && !absent.has(r.tail)),
    ),
  };
}

/** Options of `applyAssertions`. */
export interface ApplyAssertionOptions {
  /** Detect assertions (default true); false returns the record as it is. */
  assertions?: boolean;
  /** The trigger lexicon (default the shipped one). */
  lexicon?: AssertionLexicon;
  /** Keep relations whose head or tail is absent (default false: they are dropped). */
  keepAbsent?: boolean;
  /** Labels kept even when an entity is absent, as they state the absence (default `NEGATED_LABELS`: SNAP). */
  negatedLabels?: readonly string[];
}

/**
 * What an extraction pipeline does with a predicted record: `detectAssertions`, then, unless `keepAbsent`,
 * `dropAbsentRelations` (SNAP and the other `negatedLabels` stay).
 */
export function applyAssertions(record: EmrRecord, options: ApplyAssertionOptions = {}): EmrRecord {
  if (options.assertions === false) return record;
  const asserted = detectAssertions(record, options.lexicon);
  return options.keepAbsent ? asserted : dropAbsentRelations(asserted, options.negatedLabels);
}
