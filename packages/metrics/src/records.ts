import { CorpusFormatError } from '@emr-re/tokenize';
import type { EmrRecord, Entity, Relation } from '@emr-re/tokenize';

/** A relation with the entities its `head` and `tail` ids name. */
export interface ResolvedRelation {
  relation: Relation;
  /** Position of the relation in `record.relations`, for error locations. */
  index: number;
  head: Entity;
  tail: Entity;
}

/**
 * Records keyed by id, so gold and predictions can be matched record by record.
 *
 * @throws CorpusFormatError when an id repeats within the file.
 */
export function indexById(records: readonly EmrRecord[], file: string | undefined): Map<string, EmrRecord> {
  const byId = new Map<string, EmrRecord>();
  records.forEach((r, i) => {
    if (byId.has(r.id)) {
      throw new CorpusFormatError(
        { file, recordId: r.id, field: 'id' },
        `record id repeats (record ${i + 1} of the file); ids must be unique to match gold and predictions`,
      );
    }
    byId.set(r.id, r);
  });
  return byId;
}

/** The ids of both files once each: gold ids in file order, then ids found only in the predictions. */
export function unionIds(gold: Map<string, EmrRecord>, pred: Map<string, EmrRecord>): string[] {
  return [...gold.keys(), ...[...pred.keys()].filter((id) => !gold.has(id))];
}

/**
 * The relations of a record with their head and tail entities looked up by id.
 *
 * @throws CorpusFormatError when a relation names an entity id the record does not have.
 */
export function resolveRelations(record: EmrRecord, file: string | undefined): ResolvedRelation[] {
  const entities = new Map(record.entities.map((e) => [e.id, e]));
  return record.relations.map((relation, index) => {
    const head = entities.get(relation.head);
    const tail = entities.get(relation.tail);
    if (head === undefined || tail === undefined) {
      const field = head === undefined ? `relations[${index}].head` : `relations[${index}].tail`;
      throw new CorpusFormatError({ file, recordId: record.id, field }, `names an entity id the record does not have`);
    }
    return { relation, index, head, tail };
  });
}

/** Orders strings by UTF-16 code units, independent of the locale, so reports are reproducible. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Report keys: `fixed` first in their order, then every other seen key in code-point order. */
export function orderedKeys(fixed: readonly string[], seen: Iterable<string>): string[] {
  const first = [...new Set(fixed)];
  const listed = new Set(first);
  return [...first, ...[...new Set(seen)].filter((k) => !listed.has(k)).sort(compareCodePoints)];
}
