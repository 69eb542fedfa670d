import { RecordFormatError } from './errors';
import type { SourceLocation } from './errors';
import { unitToCodePointOffsets } from './offsets';
import { parseJsonLine } from './records';
import type { LineLocation } from './records';
import { schemaIndex } from './schema';
import { ASSERTION_VALUES } from './types';
import type { Assertion, EmrRecord, Entity, Relation, Schema } from './types';

/** The part of the EMR relation corpus a document belongs to. */
export type EmrSplit = 'train' | 'test';

/** Every `EmrSplit`, for validation. */
export const EMR_SPLITS: readonly EmrSplit[] = ['train', 'test'];

/**
 * A span in CCKS 2017 offsets, exactly the `start` and `end` columns of the gold entity line in `NAME.txt`:
 * 0-based code points, `end` inclusive.
 */
export type CcksSpan = [start: number, end: number];

/** A labelled pair of gold entities, head → tail. */
export interface EmrRelationAnnotation {
  head: CcksSpan;
  tail: CcksSpan;
  label: string;
}

/** The assertion of one gold disease, symptom or treatment entity. */
export interface EmrAssertionAnnotation {
  span: CcksSpan;
  value: Assertion;
}

/**
 * One line of `corpus/emr-relations/annotations.jsonl`: stand-off labels of one CCKS 2017 document (no text).
 * Every allowed pair of gold entities not listed in `relations` is in no relation.
 */
export interface EmrAnnotation {
  /** `<folder>/<name>`: the document `<ccks dir>/<folder>/<name>.txtoriginal.txt`. */
  record: string;
  relations: EmrRelationAnnotation[];
  assertions: EmrAssertionAnnotation[];
  split: EmrSplit;
  /** Who annotated it (a short id such as "A"). */
  annotator: string;
}

/** The entity types that carry an assertion by default (the paper schema's names). */
export const ASSERTED_TYPES: readonly string[] = ['disease', 'symptom', 'treatment'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(at: SourceLocation, field: string, problem: RecordFormatError['problem'], reason: string): never {
  throw new RecordFormatError({ ...at, field }, problem, reason);
}

function parseSpan(value: unknown, at: SourceLocation, field: string): CcksSpan {
  if (value === undefined) fail(at, field, 'missing-field', 'is missing');
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)
  )
    fail(at, field, 'wrong-type', 'must be [start, end], two non-negative integers (CCKS offsets, end inclusive)');
  const [start, end] = value as number[];
  if (end < start) fail(at, field, 'bad-offset', `end ${end} is before start ${start}`);
  return [start, end];
}

function parseArray(obj: Json, key: string, at: SourceLocation): unknown[] {
  const value = obj[key];
  if (value === undefined) fail(at, key, 'missing-field', 'is missing');
  if (!Array.isArray(value)) fail(at, key, 'wrong-type', 'must be an array');
  return value;
}

function parseString(obj: Json, key: string, at: SourceLocation, field = key): string {
  const value = obj[key];
  if (value === undefined) fail(at, field, 'missing-field', 'is missing');
  if (typeof value !== 'string' || value === '') fail(at, field, 'wrong-type', 'must be a non-empty string');
  return value;
}

/**
 * Parses one line of an EMR annotation file. Checks the shape only (record id `<folder>/<name>` without `..`,
 * spans `[start, end]`, labels, assertion values, split, annotator); `annotateEmrRecord` checks the spans
 * against the document's gold entities. Errors are `RecordFormatError`s naming file, line, record and field.
 */
export function parseEmrAnnotationLine(line: string, loc: LineLocation): EmrAnnotation {
  const base: SourceLocation = { file: loc.file, line: loc.line };
  const obj = parseJsonLine(line, base);
  if (!isObject(obj)) fail(base, 'record', 'wrong-type', 'an annotation line must be a JSON object');
  const record = parseString(obj, 'record', base);
  const at: SourceLocation = { ...base, recordId: record };
  const parts = record.split('/');
  if (parts.length !== 2 || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\')))
    fail(at, 'record', 'wrong-type', 'must be "<folder>/<name>" of a CCKS 2017 document');
  const relations = parseArray(obj, 'relations', at).map((raw, i) => {
    const f = `relations[${i}]`;
    if (!isObject(raw)) fail(at, f, 'wrong-type', 'must be an object {head, tail, label}');
    return {
      head: parseSpan(raw.head, at, `${f}.head`),
      tail: parseSpan(raw.tail, at, `${f}.tail`),
      label: parseString(raw, 'label', at, `${f}.label`),
    };
  });
  const assertions = parseArray(obj, 'assertions', at).map((raw, i) => {
    const f = `assertions[${i}]`;
    if (!isObject(raw)) fail(at, f, 'wrong-type', 'must be an object {span, value}');
    const value = raw.value;
    if (typeof value !== 'string' || !(ASSERTION_VALUES as readonly string[]).includes(value))
      fail(at, `${f}.value`, 'wrong-type', `must be one of ${ASSERTION_VALUES.join(', ')}`);
    return { span: parseSpan(raw.span, at, `${f}.span`), value: value as Assertion };
  });
  const split = obj.split;
  if (typeof split !== 'string' || !(EMR_SPLITS as readonly string[]).includes(split))
    fail(at, 'split', 'wrong-type', `must be one of ${EMR_SPLITS.join(', ')}`);
  const annotator = parseString(obj, 'annotator', at);
  return { record, relations, assertions, split: split as EmrSplit, annotator };
}

/** How `annotateEmrRecord` checks an annotation. */
export interface AnnotateOptions {
  /** The schema whose pairs the relation labels must fit (entity types of `record` are this schema's). */
  schema: Schema;
  /** Types whose every entity must have exactly one assertion (default `ASSERTED_TYPES`). */
  assertedTypes?: readonly string[];
  /** Where the annotation line is, for errors. */
  location?: LineLocation;
}

/**
 * Puts an annotation onto the record of its document (entities from the gold entity file, types in the schema):
 * every span must be a gold entity (else a `RecordFormatError` naming record and field, e.g. `relations[3].tail`),
 * every label must be allowed for its head and tail types, no pair may be labelled twice, and every entity of an
 * asserted type must have exactly one assertion (and no other entity any). Returns a copy with `relations` by
 * entity id and each asserted entity's `assertion` set.
 */
export function annotateEmrRecord(record: EmrRecord, annotation: EmrAnnotation, options: AnnotateOptions): EmrRecord {
  const at: SourceLocation = {
    file: options.location?.file,
    line: options.location?.line,
    recordId: annotation.record,
  };
  const index = schemaIndex(options.schema);
  const asserted = new Set(options.assertedTypes ?? ASSERTED_TYPES);
  const toPoint = unitToCodePointOffsets(record.text);
  const entities: Entity[] = record.entities.map((e) => {
    const copy = { ...e };
    delete copy.assertion; // the annotation is the only source of assertions here
    return copy;
  });
  const bySpan = new Map<string, Entity[]>();
  for (const e of entities) {
    const key = `${toPoint(e.start)}:${toPoint(e.end) - 1}`;
    bySpan.set(key, [...(bySpan.get(key) ?? []), e]);
  }
  const entitiesAt = (span: CcksSpan, field: string): Entity[] => {
    const found = bySpan.get(`${span[0]}:${span[1]}`);
    if (found === undefined)
      fail(at, field, 'bad-offset', `no gold entity at ${span[0]}..${span[1]} (CCKS offsets, end inclusive)`);
    return found;
  };

  const relations: Relation[] = [];
  const labelled = new Set<string>();
  annotation.relations.forEach((r, i) => {
    const f = `relations[${i}]`;
    const heads = entitiesAt(r.head, `${f}.head`);
    const tails = entitiesAt(r.tail, `${f}.tail`);
    // A span holds one entity per type; the label's schema pair says which pair of types is meant.
    const fits = heads.flatMap((h) =>
      tails.filter((t) => index.pairLabels(h.type, t.type)?.has(r.label)).map((t) => [h, t]),
    );
    if (fits.length !== 1) {
      const types = `${heads.map((h) => h.type).join('/')} → ${tails.map((t) => t.type).join('/')}`;
      fail(at, `${f}.label`, 'wrong-type', `"${r.label}" is not a label of ${types} in schema ${index.schema.name}`);
    }
    const [head, tail] = fits[0];
    if (labelled.has(`${head.id}>${tail.id}`)) fail(at, f, 'duplicate-id', 'this pair is labelled twice');
    labelled.add(`${head.id}>${tail.id}`);
    relations.push({ head: head.id, tail: tail.id, label: r.label });
  });

  annotation.assertions.forEach((a, i) => {
    const f = `assertions[${i}]`;
    const targets = entitiesAt(a.span, `${f}.span`).filter((e) => asserted.has(e.type));
    if (targets.length === 0)
      fail(at, `${f}.span`, 'wrong-type', `the entity at ${a.span[0]}..${a.span[1]} is of a type without assertions`);
    for (const e of targets) {
      if (e.assertion !== undefined) fail(at, `${f}.span`, 'duplicate-id', 'this entity has two assertions');
      e.assertion = a.value;
    }
  });
  const missing = entities.find((e) => asserted.has(e.type) && e.assertion === undefined);
  if (missing !== undefined)
    fail(
      at,
      'assertions',
      'missing-field',
      `the ${missing.type} at ${toPoint(missing.start)}..${toPoint(missing.end) - 1} has no assertion`,
    );
  return { ...record, entities, relations };
}
