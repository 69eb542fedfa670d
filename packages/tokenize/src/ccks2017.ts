import { RecordFormatError } from './errors';
import type { SourceLocation } from './errors';
import { codePointToUnitOffsets } from './offsets';
import type { ParseOptions } from './records';
import { schemaIndex } from './schema';
import type { EmrRecord, Entity } from './types';

/** Where a CCKS 2017 record comes from: its entity file (named in errors) and the record id. */
export interface CcksLocation {
  /** The entity file `NAME.txt`. */
  file?: string;
  recordId: string;
}

/**
 * Builds a record from a CCKS 2017 CNER pair: the raw text (`NAME.txtoriginal.txt`, kept byte for byte,
 * CRLF included, since offsets count it) and the entity file (`NAME.txt`): one `mention<TAB>start<TAB>end<TAB>type`
 * a line, 0-based code point offsets, `end` inclusive. Each mention must equal the text at its offsets, else a
 * `RecordFormatError` names the entity file, line and field (`start`, `end`, `mention`, `type`). Entities are
 * deduplicated by (start, end, type) and numbered e0, e1, ... by start offset. With a schema, types go through
 * `schema.mappings.ccks2017` and entities of unknown types are dropped (counted in `stats.droppedEntities`).
 */
export function parseCcks2017Record(
  text: string,
  entityFile: string,
  loc: CcksLocation,
  options: ParseOptions = {},
): EmrRecord {
  const index = options.schema ? schemaIndex(options.schema) : undefined;
  const toUnit = codePointToUnitOffsets(text);
  const found = new Map<string, Omit<Entity, 'id'>>();
  const lines = entityFile.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const at: SourceLocation = { file: loc.file, line: i + 1, recordId: loc.recordId };
    const fields = line.split('\t');
    if (fields.length !== 4) {
      throw new RecordFormatError(
        at,
        'malformed-line',
        `expected 4 tab-separated fields (mention, start, end, type), got ${fields.length}`,
      );
    }
    const [mention, startField, endField, sourceType] = fields;
    if (!/^\d+$/.test(startField))
      throw new RecordFormatError({ ...at, field: 'start' }, 'wrong-type', 'must be a non-negative integer');
    if (!/^\d+$/.test(endField))
      throw new RecordFormatError({ ...at, field: 'end' }, 'wrong-type', 'must be a non-negative integer');
    if (sourceType.trim() === '') throw new RecordFormatError({ ...at, field: 'type' }, 'missing-field', 'is empty');
    const start = toUnit(Number(startField));
    const end = toUnit(Number(endField) + 1); // CCKS `end` is inclusive
    if (start >= text.length)
      throw new RecordFormatError({ ...at, field: 'start' }, 'bad-offset', `offset ${startField} is outside the text`);
    if (end > text.length)
      throw new RecordFormatError({ ...at, field: 'end' }, 'bad-offset', `offset ${endField} is outside the text`);
    if (end <= start)
      throw new RecordFormatError(
        { ...at, field: 'end' },
        'bad-offset',
        `end ${endField} is before start ${startField}`,
      );
    if (text.slice(start, end) !== mention) {
      throw new RecordFormatError(
        { ...at, field: 'mention' },
        'mention-mismatch',
        `does not equal the text at ${startField}..${endField} (end inclusive)`,
      );
    }
    const type = index ? index.mapType('ccks2017', sourceType) : sourceType;
    if (type === undefined) {
      if (options.stats) options.stats.droppedEntities++;
      return;
    }
    const key = `${start}:${end}:${type}`;
    if (!found.has(key)) found.set(key, { type, start, end, text: mention });
  });
  const entities: Entity[] = [...found.values()]
    .sort((a, b) => a.start - b.start || a.end - b.end || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
    .map((e, n) => ({ id: `e${n}`, ...e }));
  return { id: loc.recordId, text, entities, relations: [] };
}
