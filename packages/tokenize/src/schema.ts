import * as fs from 'node:fs';
import * as path from 'node:path';
import { SchemaError } from './errors';
import { decodeText } from './encoding';
import { UNKNOWN_LABEL } from './types';
import type { LabelMapping, Schema, SchemaPair, SourceMapping } from './types';

/** Names of the schemas shipped with the package (`schemas/<name>.json`). */
export const BUILTIN_SCHEMAS: readonly string[] = ['paper', 'cmeie'];

const TOP_LEVEL_KEYS = ['version', 'name', 'description', 'entityTypes', 'pairs', 'mappings'];
const PAIR_KEYS = ['head', 'tail', 'labels', 'category'];
const MAPPING_KEYS = ['types', 'labels'];
const LABEL_MAPPING_KEYS = ['label', 'swap'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(source: string, field: string, reason: string): never {
  throw new SchemaError(`${source}: field ${field}: ${reason}`);
}

function checkKeys(obj: Record<string, unknown>, allowed: string[], source: string, field: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      fail(source, field === '' ? key : `${field}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
}

function nonEmptyString(value: unknown, source: string, field: string): string {
  if (value === undefined) fail(source, field, 'is missing');
  if (typeof value !== 'string' || value.trim() === '') fail(source, field, 'must be a non-empty string');
  return value;
}

/**
 * Checks that `obj` is a valid schema and returns it as a `Schema` (unknown fields are refused, `description`
 * is accepted and dropped). Errors are `SchemaError`s naming `source` and the field, e.g. `pairs[2].head`.
 */
export function validateSchema(obj: unknown, source: string): Schema {
  if (!isPlainObject(obj)) throw new SchemaError(`${source}: a schema must be a JSON object`);
  checkKeys(obj, TOP_LEVEL_KEYS, source, '');
  if (obj.version !== 1) fail(source, 'version', `must be 1, got ${JSON.stringify(obj.version) ?? 'nothing'}`);
  const name = nonEmptyString(obj.name, source, 'name');
  if (obj.description !== undefined && typeof obj.description !== 'string')
    fail(source, 'description', 'must be a string');

  if (!Array.isArray(obj.entityTypes) || obj.entityTypes.length === 0)
    fail(source, 'entityTypes', 'must be a non-empty array of strings');
  const entityTypes: string[] = [];
  obj.entityTypes.forEach((t: unknown, i: number) => {
    const type = nonEmptyString(t, source, `entityTypes[${i}]`);
    if (entityTypes.includes(type)) fail(source, `entityTypes[${i}]`, `duplicate entity type "${type}"`);
    entityTypes.push(type);
  });

  if (!Array.isArray(obj.pairs)) fail(source, 'pairs', 'must be an array');
  const pairs: SchemaPair[] = [];
  const seenPairs = new Set<string>();
  obj.pairs.forEach((p: unknown, i: number) => {
    const field = `pairs[${i}]`;
    if (!isPlainObject(p)) fail(source, field, 'must be an object {head, tail, labels}');
    checkKeys(p, PAIR_KEYS, source, field);
    const head = nonEmptyString(p.head, source, `${field}.head`);
    const tail = nonEmptyString(p.tail, source, `${field}.tail`);
    if (!entityTypes.includes(head)) fail(source, `${field}.head`, `"${head}" is not one of entityTypes`);
    if (!entityTypes.includes(tail)) fail(source, `${field}.tail`, `"${tail}" is not one of entityTypes`);
    const key = `${head}\u0000${tail}`;
    if (seenPairs.has(key)) fail(source, field, `duplicate pair ${head} → ${tail} (list all its labels in one pair)`);
    seenPairs.add(key);
    if (!Array.isArray(p.labels) || p.labels.length === 0)
      fail(source, `${field}.labels`, 'must be a non-empty array of strings');
    const labels: string[] = [];
    p.labels.forEach((l: unknown, j: number) => {
      const label = nonEmptyString(l, source, `${field}.labels[${j}]`);
      if (label === UNKNOWN_LABEL)
        fail(source, `${field}.labels[${j}]`, `"${UNKNOWN_LABEL}" is reserved for pairs in no relation`);
      if (labels.includes(label)) fail(source, `${field}.labels[${j}]`, `duplicate label "${label}"`);
      labels.push(label);
    });
    const pair: SchemaPair = { head, tail, labels };
    if (p.category !== undefined) pair.category = nonEmptyString(p.category, source, `${field}.category`);
    pairs.push(pair);
  });
  const allLabels = new Set(pairs.flatMap((p) => p.labels));

  const schema: Schema = { version: 1, name, entityTypes, pairs };
  if (obj.mappings !== undefined) {
    if (!isPlainObject(obj.mappings)) fail(source, 'mappings', 'must be an object keyed by source format');
    const mappings: Record<string, SourceMapping> = {};
    for (const [format, m] of Object.entries(obj.mappings)) {
      const field = `mappings.${format}`;
      if (!isPlainObject(m)) fail(source, field, 'must be an object {types?, labels?}');
      checkKeys(m, MAPPING_KEYS, source, field);
      const mapping: SourceMapping = {};
      if (m.types !== undefined) {
        if (!isPlainObject(m.types)) fail(source, `${field}.types`, 'must be an object {sourceType: schemaType}');
        const types: Record<string, string> = {};
        for (const [from, to] of Object.entries(m.types)) {
          const target = nonEmptyString(to, source, `${field}.types.${from}`);
          if (!entityTypes.includes(target))
            fail(source, `${field}.types.${from}`, `"${target}" is not one of entityTypes`);
          types[from] = target;
        }
        mapping.types = types;
      }
      if (m.labels !== undefined) {
        if (!isPlainObject(m.labels))
          fail(source, `${field}.labels`, 'must be an object {sourceLabel: {label, swap?}}');
        const labels: Record<string, LabelMapping> = {};
        for (const [from, to] of Object.entries(m.labels)) {
          const lf = `${field}.labels.${from}`;
          if (!isPlainObject(to)) fail(source, lf, 'must be an object {label, swap?}');
          checkKeys(to, LABEL_MAPPING_KEYS, source, lf);
          const label = nonEmptyString(to.label, source, `${lf}.label`);
          if (!allLabels.has(label)) fail(source, `${lf}.label`, `"${label}" is not a label of any pair`);
          if (to.swap !== undefined && typeof to.swap !== 'boolean')
            fail(source, `${lf}.swap`, 'must be true or false');
          labels[from] = to.swap ? { label, swap: true } : { label };
        }
        mapping.labels = labels;
      }
      mappings[format] = mapping;
    }
    schema.mappings = mappings;
  }
  return schema;
}

/** The file a schema name or path refers to: a built-in name → the shipped JSON file, otherwise the path itself. */
export function schemaFile(nameOrPath: string): string {
  if (BUILTIN_SCHEMAS.includes(nameOrPath)) return path.join(__dirname, '..', 'schemas', `${nameOrPath}.json`);
  return nameOrPath;
}

function parseSchemaText(text: string, file: string): Schema {
  let obj: unknown;
  try {
    obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new SchemaError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateSchema(obj, file);
}

function readFailure(file: string, err: unknown): SchemaError {
  const code = (err as NodeJS.ErrnoException).code;
  const builtins = BUILTIN_SCHEMAS.map((s) => `'${s}'`).join(', ');
  return new SchemaError(
    `${file}: cannot read schema (${code ?? (err as Error).message}); give ${builtins} or a JSON file`,
  );
}

/** Loads and validates a schema: `'paper'`, `'cmeie'` or the path of a JSON schema file. */
export async function loadSchema(nameOrPath: string): Promise<Schema> {
  const file = schemaFile(nameOrPath);
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw readFailure(file, err);
  }
  return parseSchemaText(decodeText(bytes, { file }), file);
}

/** Synchronous `loadSchema`. */
export function loadSchemaSync(nameOrPath: string): Schema {
  const file = schemaFile(nameOrPath);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw readFailure(file, err);
  }
  return parseSchemaText(decodeText(bytes, { file }), file);
}

/** The classifier's output labels under a schema: `[UNKNOWN_LABEL, ...every distinct label, sorted]`. */
export function schemaLabels(schema: Schema): string[] {
  const labels = new Set<string>();
  for (const pair of schema.pairs) for (const label of pair.labels) labels.add(label);
  return [UNKNOWN_LABEL, ...[...labels].sort()];
}

/** Fast lookups into a schema (built once per schema object and cached). */
export interface SchemaIndex {
  readonly schema: Schema;
  /** Allowed labels of the ordered type pair, or undefined when the pair is not allowed. */
  pairLabels(headType: string, tailType: string): ReadonlySet<string> | undefined;
  hasType(type: string): boolean;
  /** Maps a source type through `mappings[format].types`; a type absent there is kept only if the schema lists it. */
  mapType(format: string, type: string): string | undefined;
  /** Maps a source label through `mappings[format].labels`; a label absent there is kept only if some pair allows it. */
  mapLabel(format: string, label: string): LabelMapping | undefined;
}

const indexCache = new WeakMap<Schema, SchemaIndex>();

/** The cached `SchemaIndex` of `schema`. */
export function schemaIndex(schema: Schema): SchemaIndex {
  const cached = indexCache.get(schema);
  if (cached) return cached;
  const pairs = new Map<string, Set<string>>();
  for (const p of schema.pairs) {
    const key = `${p.head}\u0000${p.tail}`;
    const set = pairs.get(key) ?? new Set<string>();
    for (const l of p.labels) set.add(l);
    pairs.set(key, set);
  }
  const types = new Set(schema.entityTypes);
  const labels = new Set(schema.pairs.flatMap((p) => p.labels));
  // Maps, not the mapping objects themselves, so that source names like "constructor" cannot hit prototype members.
  const typeMaps = new Map<string, Map<string, string>>();
  const labelMaps = new Map<string, Map<string, LabelMapping>>();
  for (const [format, m] of Object.entries(schema.mappings ?? {})) {
    typeMaps.set(format, new Map(Object.entries(m.types ?? {})));
    labelMaps.set(format, new Map(Object.entries(m.labels ?? {})));
  }
  const index: SchemaIndex = {
    schema,
    pairLabels: (h, t) => pairs.get(`${h}\u0000${t}`),
    hasType: (t) => types.has(t),
    mapType: (format, type) => typeMaps.get(format)?.get(type) ?? (types.has(type) ? type : undefined),
    mapLabel: (format, label) => labelMaps.get(format)?.get(label) ?? (labels.has(label) ? { label } : undefined),
  };
  indexCache.set(schema, index);
  return index;
}
