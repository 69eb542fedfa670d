/** File I/O: streaming loaders, atomic writers, and a line reader for training corpora. */
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CorpusFormatError, EmrReError } from '@emr-re/tokenize';
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
    const parser = createWord2VecParser(format, { file: path, vocabulary });
    const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
    for await (const chunk of stream) parser.push(chunk as Buffer);
    return parser.finish();
  } catch (err) {
    throw fileError(path, err);
  }
}

/** Writes `produce()`'s pieces to a temp file beside `path`, then renames it over `path`. */
async function writeAtomically(path: string, pieces: () => Iterable<string | Uint8Array>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(tmp, 'w');
    for (const piece of pieces()) await fh.writeFile(piece);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fsp.rename(tmp, path);
  } catch (err) {
    if (fh) await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
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

/**
 * Streams the lines of UTF-8 text files, one string a line (line break removed), for `trainWord2Vec`.
 * Throws CorpusFormatError naming file and line when a line is not valid UTF-8.
 */
export async function* readCorpusLines(paths: string | readonly string[]): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    let lineNo = 0;
    let carry: Buffer[] = [];
    const decode = (bytes: Buffer): string => {
      lineNo++;
      try {
        return decoder.decode(bytes);
      } catch {
        throw new CorpusFormatError({ file: path, line: lineNo }, 'not valid UTF-8');
      }
    };
    try {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        const buf = chunk as Buffer;
        let start = 0;
        for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
          const piece = buf.subarray(start, nl);
          yield decode(carry.length > 0 ? Buffer.concat([...carry, piece]) : piece);
          carry = [];
          start = nl + 1;
        }
        if (start < buf.length) carry.push(Buffer.from(buf.subarray(start)));
      }
    } catch (err) {
      throw fileError(path, err);
    }
    if (carry.length > 0) yield decode(Buffer.concat(carry));
  }
}
