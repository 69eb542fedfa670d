/** Counts kept while reading a corpus; positions and numbers only, never record text. */
export interface ReadStats {
  /** Records yielded. */
  records: number;
  /** Records skipped because they were invalid (only with `skipInvalid`). */
  skipped: number;
  /** Skipped records by `RecordFormatError.problem`, e.g. `{"bad-offset": 2}`. */
  skippedByReason: Record<string, number>;
  /** CMeIE triples whose subject or object string does not occur in the text (the triple is dropped). */
  missingMentions: number;
  /** Entity mentions dropped because the schema does not know their (mapped) type (CMeIE: counted per triple side). */
  droppedEntities: number;
  /** Relations dropped: label not mapped onto the schema, or an argument entity was dropped. */
  droppedRelations: number;
  /** BRAT entities with discontinuous spans, read as their outer span. */
  discontinuousEntities: number;
}

/** A fresh all-zero `ReadStats`. */
export function emptyReadStats(): ReadStats {
  return {
    records: 0,
    skipped: 0,
    skippedByReason: {},
    missingMentions: 0,
    droppedEntities: 0,
    droppedRelations: 0,
    discontinuousEntities: 0,
  };
}

/** Resets `stats` in place (readers keep one stats object across `read()` calls). */
export function resetReadStats(stats: ReadStats): void {
  Object.assign(stats, emptyReadStats());
}
