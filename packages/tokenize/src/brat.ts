import { RecordFormatError } from './errors';
import type { SourceLocation } from './errors';
import { codePointToUnitOffsets, unitToCodePointOffsets } from './offsets';
import type { ParseOptions } from './records';
import { schemaIndex } from './schema';
import type { EmrRecord, Entity, Relation } from './types';

/** Where a BRAT document comes from: its `.ann` file (named in errors) and the record id. */
export interface BratLocation {
  /** The `.ann` file. */
  file?: string;
  recordId: string;
}

const SPAN = /^(\d+) (\d+)$/;

/**
 * Builds a record from a BRAT document: the `.txt` text and its `.ann` standoff annotation. Reads text-bound
 * annotations `T1<TAB>Type start end<TAB>mention` and relations `R1<TAB>Label Arg1:T1 Arg2:T2` (Arg1 is the
 * head); events, attributes, notes and normalisations are ignored. A discontinuous span `s1 e1;s2 e2` is read
 * as its outer span `s1..e2` (its text becomes the whole outer slice; counted in `stats.discontinuousEntities`).
 * Offsets are code points (as BRAT writes them). Entity ids are BRAT's own (`T1`, ...). With a schema, types
 * and labels go through `schema.mappings.brat`; unknown types and labels are dropped and counted.
 */
export function parseBratAnnotation(
  text: string,
  ann: string,
  loc: BratLocation,
  options: ParseOptions = {},
): EmrRecord {
  const index = options.schema ? schemaIndex(options.schema) : undefined;
  const stats = options.stats;
  const toUnit = codePointToUnitOffsets(text);
  const entities: Entity[] = [];
  const known = new Set<string>();
  const dropped = new Set<string>();
  const pending: Array<{ relation: Relation; at: SourceLocation }> = [];

  ann.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const at: SourceLocation = { file: loc.file, line: i + 1, recordId: loc.recordId };
    const fields = line.split('\t');
    const annId = fields[0];
    if (annId.startsWith('T')) {
      if (fields.length < 3)
        throw new RecordFormatError(
          at,
          'malformed-line',
          'a text-bound annotation needs 3 tab-separated fields (id, "Type start end", mention)',
        );
      const mention = fields.slice(2).join('\t');
      const spaceAt = fields[1].indexOf(' ');
      if (spaceAt <= 0)
        throw new RecordFormatError({ ...at, field: 'type' }, 'malformed-line', 'expected "Type start end"');
      const sourceType = fields[1].slice(0, spaceAt);
      const fragments = fields[1].slice(spaceAt + 1).split(';');
      const spans: Array<[number, number]> = [];
      for (const fragment of fragments) {
        const m = SPAN.exec(fragment);
        if (!m)
          throw new RecordFormatError(
            { ...at, field: 'span' },
            'wrong-type',
            'expected "start end" with non-negative integer offsets',
          );
        spans.push([Number(m[1]), Number(m[2])]);
      }
      for (const [s, e] of spans) {
        if (toUnit(e) > text.length)
          throw new RecordFormatError({ ...at, field: 'span' }, 'bad-offset', `offset ${e} is outside the text`);
        if (e <= s)
          throw new RecordFormatError(
            { ...at, field: 'span' },
            'bad-offset',
            `end ${e} must be greater than start ${s}`,
          );
      }
      const pieces = spans.map(([s, e]) => text.slice(toUnit(s), toUnit(e)));
      if (pieces.join(' ').replace(/[\r\n\t]/g, ' ') !== mention) {
        throw new RecordFormatError(
          { ...at, field: 'mention' },
          'mention-mismatch',
          `does not equal the text at ${fields[1].slice(spaceAt + 1)}`,
        );
      }
      if (known.has(annId) || dropped.has(annId))
        throw new RecordFormatError({ ...at, field: 'id' }, 'duplicate-id', `annotation id ${annId} is used twice`);
      const type = index ? index.mapType('brat', sourceType) : sourceType;
      if (type === undefined) {
        dropped.add(annId);
        if (stats) stats.droppedEntities++;
        return;
      }
      const start = toUnit(Math.min(...spans.map((s) => s[0])));
      const end = toUnit(Math.max(...spans.map((s) => s[1])));
      if (spans.length > 1 && stats) stats.discontinuousEntities++;
      known.add(annId);
      entities.push({ id: annId, type, start, end, text: text.slice(start, end) });
    } else if (annId.startsWith('R')) {
      const args = (fields[1] ?? '').trim().split(/\s+/);
      if (fields.length < 2 || args.length !== 3)
        throw new RecordFormatError(at, 'malformed-line', 'a relation needs "Label Arg1:T1 Arg2:T2"');
      const [label, a1, a2] = args;
      const arg = (s: string, name: string): string => {
        const colon = s.indexOf(':');
        if (colon <= 0 || s.slice(colon + 1) === '')
          throw new RecordFormatError({ ...at, field: name }, 'malformed-line', 'expected Role:T<n>');
        return s.slice(colon + 1);
      };
      pending.push({ relation: { head: arg(a1, 'Arg1'), tail: arg(a2, 'Arg2'), label }, at });
    }
    // E (events), A/M (attributes), N (normalisations), # (notes), * (equivalences) carry no relation data we use.
  });

  const relations: Relation[] = [];
  for (const { relation, at } of pending) {
    for (const [role, id] of [
      ['Arg1', relation.head],
      ['Arg2', relation.tail],
    ] as const) {
      if (!known.has(id) && !dropped.has(id))
        throw new RecordFormatError(
          { ...at, field: role },
          'dangling-relation',
          `names ${id}, which the document does not define`,
        );
    }
    const mapped = index ? index.mapLabel('brat', relation.label) : { label: relation.label };
    if (mapped === undefined || dropped.has(relation.head) || dropped.has(relation.tail)) {
      if (stats) stats.droppedRelations++;
      continue;
    }
    relations.push(
      mapped.swap
        ? { head: relation.tail, tail: relation.head, label: mapped.label }
        : { ...relation, label: mapped.label },
    );
  }
  entities.sort((a, b) => a.start - b.start || a.end - b.end);
  return { id: loc.recordId, text, entities, relations };
}

/** BRAT names cannot hold white space; it becomes `_`. */
function bratName(name: string): string {
  return name.replace(/\s+/g, '_');
}

/**
 * The `.ann` text of a record: entities as `T<n>` (in the record's order), relations as `R<n>` with Arg1 = head.
 * Offsets are written as code points; line breaks inside a mention become spaces, as BRAT does; white space in
 * types and labels becomes `_`. Scores are not written.
 */
export function formatBratAnnotation(record: EmrRecord): string {
  const toPoint = unitToCodePointOffsets(record.text);
  const tid = new Map<string, string>();
  const lines: string[] = [];
  record.entities.forEach((e, i) => {
    const t = `T${i + 1}`;
    tid.set(e.id, t);
    lines.push(`${t}\t${bratName(e.type)} ${toPoint(e.start)} ${toPoint(e.end)}\t${e.text.replace(/[\r\n\t]/g, ' ')}`);
  });
  record.relations.forEach((r, i) => {
    const head = tid.get(r.head);
    const tail = tid.get(r.tail);
    if (head === undefined || tail === undefined) {
      throw new RecordFormatError(
        { recordId: record.id, field: `relations[${i}]` },
        'dangling-relation',
        'names an entity the record does not have',
      );
    }
    lines.push(`R${i + 1}\t${bratName(r.label)} Arg1:${head} Arg2:${tail}`);
  });
  return lines.length ? lines.join('\n') + '\n' : '';
}
