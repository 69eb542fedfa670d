/** File I/O: streaming loaders, atomic writers, and a line reader for training corpora. */
import { createReadStream, promises as fsp } from 'node:fs';
import { EmrReError, readFileLines, resolveEncoding, writeFileAtomic } from '@emr-re/tokenize';
import {
  createWord2VecParser,
  detectWord2VecFormat,
  encodeWord2VecBinaryRows,
  encodeWord2VecHeader,
  encodeWord2VecTextRows,
  type Word2VecFormat,
} from './format';
import type { EmbeddingTable } from './table';

/** Options of `loadWord2Vec`. */
export interface LoadWord2VecOptions {
  /** File format; 'auto' (default) looks at the first bytes. */
  format?: Word2VecFormat | 'auto';
  /** Keep only these tokens (e.g. a model's character vocabulary); other rows are skipped while streaming. */
  vocabulary?: ReadonlySet<string> | Iterable<string>;
  /** Read size in bytes (default 1 MiB). */
  chunkBytes?: number;
  /**
   * Encoding of a text file's tokens (and a binary file's; default `utf-8`), e.g. `gb18030`. Bytes that do not
   * decode fail as `FILE:LINE: not valid UTF-8 (...)`; an unknown encoding is a `UsageError`.
   */
  encoding?: string;
}

/** A missing or unreadable file, as a user error naming the file. */
export class EmbeddingFileError extends EmrReError {
  constructor(file: string, reason: string) {
    super('EMBEDDING_FILE', `${file}: ${reason}`);
  }
}

function fileError(file: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new EmbeddingFileError(file, 'no such file');
  if (code === 'EACCES' || code === 'EPERM') return new EmbeddingFileError(file, 'permission denied');
  if (code === 'EISDIR') return new EmbeddingFileError(file, 'is a directory, not a file');
  return err;
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Loads a word2vec file (text or binary, as written by Google's word2vec, gensim or fastText's .vec),
 * streaming it chunk by chunk so that only the kept rows are held in memory.
 * Throws EmbeddingFormatError naming the file and line/row on malformed input.
 */
export async function loadWord2Vec(path: string, options: LoadWord2VecOptions = {}): Promise<EmbeddingTable> {
  const vocabulary =
    options.vocabulary === undefined
      ? undefined
      : options.vocabulary instanceof Set
        ? options.vocabulary
        : new Set(options.vocabulary);
  try {
    let format = options.format ?? 'auto';
    if (format === 'auto') format = detectWord2VecFormat(await readHead(path, 64 * 1024));
    const parser = createWord2VecParser(format, { file: path, vocabulary, encoding: options.encoding });
    const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
    for await (const chunk of stream) parser.push(chunk as Buffer);
    return parser.finish();
  } catch (err) {
    throw fileError(path, err);
  }
}

/** Writes `produce()`'s pieces atomically with the one atomic writer of emr-re (temporary beside `path`, then rename). */
async function writeAtomically(path: string, pieces: () => Iterable<string | Uint8Array>): Promise<void> {
  try {
    await writeFileAtomic(path, pieces());
  } catch (err) {
    throw fileError(path, err);
  }
}

const ROWS_PER_PIECE = 2048;

/** Writes `table` in word2vec text format, atomically (temp file + rename). Values round-trip exactly. */
export async function writeWord2VecText(path: string, table: EmbeddingTable): Promise<void> {
  await writeAtomically(path, function* () {
    yield encodeWord2VecHeader(table);
    for (let i = 0; i < table.size; i += ROWS_PER_PIECE)
      yield encodeWord2VecTextRows(table, i, Math.min(table.size, i + ROWS_PER_PIECE));
  });
}

/** Writes `table` in word2vec binary format (Google's layout), atomically (temp file + rename). */
export async function writeWord2VecBinary(path: string, table: EmbeddingTable): Promise<void> {
  await writeAtomically(path, function* () {
    yield encodeWord2VecHeader(table);
    for (let i = 0; i < table.size; i += ROWS_PER_PIECE)
      yield encodeWord2VecBinaryRows(table, i, Math.min(table.size, i + ROWS_PER_PIECE));
  });
}

/** Options of `readCorpusLines`. */
export interface ReadCorpusLinesOptions {
  /** Encoding of the files (default `utf-8`), e.g. `gb18030`; an unknown one is a `UsageError` (thrown at the call). */
  encoding?: string;
}

/**
 * Streams the lines of text files, one string a line (`\n` and a trailing `\r` removed, a leading BOM dropped),
 * for `trainWord2Vec`; holds one line at a time (see `readFileLines`). Throws a CorpusFormatError
 * `FILE:LINE: not valid UTF-8 (GBK/GB18030? ...)` for the first line that does not decode.
 */
export function readCorpusLines(
  paths: string | readonly string[],
  options: ReadCorpusLinesOptions = {},
): AsyncGenerator<string> {
  const encoding = resolveEncoding(options.encoding);
  return (async function* () {
    for (const path of typeof paths === 'string' ? [paths] : paths) {
      try {
        yield* readFileLines(path, { encoding });
      } catch (err) {
        throw fileError(path, err);
      }
    }
  })();
}
