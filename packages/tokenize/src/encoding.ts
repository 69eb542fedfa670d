/**
 * Text decoding for every reader: UTF-8 by default, or a legacy encoding such as GB18030, always strict (an
 * undecodable byte is an error naming file and line, never a silent U+FFFD). Line formats are split on byte 0x0A
 * before decoding and decoded line by line, so a file of any size is never held whole.
 */
import * as fs from 'node:fs';
import { TextDecoder } from 'node:util';
import { RecordFormatError, UsageError } from './errors';
import type { SourceLocation } from './errors';

/** The encoding every reader assumes unless told otherwise. */
export const DEFAULT_ENCODING = 'utf-8';

/**
 * The encodings to suggest (e.g. in `--encoding` help): UTF-8 and the legacy encodings Chinese EMR corpora come
 * in. Any other ASCII-compatible label that Node's `TextDecoder` knows works too (see `isSupportedEncoding`).
 */
export const ENCODINGS: readonly string[] = ['utf-8', 'gb18030', 'gbk', 'big5'];

/**
 * Encodings `TextDecoder` knows but the readers refuse: lines are split on byte 0x0A before decoding, which needs
 * an encoding where that byte is always a line break and lines decode independently.
 */
const NOT_LINE_SPLITTABLE = new Set(['utf-16le', 'utf-16be', 'iso-2022-jp', 'replacement']);

const BOM = 0xfeff;
const NEWLINE = 0x0a;
const CR = 0x0d;

/** The canonical name of an encoding label (`'UTF8'` → `'utf-8'`, `'gb2312'` → `'gbk'`), or undefined if unknown. */
function canonicalName(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

/** True when the readers can decode `label` (a WHATWG encoding label, case-insensitive, e.g. `gb18030`). */
export function isSupportedEncoding(label: string): boolean {
  const name = canonicalName(label);
  return name !== undefined && !NOT_LINE_SPLITTABLE.has(name);
}

/**
 * The canonical name of `label` (default `utf-8`), e.g. `'GB18030'` → `'gb18030'`.
 * @throws UsageError when the label is unknown or not ASCII-compatible (UTF-16).
 */
export function resolveEncoding(label: string = DEFAULT_ENCODING): string {
  const name = canonicalName(label);
  const use = `use ${ENCODINGS.join(', ')}`;
  if (name === undefined) throw new UsageError(`unknown encoding '${label}' (${use})`);
  if (NOT_LINE_SPLITTABLE.has(name))
    throw new UsageError(`encoding '${label}' is not supported: lines must be ASCII-compatible (${use})`);
  return name;
}

/**
 * A strict decoder for `label` (default `utf-8`): `fatal` (undecodable bytes throw) and `ignoreBOM` (a BOM is
 * kept as U+FEFF; each reader decides whether to drop it). One instance decodes any number of whole lines.
 * @throws UsageError when the label is not supported (see `resolveEncoding`).
 */
export function createDecoder(label: string = DEFAULT_ENCODING): TextDecoder {
  return new TextDecoder(resolveEncoding(label), { fatal: true, ignoreBOM: true });
}

/**
 * Why bytes did not decode, for an error message. For UTF-8 it suggests the usual cause in Chinese corpora:
 * `not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)`;
 * otherwise `not valid GB18030 (wrong --encoding?)`.
 */
export function invalidEncodingReason(label: string = DEFAULT_ENCODING): string {
  const name = canonicalName(label) ?? label;
  if (name === 'utf-8')
    return 'not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)';
  return `not valid ${name.toUpperCase()} (wrong --encoding?)`;
}

function encodingError(encoding: string, file: string | undefined, line: number): RecordFormatError {
  const loc: SourceLocation = file === undefined ? { line } : { file, line };
  return new RecordFormatError(loc, 'encoding', invalidEncodingReason(encoding));
}

/** Options of `decodeText`. */
export interface DecodeTextOptions {
  /** The encoding of the bytes (default `utf-8`; see `resolveEncoding`). */
  encoding?: string;
  /** The file named in errors. */
  file?: string;
  /** Keep a leading byte-order mark as U+FEFF (default: drop it). BRAT `.txt` files keep it, as brat does. */
  keepBom?: boolean;
}

/**
 * Decodes a whole (small) file strictly, e.g. one BRAT or CCKS document. A leading BOM is dropped unless `keepBom`.
 * @throws RecordFormatError (problem `encoding`) `FILE:LINE: not valid UTF-8 (...)`, naming the 1-based line of the
 *   first undecodable byte; UsageError for an unsupported encoding.
 */
export function decodeText(bytes: Uint8Array, options: DecodeTextOptions = {}): string {
  const decoder = createDecoder(options.encoding);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw encodingError(decoder.encoding, options.file, firstUndecodableLine(decoder, bytes));
  }
  return !options.keepBom && text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

/** The 1-based line holding the first byte `decoder` rejects (line breaks never sit inside a character). */
function firstUndecodableLine(decoder: TextDecoder, bytes: Uint8Array): number {
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    let nl = bytes.indexOf(NEWLINE, start);
    if (nl < 0) nl = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, nl));
    } catch {
      return line;
    }
    line++;
    start = nl + 1;
  }
  return 1;
}

/** Options of `decodeLines` and `readFileLines`. */
export interface ReadLinesOptions {
  /** The encoding of the bytes (default `utf-8`; see `resolveEncoding`). */
  encoding?: string;
  /** The file named in errors. */
  shownAs?: string;
  /** Keep a leading byte-order mark on line 1 as U+FEFF (default: drop it). */
  keepBom?: boolean;
  /**
   * Called with the error of a line that does not decode, instead of throwing; that line is then yielded as ''
   * (so the caller's line numbers stay right). Without it the first such line throws.
   */
  onInvalid?: (err: RecordFormatError) => void;
  /** Longest line accepted, in bytes (default 256 MiB): a longer one means the file is not line-based text. */
  maxLineBytes?: number;
}

/** Default `ReadLinesOptions.maxLineBytes`. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/**
 * Splits a byte stream into lines and decodes each strictly, as the bytes arrive: split on `\n`, one trailing `\r`
 * stripped, a leading BOM dropped (unless `keepBom`); a final line without `\n` is yielded, an empty one after
 * the last `\n` is not. Holds one line (plus one chunk) at a time.
 * @throws RecordFormatError (problem `encoding`) `FILE:LINE: not valid UTF-8 (...)` for the first undecodable line
 *   (unless `onInvalid`), or `FILE:LINE: line longer than N bytes` (problem `malformed-line`); UsageError for an
 *   unsupported encoding.
 */
export async function* decodeLines(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: ReadLinesOptions = {},
): AsyncGenerator<string> {
  const decoder = createDecoder(options.encoding);
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  let lineNo = 0;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  const decodeLine = (bytes: Uint8Array): string => {
    lineNo++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, end));
    } catch {
      const err = encodingError(decoder.encoding, options.shownAs, lineNo);
      if (options.onInvalid === undefined) throw err;
      options.onInvalid(err);
      return '';
    }
    return lineNo === 1 && !options.keepBom && text.charCodeAt(0) === BOM ? text.slice(1) : text;
  };
  for await (const chunk of chunks) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      const piece = buf.subarray(start, nl);
      if (parts.length > 0) {
        parts.push(piece);
        const line = Buffer.concat(parts, partsBytes + piece.length);
        parts = [];
        partsBytes = 0;
        yield decodeLine(line);
      } else {
        yield decodeLine(piece);
      }
      start = nl + 1;
    }
    if (start < buf.length) {
      // Copied: a caller may reuse its chunk.
      parts.push(Buffer.from(buf.subarray(start)));
      partsBytes += buf.length - start;
      if (partsBytes > maxLineBytes) {
        throw new RecordFormatError(
          options.shownAs === undefined ? { line: lineNo + 1 } : { file: options.shownAs, line: lineNo + 1 },
          'malformed-line',
          `line longer than ${maxLineBytes} bytes: not a line-based text file?`,
        );
      }
    }
  }
  if (parts.length > 0) yield decodeLine(Buffer.concat(parts, partsBytes));
}

/**
 * Streams the lines of a file (see `decodeLines`), reading chunks with `fs.createReadStream`; never holds the whole
 * file. `shownAs` names the file in errors (default: `file`). Errors opening or reading the file (ENOENT, EISDIR,
 * ...) are thrown as Node raised them, for the caller to word.
 */
export async function* readFileLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<string> {
  const settings = { ...options, shownAs: options.shownAs ?? file };
  createDecoder(settings.encoding); // an unsupported encoding fails before the file is opened
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    yield* decodeLines(stream, settings);
  } finally {
    stream.destroy();
  }
}
