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
  /**
   * Records yielded with no entity at all (every format). When it equals `records`, the corpus was probably read
   * with the wrong format or schema; a caller should warn.
   */
  recordsWithoutEntities: number;
  /**
   * Files of a folder corpus that were not read because their partner is missing: a CCKS 2017 entity file `X.txt`
   * without `X.txtoriginal.txt`, a BRAT `X.txt` without `X.ann`. (The other way round, a CCKS text without its
   * entity file or a BRAT `.ann` without its `.txt`, is a `missing-file` error.)
   */
  unpairedDocuments: number;
  /** The first (up to `UNPAIRED_EXAMPLES`) of those files, as '/'-separated paths relative to the corpus folder. */
  unpairedExamples: string[];
}

/** How many unpaired files `ReadStats.unpairedExamples` names at most. */
export const UNPAIRED_EXAMPLES = 5;

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
    recordsWithoutEntities: 0,
    unpairedDocuments: 0,
    unpairedExamples: [],
  };
}

/** Resets `stats` in place (readers keep one stats object across `read()` calls). */
export function resetReadStats(stats: ReadStats): void {
  Object.assign(stats, emptyReadStats());
}
