import { RecordFormatError } from './errors';
import type { SourceLocation } from './errors';
import { parseJsonLine, requireString } from './records';
import type { LineLocation, ParseOptions } from './records';
import { schemaIndex } from './schema';
import { sentenceOf, splitSentences } from './sentences';
import type { EmrRecord, Entity, Relation, Sentence } from './types';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every start offset of `needle` in `text`, overlapping occurrences included. */
export function occurrences(text: string, needle: string): number[] {
  const starts: number[] = [];
  if (needle === '') return starts;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) starts.push(at);
  return starts;
}

/** A located (subject, object) mention pair. */
export interface MentionPair {
  subjectStart: number;
  objectStart: number;
}

/**
 * Chooses where a CMeIE triple's subject and object strings sit in the text, among all their occurrences:
 * first pairs whose spans do not overlap, then pairs in the same sentence, then the smallest gap between the
 * two spans, then the earliest subject, then the earliest object. Returns undefined when either string does
 * not occur in the text.
 */
export function locateMentionPair(
  text: string,
  subject: string,
  object: string,
  sentences: readonly Sentence[] = splitSentences(text),
): MentionPair | undefined {
  const subjects = occurrences(text, subject);
  const objects = occurrences(text, object);
  if (subjects.length === 0 || objects.length === 0) return undefined;
  let best: MentionPair | undefined;
  let bestKey: number[] = [];
  for (const s of subjects) {
    const se = s + subject.length;
    const ss = sentenceOf(sentences, s, se);
    for (const o of objects) {
      const oe = o + object.length;
      const overlap = s < oe && o < se ? 1 : 0;
      const os = sentenceOf(sentences, o, oe);
      const sameSentence = ss !== -1 && ss === os ? 0 : 1;
      const gap = Math.max(0, Math.max(s, o) - Math.min(se, oe));
      const key = [overlap, sameSentence, gap];
      if (best === undefined || lexLess(key, bestKey)) {
        best = { subjectStart: s, objectStart: o };
        bestKey = key;
      }
    }
  }
  return best;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** A string field that CMeIE writes either plainly or as `{"@value": "..."}`. */
function valueString(obj: Json, key: string, at: SourceLocation, field: string): string {
  const value = obj[key];
  if (isObject(value)) return requireString(value, '@value', at, `${field}.@value`);
  return requireString(obj, key, at, field);
}

/**
 * Parses one CMeIE line `{"text","spo_list":[{"predicate","subject","subject_type","object":{"@value"},
 * "object_type":{"@value"}}]}` into a record with id `cmeie-<line>`. Subject and object strings are located
 * with `locateMentionPair`; a triple whose string does not occur in the text is dropped and counted in
 * `stats.missingMentions`. Entities are deduplicated by (start, end, type) and numbered e0, e1, ... by start
 * offset. With a schema, types and labels go through `schema.mappings.cmeie` (a `swap` label makes the object
 * the head); entities of unknown types and relations with unmapped labels are dropped and counted.
 */
export function parseCmeieLine(line: string, loc: LineLocation, options: ParseOptions = {}): EmrRecord {
  const id = `cmeie-${loc.line}`;
  const at: SourceLocation = { file: loc.file, line: loc.line, recordId: id };
  const obj = parseJsonLine(line, at);
  if (!isObject(obj)) throw new RecordFormatError(at, 'wrong-type', 'a CMeIE line must be a JSON object');
  const text = requireString(obj, 'text', at, 'text');
  const spoList = obj.spo_list ?? [];
  if (!Array.isArray(spoList))
    throw new RecordFormatError({ ...at, field: 'spo_list' }, 'wrong-type', 'must be an array');
  const index = options.schema ? schemaIndex(options.schema) : undefined;
  const stats = options.stats;
  const sentences = splitSentences(text);

  interface Mention {
    start: number;
    end: number;
    type: string;
  }
  const mentions = new Map<string, Mention>();
  const addMention = (start: number, length: number, type: string): string => {
    const key = `${start}:${start + length}:${type}`;
    if (!mentions.has(key)) mentions.set(key, { start, end: start + length, type });
    return key;
  };
  const triples: Array<{ head: string; tail: string; label: string }> = [];

  spoList.forEach((spo: unknown, i: number) => {
    const f = `spo_list[${i}]`;
    if (!isObject(spo)) throw new RecordFormatError({ ...at, field: f }, 'wrong-type', 'must be an object');
    const predicate = requireString(spo, 'predicate', at, `${f}.predicate`, { nonEmpty: true });
    const subject = requireString(spo, 'subject', at, `${f}.subject`);
    const subjectType = valueString(spo, 'subject_type', at, `${f}.subject_type`);
    const object = valueString(spo, 'object', at, `${f}.object`);
    const objectType = valueString(spo, 'object_type', at, `${f}.object_type`);

    const pair = locateMentionPair(text, subject, object, sentences);
    if (pair === undefined) {
      if (stats) stats.missingMentions++;
      return;
    }
    const sType = index ? index.mapType('cmeie', subjectType) : subjectType;
    const oType = index ? index.mapType('cmeie', objectType) : objectType;
    const sKey = sType === undefined ? undefined : addMention(pair.subjectStart, subject.length, sType);
    const oKey = oType === undefined ? undefined : addMention(pair.objectStart, object.length, oType);
    if (stats) stats.droppedEntities += (sKey === undefined ? 1 : 0) + (oKey === undefined ? 1 : 0);
    const mapped = index ? index.mapLabel('cmeie', predicate) : { label: predicate };
    if (sKey === undefined || oKey === undefined || mapped === undefined) {
      if (stats) stats.droppedRelations++;
      return;
    }
    triples.push(
      mapped.swap ? { head: oKey, tail: sKey, label: mapped.label } : { head: sKey, tail: oKey, label: mapped.label },
    );
  });

  const ordered = [...mentions.entries()].sort(
    ([, a], [, b]) => a.start - b.start || a.end - b.end || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0),
  );
  const idOf = new Map<string, string>();
  const entities: Entity[] = ordered.map(([key, m], n) => {
    idOf.set(key, `e${n}`);
    return { id: `e${n}`, type: m.type, start: m.start, end: m.end, text: text.slice(m.start, m.end) };
  });
  const relations: Relation[] = [];
  const seen = new Set<string>();
  for (const t of triples) {
    const relation = { head: idOf.get(t.head) as string, tail: idOf.get(t.tail) as string, label: t.label };
    const key = `${relation.head}\u0000${relation.tail}\u0000${relation.label}`;
    if (seen.has(key)) continue;
    seen.add(key);
    relations.push(relation);
  }
  return { id, text, entities, relations };
}
