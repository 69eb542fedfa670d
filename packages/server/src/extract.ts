import type { EmrRecord } from '@emr-re/tokenize';
import { applyAssertions } from '@emr-re/ner';
import type { NerModel } from '@emr-re/ner';
import type { RelationExtractor } from '@emr-re/resgru-att';
import { RequestError } from './errors';
import type { WorkQueue } from './work-queue';

/** A record of `POST /v1/extract`: text, optionally an id, and optionally entities (then only relations are found). */
export interface ExtractInput {
  id?: string;
  text: string;
  entities?: unknown[];
}

/** Thresholds of an extraction. */
export interface ExtractSettings {
  /** Keep entities the NER model scores at least this (default 0). */
  minEntityScore?: number;
  /** Keep relations whose probability is at least this (default 0). */
  minRelationScore?: number;
  /**
   * Set each entity's assertion and drop the relations of absent (negated, ruled-out) entities, as `emr-re extract`
   * does (default true).
   */
  assertions?: boolean;
}

/** The record ids of a request: given ones kept, missing ones `record-<n>` (1-based position). */
export function recordIds(records: readonly ExtractInput[]): string[] {
  const ids = records.map((r, i) => r.id ?? `record-${i + 1}`);
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) throw new RequestError(400, 'duplicate-id', `records[${i}]: record id '${id}' is repeated`);
    seen.add(id);
  });
  return ids;
}

/**
 * Extracts from one request's records, `batchSize` at a time through the model queue: a record with entities goes to
 * the relation model as it is; one without goes through NER first. Then assertions are set and the relations of
 * absent entities dropped (`applyAssertions`, as `emr-re extract`). Records come back in input order.
 */
export async function extractRecords(
  models: { ner: NerModel; relations: RelationExtractor },
  records: readonly ExtractInput[],
  settings: ExtractSettings,
  queue: WorkQueue,
  batchSize: number,
): Promise<EmrRecord[]> {
  const ids = recordIds(records);
  const out: EmrRecord[] = [];
  for (let start = 0; start < records.length; start += batchSize) {
    const batch = records.slice(start, start + batchSize).map((r, k) => ({ ...r, id: ids[start + k] }));
    out.push(...(await queue.run(() => extractBatch(models, batch, settings))));
  }
  return out;
}

async function extractBatch(
  models: { ner: NerModel; relations: RelationExtractor },
  batch: Array<ExtractInput & { id: string }>,
  settings: ExtractSettings,
): Promise<EmrRecord[]> {
  const raw = batch.filter((r) => r.entities === undefined);
  const recognised =
    raw.length === 0
      ? []
      : await models.ner.recognize(
          raw.map((r) => ({ id: r.id, text: r.text })),
          { minScore: settings.minEntityScore },
        );
  const byId = new Map(recognised.map((r) => [r.id, r]));
  const inputs = batch.map((r) =>
    r.entities === undefined ? byId.get(r.id)! : { id: r.id, text: r.text, entities: r.entities },
  );
  const predicted = await models.relations.predict(inputs, { minScore: settings.minRelationScore });
  return predicted
    .map((r) => ({ id: r.id, text: r.text, entities: r.entities, relations: r.relations }))
    .map((r) => applyAssertions(r, { assertions: settings.assertions }));
}
