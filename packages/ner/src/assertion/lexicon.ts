import * as fs from 'node:fs';
import { ASSERTION_VALUES, EmrReError, decodeText } from '@emr-re/tokenize';
import type { Assertion } from '@emr-re/tokenize';
import defaultLexicon from './lexicon.json';
import type { AssertionLexicon, AssertionTrigger } from './types';

/** An assertion lexicon file that cannot be used: unreadable, not JSON, or a field of the wrong shape. */
export class AssertionLexiconError extends EmrReError {
  constructor(source: string, reason: string) {
    super('ASSERTION_LEXICON', `${source}: ${reason}`);
  }
}

const DIRECTIONS = ['forward', 'backward'];
const SCOPES = ['clause', 'sentence'];
const LIST_FIELDS = ['targetTypes', 'pseudoTriggers', 'terminators', 'sentenceEnds', 'clauseEnds'] as const;

function stringList(value: unknown, field: string, source: string, single = false): string[] {
  if (!Array.isArray(value)) throw new AssertionLexiconError(source, `"${field}" must be an array of strings`);
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item === '')
      throw new AssertionLexiconError(source, `"${field}[${i}]" must be a non-empty string`);
    if (single && item.length !== 1)
      throw new AssertionLexiconError(source, `"${field}[${i}]" must be one character (got ${item.length})`);
  });
  return [...value] as string[];
}

function parseTrigger(value: unknown, field: string, source: string): AssertionTrigger {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AssertionLexiconError(source, `"${field}" must be an object`);
  const t = value as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (!['phrase', 'value', 'direction', 'scope', 'types'].includes(key))
      throw new AssertionLexiconError(source, `"${field}.${key}" is not a trigger field`);
  }
  if (typeof t.phrase !== 'string' || t.phrase === '')
    throw new AssertionLexiconError(source, `"${field}.phrase" must be a non-empty string`);
  const values: readonly Assertion[] = ASSERTION_VALUES.filter((v) => v !== 'present');
  if (!values.includes(t.value as Assertion))
    throw new AssertionLexiconError(source, `"${field}.value" must be one of ${values.join(', ')}`);
  if (!DIRECTIONS.includes(t.direction as string))
    throw new AssertionLexiconError(source, `"${field}.direction" must be forward or backward`);
  if (t.scope !== undefined && !SCOPES.includes(t.scope as string))
    throw new AssertionLexiconError(source, `"${field}.scope" must be clause or sentence`);
  const trigger: AssertionTrigger = {
    phrase: t.phrase,
    value: t.value as AssertionTrigger['value'],
    direction: t.direction as AssertionTrigger['direction'],
  };
  if (t.scope !== undefined) trigger.scope = t.scope as AssertionTrigger['scope'];
  if (t.types !== undefined) trigger.types = stringList(t.types, `${field}.types`, source);
  return trigger;
}

/**
 * Checks a parsed lexicon (JSON) and returns it typed. With `partial`, every field may be left out (a user file
 * that only adds triggers). A wrong field is an `AssertionLexiconError` naming `source` and the field.
 */
export function parseAssertionLexicon(json: unknown, source: string, partial = false): Partial<AssertionLexicon> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new AssertionLexiconError(source, 'must be a JSON object');
  const raw = json as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!['version', 'triggers', ...LIST_FIELDS].includes(key))
      throw new AssertionLexiconError(source, `"${key}" is not a lexicon field`);
  }
  if (raw.version !== 1) throw new AssertionLexiconError(source, `"version" must be 1 (got ${String(raw.version)})`);
  const lexicon: Partial<AssertionLexicon> = { version: 1 };
  if (raw.triggers !== undefined) {
    if (!Array.isArray(raw.triggers)) throw new AssertionLexiconError(source, '"triggers" must be an array');
    lexicon.triggers = raw.triggers.map((t, i) => parseTrigger(t, `triggers[${i}]`, source));
  }
  for (const field of LIST_FIELDS) {
    if (raw[field] !== undefined)
      lexicon[field] = stringList(raw[field], field, source, field === 'sentenceEnds' || field === 'clauseEnds');
  }
  if (!partial) {
    for (const field of ['triggers', ...LIST_FIELDS] as const) {
      if (lexicon[field] === undefined) throw new AssertionLexiconError(source, `"${field}" is missing`);
    }
  }
  return lexicon;
}

/** The lexicon shipped with the package (`src/assertion/lexicon.json`): a fresh copy the caller may change. */
export function defaultAssertionLexicon(): AssertionLexicon {
  return parseAssertionLexicon(defaultLexicon, 'lexicon.json') as AssertionLexicon;
}

/**
 * `base` extended by `extra`: the lists are joined (duplicates dropped); a trigger of `extra` whose phrase and
 * direction `base` already has replaces it, so a user can change what a shipped trigger does.
 */
export function mergeAssertionLexicons(base: AssertionLexicon, extra: Partial<AssertionLexicon>): AssertionLexicon {
  const key = (t: AssertionTrigger): string => `${t.direction}\u0000${t.phrase}`;
  const replaced = new Set((extra.triggers ?? []).map(key));
  const merged: AssertionLexicon = {
    ...base,
    triggers: [...base.triggers.filter((t) => !replaced.has(key(t))), ...(extra.triggers ?? [])],
  };
  for (const field of LIST_FIELDS) merged[field] = [...new Set([...base[field], ...(extra[field] ?? [])])];
  return merged;
}

/**
 * Reads a user's lexicon file (JSON, `"version": 1`, any of the lexicon's fields) and returns the shipped lexicon
 * extended by it (`mergeAssertionLexicons`), or, with `replace`, the file alone (then every field is required).
 */
export function loadAssertionLexicon(file: string, options: { replace?: boolean } = {}): AssertionLexicon {
  let text: string;
  try {
    text = decodeText(fs.readFileSync(file), { file });
  } catch (err) {
    if (err instanceof EmrReError) throw err;
    throw new AssertionLexiconError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AssertionLexiconError(file, `not JSON (${(err as Error).message})`);
  }
  if (options.replace) return parseAssertionLexicon(json, file) as AssertionLexicon;
  return mergeAssertionLexicons(defaultAssertionLexicon(), parseAssertionLexicon(json, file, true));
}
