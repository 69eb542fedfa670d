import { RecordFormatError } from './errors';
import type { SourceLocation } from './errors';
import { splitsSurrogatePair } from './offsets';
import { schemaIndex } from './schema';
import type { ReadStats } from './stats';
import { ASSERTION_VALUES } from './types';
import type { Assertion, EmrRecord, Entity, Relation, Schema } from './types';

/** Where a line sits: the file (for messages) and its 1-based line number. */
export interface LineLocation {
  file?: string;
  line: number;
}

/** Options of the pure record parsers. */
export interface ParseOptions {
  /** Map types and labels onto this schema (`schema.mappings[format]`). */
  schema?: Schema;
  /** Counters to update (dropped entities and relations, missing mentions). */
  stats?: ReadStats;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse, failing with a `RecordFormatError` whose message never quotes the line (it is patient data). */
export function parseJsonLine(line: string, loc: SourceLocation): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    const where = at ? ` (at character ${Number(at[1]) + 1})` : '';
    throw new RecordFormatError(loc, 'malformed-json', `line is not valid JSON${where}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Reads field `key` of `obj` as a string; missing or ill-typed → `RecordFormatError`. */
export function requireString(
  obj: Json,
  key: string,
  loc: SourceLocation,
  field: string,
  options: { nonEmpty?: boolean } = {},
): string {
  const value = obj[key];
  if (value === undefined) throw new RecordFormatError({ ...loc, field }, 'missing-field', 'is missing');
  if (typeof value !== 'string')
    throw new RecordFormatError({ ...loc, field }, 'wrong-type', `must be a string, got ${describe(value)}`);
  if (options.nonEmpty && value === '')
    throw new RecordFormatError({ ...loc, field }, 'wrong-type', 'must not be empty');
  return value;
}

function requireOffset(obj: Json, key: string, loc: SourceLocation, field: string): number {
  const value = obj[key];
  if (value === undefined) throw new RecordFormatError({ ...loc, field }, 'missing-field', 'is missing');
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new RecordFormatError({ ...loc, field }, 'wrong-type', `must be an integer offset, got ${describe(value)}`);
  }
  return value;
}

const SPLIT_SURROGATE = (offset: number): string =>
  `offset ${offset} splits a surrogate pair (a character outside the BMP takes 2 UTF-16 code units; offsets count code units)`;

/**
 * Parses and validates one line of canonical JSONL (`{"id","text","entities","relations"}`; `relations` may be
 * omitted and then is empty). Checks field types, offsets inside the text and not splitting a surrogate pair,
 * `entity.text === text.slice(start,end)`, unique entity ids, relations naming existing entities and, with a
 * schema, that every (mapped) entity type is in the schema. Relations whose label the schema does not know are dropped (counted in `stats.droppedRelations`).
 * An entity's optional `score` (finite number) and `assertion` (one of `ASSERTION_VALUES`) are kept.
 * Throws `RecordFormatError` naming file, line, record id and field, e.g. `gold.jsonl:2: record r1: field entities[1].end`.
 */
export function parseRecordLine(line: string, loc: LineLocation, options: ParseOptions = {}): EmrRecord {
  const base: SourceLocation = { file: loc.file, line: loc.line };
  const obj = parseJsonLine(line, base);
  if (!isObject(obj))
    throw new RecordFormatError(base, 'wrong-type', `a record must be a JSON object, got ${describe(obj)}`);
  const id = requireString(obj, 'id', base, 'id', { nonEmpty: true });
  const at: SourceLocation = { ...base, recordId: id };
  const text = requireString(obj, 'text', at, 'text');
  const index = options.schema ? schemaIndex(options.schema) : undefined;

  const rawEntities = obj.entities;
  if (rawEntities === undefined)
    throw new RecordFormatError({ ...at, field: 'entities' }, 'missing-field', 'is missing');
  if (!Array.isArray(rawEntities))
    throw new RecordFormatError(
      { ...at, field: 'entities' },
      'wrong-type',
      `must be an array, got ${describe(rawEntities)}`,
    );
  const entities: Entity[] = [];
  const ids = new Set<string>();
  rawEntities.forEach((raw: unknown, i: number) => {
    const f = `entities[${i}]`;
    if (!isObject(raw))
      throw new RecordFormatError({ ...at, field: f }, 'wrong-type', `must be an object, got ${describe(raw)}`);
    const entityId = requireString(raw, 'id', at, `${f}.id`, { nonEmpty: true });
    if (ids.has(entityId))
      throw new RecordFormatError({ ...at, field: `${f}.id` }, 'duplicate-id', `entity id "${entityId}" is used twice`);
    ids.add(entityId);
    let type = requireString(raw, 'type', at, `${f}.type`, { nonEmpty: true });
    const start = requireOffset(raw, 'start', at, `${f}.start`);
    const end = requireOffset(raw, 'end', at, `${f}.end`);
    const entityText = requireString(raw, 'text', at, `${f}.text`);
    if (start < 0 || start >= text.length) {
      throw new RecordFormatError(
        { ...at, field: `${f}.start` },
        'bad-offset',
        `offset ${start} is outside the text (length ${text.length})`,
      );
    }
    if (end > text.length)
      throw new RecordFormatError(
        { ...at, field: `${f}.end` },
        'bad-offset',
        `offset ${end} is outside the text (length ${text.length})`,
      );
    if (end <= start)
      throw new RecordFormatError(
        { ...at, field: `${f}.end` },
        'bad-offset',
        `end ${end} must be greater than start ${start}`,
      );
    for (const [offset, name] of [
      [start, 'start'],
      [end, 'end'],
    ] as const) {
      if (splitsSurrogatePair(text, offset))
        throw new RecordFormatError({ ...at, field: `${f}.${name}` }, 'bad-offset', SPLIT_SURROGATE(offset));
    }
    if (text.slice(start, end) !== entityText) {
      throw new RecordFormatError(
        { ...at, field: `${f}.text` },
        'mention-mismatch',
        `does not equal text.slice(${start}, ${end})`,
      );
    }
    if (index) {
      const mapped = index.mapType('jsonl', type);
      if (mapped === undefined)
        throw new RecordFormatError(
          { ...at, field: `${f}.type` },
          'unknown-type',
          `type "${type}" is not in schema ${index.schema.name}`,
        );
      type = mapped;
    }
    const entity: Entity = { id: entityId, type, start, end, text: entityText };
    const entityScore = raw.score;
    if (entityScore !== undefined) {
      if (typeof entityScore !== 'number' || !Number.isFinite(entityScore))
        throw new RecordFormatError(
          { ...at, field: `${f}.score` },
          'wrong-type',
          `must be a finite number, got ${describe(entityScore)}`,
        );
      entity.score = entityScore;
    }
    const assertion = raw.assertion;
    if (assertion !== undefined) {
      if (typeof assertion !== 'string' || !(ASSERTION_VALUES as readonly string[]).includes(assertion))
        throw new RecordFormatError(
          { ...at, field: `${f}.assertion` },
          'wrong-type',
          `must be one of ${ASSERTION_VALUES.join(', ')}`,
        );
      entity.assertion = assertion as Assertion;
    }
    entities.push(entity);
  });

  const rawRelations = obj.relations ?? [];
  if (!Array.isArray(rawRelations))
    throw new RecordFormatError(
      { ...at, field: 'relations' },
      'wrong-type',
      `must be an array, got ${describe(rawRelations)}`,
    );
  const relations: Relation[] = [];
  rawRelations.forEach((raw: unknown, i: number) => {
    const f = `relations[${i}]`;
    if (!isObject(raw))
      throw new RecordFormatError({ ...at, field: f }, 'wrong-type', `must be an object, got ${describe(raw)}`);
    let head = requireString(raw, 'head', at, `${f}.head`, { nonEmpty: true });
    let tail = requireString(raw, 'tail', at, `${f}.tail`, { nonEmpty: true });
    let label = requireString(raw, 'label', at, `${f}.label`, { nonEmpty: true });
    if (!ids.has(head))
      throw new RecordFormatError(
        { ...at, field: `${f}.head` },
        'dangling-relation',
        `names entity "${head}", which the record does not have`,
      );
    if (!ids.has(tail))
      throw new RecordFormatError(
        { ...at, field: `${f}.tail` },
        'dangling-relation',
        `names entity "${tail}", which the record does not have`,
      );
    const score = raw.score;
    if (score !== undefined && (typeof score !== 'number' || !Number.isFinite(score))) {
      throw new RecordFormatError(
        { ...at, field: `${f}.score` },
        'wrong-type',
        `must be a finite number, got ${describe(score)}`,
      );
    }
    if (index) {
      const mapped = index.mapLabel('jsonl', label);
      if (mapped === undefined) {
        if (options.stats) options.stats.droppedRelations++;
        return;
      }
      label = mapped.label;
      if (mapped.swap) [head, tail] = [tail, head];
    }
    const relation: Relation = { head, tail, label };
    if (typeof score === 'number') relation.score = score;
    relations.push(relation);
  });
  return { id, text, entities, relations };
}

/** The canonical JSON line of a record (fixed key order, no trailing newline). */
export function formatRecordLine(record: EmrRecord): string {
  return JSON.stringify({
    id: record.id,
    text: record.text,
    entities: record.entities.map((e) => {
      const line: Record<string, unknown> = { id: e.id, type: e.type, start: e.start, end: e.end, text: e.text };
      if (e.score !== undefined) line.score = e.score;
      if (e.assertion !== undefined) line.assertion = e.assertion;
      return line;
    }),
    relations: record.relations.map((r) =>
      r.score === undefined
        ? { head: r.head, tail: r.tail, label: r.label }
        : { head: r.head, tail: r.tail, label: r.label, score: r.score },
    ),
  });
}
