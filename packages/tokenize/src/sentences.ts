import type { Sentence } from './types';

/** Characters that end a sentence: Chinese 。！？, ASCII ! ? ; and line breaks. */
const DELIMITERS = new Set(['。', '！', '？', '!', '?', ';', '\n', '\r']);
/** Closing quotes and brackets that follow a delimiter belong to the sentence it ends (`……。”`). */
const CLOSERS = new Set(['”', '’', '」', '』', '）', ')']);
const SPACE = /\s/;

/**
 * Splits a record's text into sentences on 。！？!?; and line breaks. A run of delimiters (and closing quotes
 * after it) stays with the sentence it ends; white space at either edge of a sentence is trimmed off; sentences
 * left empty (or holding only delimiters) are dropped. Offsets are into `text`, `end` exclusive, so `text.slice(s.start, s.end) === s.text`.
 */
export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  const push = (from: number, to: number): void => {
    let start = from;
    let end = to;
    while (start < end && SPACE.test(text[start])) start++;
    while (end > start && SPACE.test(text[end - 1])) end--;
    let content = false;
    for (let k = start; k < end && !content; k++) content = !DELIMITERS.has(text[k]) && !CLOSERS.has(text[k]);
    if (content) sentences.push({ index: sentences.length, start, end, text: text.slice(start, end) });
  };
  let from = 0;
  let i = 0;
  while (i < text.length) {
    if (!DELIMITERS.has(text[i])) {
      i++;
      continue;
    }
    while (i < text.length && DELIMITERS.has(text[i])) i++;
    while (i < text.length && CLOSERS.has(text[i])) i++;
    push(from, i);
    from = i;
  }
  push(from, text.length);
  return sentences;
}

/** The index of the sentence that wholly contains [start, end), or -1 when the span crosses a boundary. */
export function sentenceOf(sentences: readonly Sentence[], start: number, end: number): number {
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sentences[mid];
    if (start < s.start) hi = mid - 1;
    else if (start >= s.end) lo = mid + 1;
    else return end <= s.end ? mid : -1;
  }
  return -1;
}
