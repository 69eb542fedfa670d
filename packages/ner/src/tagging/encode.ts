import { splitsSurrogatePair } from '@emr-re/tokenize';
import type { Entity } from '@emr-re/tokenize';
import { OUTSIDE_TAG, TagScheme, tagIndex } from './scheme';

/** What `encodeTags` did with a record's entity mentions. */
export interface TaggingStats {
  /** Mentions in the record. */
  mentions: number;
  /** Mentions written into the tags. */
  tagged: number;
  /**
   * Mentions dropped because they overlap (nest in, or cross) a longer kept mention: a flat tagger gives each
   * character one tag, so it cannot hold both.
   */
  overlapping: number;
  /** Mentions with exactly the span and type of a kept one (listed twice); nothing is lost by dropping them. */
  duplicates: number;
  /** Mentions of a type the scheme does not have. */
  unknownType: number;
  /** Mentions whose offsets are not `0 ≤ start < end ≤ text.length` integers. */
  invalidSpan: number;
  /** Kept mentions whose start or end split a surrogate pair and were widened to the whole character. */
  widened: number;
}

/** The tags of one record. */
export interface TagEncoding {
  /** One tag name per UTF-16 code unit of the text `(length)`. */
  tags: string[];
  /** The same tags as indices into `scheme.tags` `(length)`. */
  ids: Int32Array;
  /** The mentions that were tagged, in text order, with their (possibly widened) offsets. */
  entities: Entity[];
  stats: TaggingStats;
}

/** A zeroed `TaggingStats`. */
export function emptyTaggingStats(): TaggingStats {
  return { mentions: 0, tagged: 0, overlapping: 0, duplicates: 0, unknownType: 0, invalidSpan: 0, widened: 0 };
}

/** Adds `b`'s counts into `a` (which may carry further counts of its own, left as they are). */
export function addTaggingStats(a: TaggingStats, b: TaggingStats): void {
  for (const key of Object.keys(emptyTaggingStats()) as (keyof TaggingStats)[]) a[key] += b[key];
}

/**
 * BIOES tags of a record's entity mentions, one per UTF-16 code unit of `record.text` (the unit of every record
 * offset). A character outside the BMP is two units; a mention whose start or end falls between them is widened to
 * the whole character, so tags never split a surrogate pair.
 *
 * Overlapping and nested mentions, which a flat tagger cannot hold, are resolved greedily: the longest mention is
 * kept (on a tie, the one that starts first, then the one listed first) and every mention overlapping a kept one
 * is dropped and counted in `stats.overlapping`. Mentions of types outside `scheme` and invalid spans are dropped
 * and counted too; nothing is thrown.
 *
 * @example
 * encodeTags({ text: '患糖尿病', entities: [{ id: 'T1', type: '疾病', start: 1, end: 4, text: '糖尿病' }] }, scheme).tags;
 * // ['O', 'B-疾病', 'I-疾病', 'E-疾病']
 */
export function encodeTags(
  record: { readonly text: string; readonly entities: readonly Entity[] },
  scheme: TagScheme,
): TagEncoding {
  const { text } = record;
  const stats = emptyTaggingStats();
  stats.mentions = record.entities.length;
  const types = new Set(scheme.types);
  const candidates: Array<{ entity: Entity; start: number; end: number; order: number; widened: boolean }> = [];
  record.entities.forEach((entity, order) => {
    const { start, end } = entity;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > text.length) {
      stats.invalidSpan++;
      return;
    }
    if (!types.has(entity.type)) {
      stats.unknownType++;
      return;
    }
    const s = splitsSurrogatePair(text, start) ? start - 1 : start;
    const e = splitsSurrogatePair(text, end) ? end + 1 : end;
    candidates.push({ entity, start: s, end: e, order, widened: s !== start || e !== end });
  });
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start || a.order - b.order);

  const owner = new Int32Array(text.length).fill(-1);
  const kept: typeof candidates = [];
  for (const c of candidates) {
    let free = true;
    for (let i = c.start; i < c.end && free; i++) free = owner[i] < 0;
    if (!free) {
      const same = kept.find((k) => k.start === c.start && k.end === c.end && k.entity.type === c.entity.type);
      if (same) stats.duplicates++;
      else stats.overlapping++;
      continue;
    }
    for (let i = c.start; i < c.end; i++) owner[i] = kept.length;
    kept.push(c);
    if (c.widened) stats.widened++;
  }
  stats.tagged = kept.length;

  const tags = new Array<string>(text.length).fill(OUTSIDE_TAG);
  for (const { entity, start, end } of kept) {
    const t = entity.type;
    if (end - start === 1) tags[start] = `S-${t}`;
    else {
      tags[start] = `B-${t}`;
      for (let i = start + 1; i < end - 1; i++) tags[i] = `I-${t}`;
      tags[end - 1] = `E-${t}`;
    }
  }
  const index = tagIndex(scheme);
  const ids = Int32Array.from(tags, (t) => index.get(t) as number);
  const entities = kept
    .sort((a, b) => a.start - b.start)
    .map(({ entity, start, end }) =>
      start === entity.start && end === entity.end ? entity : { ...entity, start, end, text: text.slice(start, end) },
    );
  return { tags, ids, entities, stats };
}
