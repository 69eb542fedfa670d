import { createReadStream } from 'node:fs';

/* The store's file is sorted lines; these read it in pieces and merge changes into it, so no step ever holds
 * the whole graph as one string (V8 strings stop at about 512 MB). */

/** The lines of a UTF-8 file, streamed (without their line breaks; empty lines skipped). */
export async function* readLines(file: string): AsyncGenerator<string> {
  for await (const piece of readLinePieces(file)) {
    for (const line of piece.split('\n')) if (line.length > 0) yield line;
  }
}

/** A UTF-8 file as pieces of whole lines (each ending in a line break), about `size` bytes each. */
export async function* readLinePieces(file: string, size = 1 << 22): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: size })) {
    const text = rest + (chunk as string);
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      rest = text;
      continue;
    }
    rest = text.slice(cut + 1);
    yield text.slice(0, cut + 1);
  }
  if (rest.length > 0) yield rest + '\n';
}

/** JavaScript's default string order (UTF-16 code units): the order of the store's lines. */
export function compareLines(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Merges sorted `existing` lines, less those in `removed`, with `added` (sorted here), as sorted, deduplicated
 * pieces of text of about 1 MB: the next version of the file.
 */
export async function* mergeSortedLines(
  existing: AsyncIterable<string>,
  removed: ReadonlySet<string>,
  added: string[],
): AsyncGenerator<string> {
  const fresh = [...added].sort(compareLines);
  let i = 0;
  let last: string | undefined;
  let piece: string[] = [];
  let size = 0;
  const emit = (line: string): string | undefined => {
    if (line === last) return undefined;
    last = line;
    piece.push(line);
    size += line.length + 1;
    if (size < 1 << 20) return undefined;
    const text = piece.join('\n') + '\n';
    piece = [];
    size = 0;
    return text;
  };
  for await (const line of existing) {
    while (i < fresh.length && fresh[i] < line) {
      const out = emit(fresh[i++]);
      if (out !== undefined) yield out;
    }
    if (removed.has(line)) continue;
    const out = emit(line);
    if (out !== undefined) yield out;
  }
  while (i < fresh.length) {
    const out = emit(fresh[i++]);
    if (out !== undefined) yield out;
  }
  if (piece.length > 0) yield piece.join('\n') + '\n';
}
