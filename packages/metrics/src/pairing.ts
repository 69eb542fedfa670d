import { UNKNOWN_LABEL } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { indexById, resolveRelations, unionIds } from './records';

/** A character span `[start, end)` of an entity mention. */
export interface Span {
  start: number;
  end: number;
}

/** One candidate pair scored between a gold and a predicted file, located by record id and entity offsets. */
export interface RecordPair {
  recordId: string;
  head: Span;
  tail: Span;
  /** Gold label, or the negative label when the gold file has no relation on this pair. */
  gold: string;
  /** Predicted label, or the negative label when the prediction file has no relation on this pair. */
  pred: string;
}

/** Options of `pairRecords`. */
export interface PairRecordsOptions {
  /** Label of "no relation" (default `'unknown'`); a relation carrying it counts as absent. */
  negativeLabel?: string;
  /** File names used in error locations, e.g. the paths the records were read from. */
  goldFile?: string;
  predFile?: string;
}

interface Labelled {
  label: string;
  score: number;
}

/**
 * Matches gold and predicted records and lists the candidate pairs to score.
 *
 * Records are matched by `id`. Relations are matched by the character offsets of their head and tail
 * entities (not by entity ids, which may differ between files). Every ordered pair that carries a relation
 * in either file is listed once; pairs in neither file (negative in both) are skipped, since they change no
 * metric. A record present on one side only is scored as if the other side had no relations: gold relations
 * of a record missing from the predictions count as false negatives, predictions on a record missing from
 * the gold file as false positives. When one file has several relations on the same offsets pair, the one
 * with the highest `score` wins (a missing score ranks lowest; on a tie the first one wins).
 *
 * Order: gold records in file order, then prediction-only records; within a record, gold relation order,
 * then prediction-only pairs.
 *
 * @throws CorpusFormatError when a record id repeats within a file or a relation names an entity id the
 *   record does not have.
 */
export function pairRecords(gold: EmrRecord[], pred: EmrRecord[], options: PairRecordsOptions = {}): RecordPair[] {
  const neg = options.negativeLabel ?? UNKNOWN_LABEL;
  const goldById = indexById(gold, options.goldFile);
  const predById = indexById(pred, options.predFile);
  const ids = unionIds(goldById, predById);
  const out: RecordPair[] = [];
  for (const recordId of ids) {
    const g = goldById.get(recordId);
    const p = predById.get(recordId);
    const goldRel = g ? relationsByOffsets(g, options.goldFile) : new Map<string, Labelled>();
    const predRel = p ? relationsByOffsets(p, options.predFile) : new Map<string, Labelled>();
    const keys = [...goldRel.keys(), ...[...predRel.keys()].filter((k) => !goldRel.has(k))];
    for (const key of keys) {
      const goldLabel = goldRel.get(key)?.label ?? neg;
      const predLabel = predRel.get(key)?.label ?? neg;
      if (goldLabel === neg && predLabel === neg) continue;
      const [hs, he, ts, te] = key.split(':').map(Number);
      out.push({
        recordId,
        head: { start: hs, end: he },
        tail: { start: ts, end: te },
        gold: goldLabel,
        pred: predLabel,
      });
    }
  }
  return out;
}

/** Relations of one record keyed by `headStart:headEnd:tailStart:tailEnd`, keeping the highest-score one per key. */
function relationsByOffsets(record: EmrRecord, file: string | undefined): Map<string, Labelled> {
  const byKey = new Map<string, Labelled>();
  for (const { relation: rel, head, tail } of resolveRelations(record, file)) {
    const key = `${head.start}:${head.end}:${tail.start}:${tail.end}`;
    const score = rel.score ?? Number.NEGATIVE_INFINITY;
    const held = byKey.get(key);
    if (held === undefined || score > held.score) byKey.set(key, { label: rel.label, score });
  }
  return byKey;
}
