import { splitsSurrogatePair } from '@emr-re/tokenize';

/** Characters after which a sentence ends: Chinese 。！？；, their ASCII forms and line breaks. */
export const SENTENCE_ENDS: ReadonlySet<string> = new Set(['。', '！', '？', '；', '!', '?', ';', '\n', '\r']);

/** A piece of a text that a tagger reads in one pass. Offsets are UTF-16 code units into the text. */
export interface TextWindow {
  /** Offset of the window in the text. */
  start: number;
  /** End offset (exclusive). */
  end: number;
  text: string;
  /** The window starts inside a sentence (it overlaps the previous window): its left edge is a cut, not a boundary. */
  cutStart: boolean;
  /** The window ends inside a sentence (it overlaps the next window). */
  cutEnd: boolean;
}

/** How texts are cut into windows. */
export interface WindowOptions {
  /** Most UTF-16 code units in a window (≥ 2). */
  maxLength: number;
  /** Code units that consecutive windows of one long sentence share (0 ≤ overlap < maxLength). */
  overlap: number;
}

/** Sentence pieces covering `text` end to end: each ends after a run of `SENTENCE_ENDS` (or at the text's end). */
function sentencePieces(text: string): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  let from = 0;
  let i = 0;
  while (i < text.length) {
    if (!SENTENCE_ENDS.has(text[i])) {
      i++;
      continue;
    }
    while (i < text.length && SENTENCE_ENDS.has(text[i])) i++;
    pieces.push([from, i]);
    from = i;
  }
  if (from < text.length) pieces.push([from, text.length]);
  return pieces;
}

/**
 * Windows of at most `maxLength` code units covering `text` without gaps, for a tagger of fixed reach: the text is
 * split after sentence ends (。！？； ! ? ; and line breaks), consecutive sentences are packed into one window while
 * they fit, and a sentence longer than `maxLength` is cut into overlapping windows with stride
 * `maxLength − overlap` (the last one aligned to the sentence's end). No window edge splits a surrogate pair (an
 * edge that would is moved one unit left). White space stays in the windows, so offsets map back by addition.
 * @throws RangeError on options out of range (a programming mistake: configs are validated before this).
 * @example
 * splitWindows('发热三天。咳嗽。', { maxLength: 5, overlap: 1 }).map((w) => w.text); // ['发热三天。', '咳嗽。']
 */
export function splitWindows(text: string, options: WindowOptions): TextWindow[] {
  const { maxLength, overlap } = options;
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new RangeError(`maxLength must be an integer ≥ 2`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= maxLength) {
    throw new RangeError(`overlap must be an integer in [0, maxLength)`);
  }
  const windows: TextWindow[] = [];
  const push = (start: number, end: number, cutStart: boolean, cutEnd: boolean): void => {
    windows.push({ start, end, text: text.slice(start, end), cutStart, cutEnd });
  };
  const edge = (k: number): number => (splitsSurrogatePair(text, k) ? k - 1 : k);
  let packed: [number, number] | undefined;
  const flush = (): void => {
    if (packed) push(packed[0], packed[1], false, false);
    packed = undefined;
  };
  for (const [a, b] of sentencePieces(text)) {
    if (b - a <= maxLength) {
      if (packed && b - packed[0] <= maxLength) packed[1] = b;
      else {
        flush();
        packed = [a, b];
      }
      continue;
    }
    flush();
    const stride = maxLength - overlap;
    for (let s = a; ; s += stride) {
      const last = s + maxLength >= b;
      const start = edge(last ? b - maxLength : s);
      push(start, last ? b : edge(s + maxLength), start > a, !last);
      if (last) break;
    }
  }
  flush();
  return windows;
}
