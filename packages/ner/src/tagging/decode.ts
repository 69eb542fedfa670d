import { splitsSurrogatePair } from '@emr-re/tokenize';
import { parseTag } from './scheme';

/** An entity read from tags: offsets into the tagged text (UTF-16 code units, `end` exclusive). */
export interface TaggedSpan {
  type: string;
  start: number;
  end: number;
  text: string;
}

/**
 * The entities a BIOES tag sequence marks in `text` (one tag per UTF-16 code unit).
 *
 * A valid sequence (what the constrained CRF decodes) reads exactly. An invalid one (from an unconstrained decoder
 * or hand-made tags) is repaired leniently, never dropping a tagged character:
 * - `I-X` or `E-X` that does not continue an open `X` entity starts a new one (an `E-X` alone is one character);
 * - an open entity that is not closed by `E-X` (followed by `O`, `B`, `S`, another type, or the end of the text)
 *   ends at its last tagged character;
 * - `B-X` or `S-X` inside an open entity closes it before the new one begins.
 * Spans whose start or end would split a surrogate pair are widened to the whole character (and clipped where
 * widening would overlap the previous span).
 *
 * @throws RangeError when `tags` and `text` differ in length or a tag is not a BIOES tag name.
 * @example
 * decodeTags(['O', 'B-疾病', 'I-疾病', 'E-疾病'], '患糖尿病'); // [{ type: '疾病', start: 1, end: 4, text: '糖尿病' }]
 */
export function decodeTags(tags: readonly string[], text: string): TaggedSpan[] {
  if (tags.length !== text.length) {
    throw new RangeError(`decodeTags: ${tags.length} tags for a text of ${text.length} UTF-16 code units`);
  }
  const spans: TaggedSpan[] = [];
  let open: { type: string; start: number } | undefined;
  const emit = (type: string, start: number, end: number): void => {
    let s = splitsSurrogatePair(text, start) ? start - 1 : start;
    const e = splitsSurrogatePair(text, end) ? end + 1 : end;
    const previous = spans[spans.length - 1];
    if (previous !== undefined && s < previous.end) s = previous.end;
    if (s < e) spans.push({ type, start: s, end: e, text: text.slice(s, e) });
  };
  const close = (end: number): void => {
    if (open !== undefined) emit(open.type, open.start, end);
    open = undefined;
  };
  tags.forEach((tag, i) => {
    const parsed = parseTag(tag);
    if (parsed === undefined) throw new RangeError(`decodeTags: "${tag}" at ${i} is not a BIOES tag`);
    switch (parsed.position) {
      case 'O':
        close(i);
        break;
      case 'B':
        close(i);
        open = { type: parsed.type, start: i };
        break;
      case 'S':
        close(i);
        emit(parsed.type, i, i + 1);
        break;
      case 'I':
        if (open?.type !== parsed.type) {
          close(i);
          open = { type: parsed.type, start: i };
        }
        break;
      case 'E':
        if (open?.type !== parsed.type) {
          close(i);
          open = { type: parsed.type, start: i };
        }
        close(i + 1);
        break;
    }
  });
  close(tags.length);
  return spans;
}
