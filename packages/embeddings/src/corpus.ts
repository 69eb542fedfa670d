/**
 * Turns text into the integer corpus the trainer runs on: tokens are characters (code points),
 * whitespace is dropped, each input string is one sentence (windows never cross strings).
 */

/** Marks the end of a sentence in `EncodedCorpus.ids`. */
export const SENTENCE_END = -1;

/** A vocabulary sorted by descending count, and the corpus as token ids. */
export interface EncodedCorpus {
  /** Tokens by descending count (ties: first seen first). */
  tokens: string[];
  /** Count of each token in the corpus. */
  counts: Float64Array;
  /** Token ids with `SENTENCE_END` after each sentence; tokens under `minCount` are removed. */
  ids: Int32Array;
  /** Number of token ids in `ids` (sentence ends excluded). */
  trainWords: number;
}

const BMP_WHITESPACE = (() => {
  const table = new Uint8Array(65536);
  for (let c = 0; c < 65536; c++) if (/\s/.test(String.fromCharCode(c))) table[c] = 1;
  return table;
})();

const CHUNK = 1 << 20;

/** Counts characters and records the corpus as provisional ids, one string (sentence) at a time. */
export class CorpusEncoder {
  /** Provisional id (first-seen order) + 1 of each BMP code unit; 0 = not seen. */
  private readonly bmpId = new Int32Array(65536);
  private readonly astralId = new Map<number, number>();
  private readonly seenTokens: string[] = [];
  private seenCounts = new Float64Array(1024);
  private readonly chunks: Int32Array[] = [];
  private current = new Int32Array(CHUNK);
  private fill = 0;

  private emit(id: number): void {
    if (this.fill === CHUNK) {
      this.chunks.push(this.current);
      this.current = new Int32Array(CHUNK);
      this.fill = 0;
    }
    this.current[this.fill++] = id;
  }

  private newToken(token: string): number {
    const id = this.seenTokens.length;
    this.seenTokens.push(token);
    if (id === this.seenCounts.length) {
      const grown = new Float64Array(id * 2);
      grown.set(this.seenCounts);
      this.seenCounts = grown;
    }
    return id;
  }

  /** Adds one sentence. */
  push(text: string): void {
    let any = false;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      let id: number;
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          const cp = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          i++;
          let known = this.astralId.get(cp);
          if (known === undefined) {
            known = this.newToken(String.fromCodePoint(cp));
            this.astralId.set(cp, known);
          }
          id = known;
        } else {
          id = this.bmp(unit);
        }
      } else {
        if (BMP_WHITESPACE[unit] === 1) continue;
        id = this.bmp(unit);
      }
      this.seenCounts[id]++;
      this.emit(id);
      any = true;
    }
    if (any) this.emit(SENTENCE_END);
  }

  private bmp(unit: number): number {
    const known = this.bmpId[unit];
    if (known !== 0) return known - 1;
    const id = this.newToken(String.fromCharCode(unit));
    this.bmpId[unit] = id + 1;
    return id;
  }

  /**
   * Sorts the vocabulary, drops tokens seen fewer than `minCount` times, and renumbers the corpus.
   * With `shared`, `ids` sits on a SharedArrayBuffer so training threads can read it without copies.
   */
  finish(minCount = 1, shared = false): EncodedCorpus {
    const n = this.seenTokens.length;
    const order = Array.from({ length: n }, (_, i) => i).filter((i) => this.seenCounts[i] >= minCount);
    order.sort((a, b) => this.seenCounts[b] - this.seenCounts[a] || a - b);
    const remap = new Int32Array(n).fill(-2);
    order.forEach((old, i) => (remap[old] = i));
    const tokens = order.map((i) => this.seenTokens[i]);
    const counts = Float64Array.from(order, (i) => this.seenCounts[i]);
    let trainWords = 0;
    for (const c of counts) trainWords += c;
    const parts = [...this.chunks, this.current.subarray(0, this.fill)];
    let sentences = 0;
    for (const part of parts) for (let i = 0; i < part.length; i++) if (part[i] === SENTENCE_END) sentences++;
    // Sentences can lose all their tokens to minCount; their SENTENCE_END marks are kept (harmless).
    const length = trainWords + sentences;
    const ids = shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
    let k = 0;
    for (const part of parts) {
      for (let i = 0; i < part.length; i++) {
        const old = part[i];
        if (old === SENTENCE_END) ids[k++] = SENTENCE_END;
        else if (remap[old] >= 0) ids[k++] = remap[old];
      }
    }
    return { tokens, counts, ids, trainWords };
  }
}

/** Encodes a whole corpus of sentences (strings or an async stream of them). */
export async function encodeCorpus(
  corpus: Iterable<string> | AsyncIterable<string>,
  minCount = 1,
  shared = false,
): Promise<EncodedCorpus> {
  const encoder = new CorpusEncoder();
  if (Symbol.iterator in corpus) for (const text of corpus) encoder.push(text);
  else for await (const text of corpus) encoder.push(text);
  return encoder.finish(minCount, shared);
}
