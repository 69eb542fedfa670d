import type { EmrRecord, Entity } from '@emr-re/tokenize';
import { RequestError } from './errors';

/**
 * The records of `POST /v1/graph/add` made whole for the store: every entity's offsets checked against its record's
 * text (a 400 naming `records[i].entities[j]` otherwise) and its `text` taken from them when the request left it out,
 * as the entity schema promises. Errors name positions and ids, never text.
 */
export function withEntityTexts(records: readonly EmrRecord[]): EmrRecord[] {
  return records.map((record, i) => ({
    ...record,
    entities: record.entities.map((entity, j): Entity => {
      const { start, end } = entity;
      if (end <= start || end > record.text.length) {
        throw new RequestError(
          400,
          'bad-offsets',
          `records[${i}].entities[${j}] (record '${record.id}', entity '${entity.id}'): offsets [${start}, ${end}) ` +
            `do not lie in the text of length ${record.text.length}`,
        );
      }
      return entity.text === undefined ? { ...entity, text: record.text.slice(start, end) } : entity;
    }),
  }));
}
