import { splitSentences } from './sentences';
import type { Sentence } from './types';

/** Characters that end a clause inside a sentence: ；，、 (full and half width) and the colon of a heading. */
const CLAUSE_DELIMITERS = new Set(['；', '，', '、', ',', '：', ':']);
/** Characters that end a list item inside a sentence (a new numbered marker ends one too). */
const ITEM_DELIMITERS = new Set(['；']);

/**
 * A numbered list item at the start of an EMR item: "2." "3、" "4．" "1）" "(2)" "（3）" "①", and "5 专科情况"
 * (a number, white space, a Chinese character) after a sentence or clause end. Not a number inside a value
 * ("3.5cm", "L4、5", "4次/分"): the number may not follow a digit, a Latin letter or a dot, nor be followed by one.
 */
const LIST_MARKER = new RegExp(
  [
    /(?<![0-9A-Za-z.．])\d{1,2}[.．、)）](?![0-9])/.source,
    /(?<=^|[。；;，,：:\s])\d{1,2}\s+(?=[\u4e00-\u9fff])/.source,
    /[（(]\d{1,2}[）)]/.source,
    /[\u2460-\u2473]/.source,
  ].join('|'),
  'gu',
);

/** Where a numbered list item starts in `text`: the offsets (UTF-16) of its marker, `end` exclusive. */
export function listMarkers(text: string): Array<{ start: number; end: number }> {
  const found: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(LIST_MARKER)) found.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
  return found;
}

/** Options of `splitClauses`. */
export interface ClauseOptions {
  /**
   * Spans (`end` exclusive) no boundary may fall inside, e.g. the record's entities, so "青、链霉素类药物" stays one
   * mention in one clause.
   */
  keepWhole?: ReadonlyArray<{ start: number; end: number }>;
  /**
   * `'clause'` (default) cuts after ；，、,：: and before list markers; `'item'` only after ； and before list
   * markers, so a numbered item or a "；"-separated part of a list stays whole.
   */
  level?: 'clause' | 'item';
}

/**
 * Splits a record's text into clause / list-item windows for EMR formats: the sentences of `splitSentences`
 * (。！？!?; and line breaks), each cut again after every ；，、,：: (with `level: 'item'`: only after ；) and before
 * every numbered list marker (`listMarkers`: "2." "3、" "①" ...), except inside a `keepWhole` span. A delimiter stays with the clause it ends;
 * white space at either edge is trimmed; a clause holding only delimiters is dropped. Offsets are into `text`,
 * `end` exclusive, `index` counts the clauses of the record, so `text.slice(c.start, c.end) === c.text`.
 * @example
 * splitClauses('既往高血压病史；2.查体：双下肢无水肿').map((c) => c.text)
 * // ['既往高血压病史；', '2.查体：', '双下肢无水肿']
 */
export function splitClauses(text: string, options: ClauseOptions = {}): Sentence[] {
  const inside = new Uint8Array(text.length + 1);
  for (const span of options.keepWhole ?? []) {
    for (let k = Math.max(0, span.start + 1); k < Math.min(text.length, span.end); k++) inside[k] = 1;
  }
  // cuts[k] = 1: a clause may start at offset k
  const cuts = new Uint8Array(text.length + 1);
  const delimiters = options.level === 'item' ? ITEM_DELIMITERS : CLAUSE_DELIMITERS;
  for (let k = 0; k < text.length; k++) {
    if (delimiters.has(text[k])) {
      let next = k + 1;
      while (next < text.length && delimiters.has(text[next])) next++;
      if (!inside[next]) cuts[next] = 1;
      k = next - 1;
    }
  }
  for (const marker of listMarkers(text)) {
    // "3、" is one marker: its 、 starts no clause
    for (let k = marker.start + 1; k <= marker.end; k++) cuts[k] = 0;
    if (!inside[marker.start]) cuts[marker.start] = 1;
  }

  const clauses: Sentence[] = [];
  const push = (from: number, to: number): void => {
    let start = from;
    let end = to;
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    let content = false;
    for (let k = start; k < end && !content; k++) content = !CLAUSE_DELIMITERS.has(text[k]);
    if (content) clauses.push({ index: clauses.length, start, end, text: text.slice(start, end) });
  };
  for (const sentence of splitSentences(text)) {
    let from = sentence.start;
    for (let k = sentence.start + 1; k < sentence.end; k++) {
      if (cuts[k]) {
        push(from, k);
        from = k;
      }
    }
    push(from, sentence.end);
  }
  return clauses;
}
