/**
 * The word2vec file formats as pure, chunk-fed parsers and encoders (no file I/O here).
 *
 * Text:   "ROWS DIM\n" then per row `token v1 v2 ... vDIM\n` (a trailing space is allowed).
 * Binary: "ROWS DIM\n" then per row `token ` + DIM float32 little-endian (+ an optional "\n", which
 *         Google's word2vec writes and gensim does not).
 */
import { TextDecoder } from 'node:util';
import { createDecoder, invalidEncodingReason } from '@emr-re/tokenize';
import { EmbeddingFormatError } from './errors';
import { EmbeddingTable } from './table';

/** The two word2vec file formats. */
export type Word2VecFormat = 'text' | 'binary';

/** What a parser needs besides the bytes. */
export interface Word2VecParserOptions {
  /** File name for error messages. */
  file?: string;
  /** Keep only these tokens (all when undefined); other rows are checked but not stored. */
  vocabulary?: ReadonlySet<string>;
  /**
   * Encoding of the tokens (default `utf-8`; e.g. `gb18030`), decoded strictly. An unknown encoding is a
   * `UsageError` (from the constructor).
   */
  encoding?: string;
}

/** A streaming parser: feed it the file's bytes in any chunking, then call `finish`. */
export interface Word2VecParser {
  push(chunk: Uint8Array): void;
  /** Checks the end of input and returns the kept rows. Throws EmbeddingFormatError on a truncated file. */
  finish(): EmbeddingTable;
}

/** Longest token (in bytes) accepted in a binary file; a longer one means the bytes are not word2vec binary. */
export const MAX_TOKEN_BYTES = 4096;
/** Longest line accepted in a text file. */
export const MAX_TEXT_LINE_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;

/** Collects kept rows into a growing matrix; the first of two equal tokens wins. */
class TableBuilder {
  readonly tokens: string[] = [];
  private data: Float32Array;
  private readonly seen = new Set<string>();
  constructor(
    readonly dim: number,
    expectedRows: number,
    private readonly vocabulary?: ReadonlySet<string>,
  ) {
    const cap = Math.max(1, Math.min(expectedRows, vocabulary ? vocabulary.size : expectedRows, 1 << 16));
    this.data = new Float32Array(cap * dim);
  }
  wants(token: string): boolean {
    return (this.vocabulary === undefined || this.vocabulary.has(token)) && !this.seen.has(token);
  }
  /** Appends `token` and returns the `(dim)` slot to fill. */
  add(token: string): Float32Array {
    const i = this.tokens.length;
    if ((i + 1) * this.dim > this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.tokens.push(token);
    this.seen.add(token);
    return this.data.subarray(i * this.dim, (i + 1) * this.dim);
  }
  build(): EmbeddingTable {
    return new EmbeddingTable(this.tokens, this.data.slice(0, this.tokens.length * this.dim), this.dim);
  }
}

interface Header {
  rows: number;
  dim: number;
}

function parseHeader(text: string): Header | undefined {
  const m = /^\s*(\d+)[ \t]+(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const rows = Number(m[1]);
  const dim = Number(m[2]);
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(dim) || dim < 1) return undefined;
  return { rows, dim };
}

const BAD_HEADER = "bad header: the first line must be 'ROWS DIM' (two integers, DIM > 0)";

/**
 * Parses the word2vec text format, one line at a time, as bytes arrive. A line that does not decode in the
 * encoding fails as `FILE:LINE: not valid UTF-8 (GBK/GB18030? ...)` (see `invalidEncodingReason`).
 */
export class Word2VecTextParser implements Word2VecParser {
  private readonly decoder: TextDecoder;
  private readonly file?: string;
  private readonly vocabulary?: ReadonlySet<string>;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private lineNo = 0;
  private header?: Header;
  private builder?: TableBuilder;
  private rows = 0;

  constructor(options: Word2VecParserOptions = {}) {
    this.decoder = createDecoder(options.encoding);
    this.file = options.file;
    this.vocabulary = options.vocabulary;
  }

  private fail(reason: string, line = this.lineNo): never {
    throw new EmbeddingFormatError({ file: this.file, line }, reason);
  }

  push(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      if (this.parts.length > 0) {
        this.parts.push(buf.subarray(start, nl));
        const line = Buffer.concat(this.parts);
        this.parts = [];
        this.partsBytes = 0;
        this.line(line, 0, line.length, true);
      } else {
        this.line(buf, start, nl, true);
      }
      start = nl + 1;
    }
    if (start < buf.length) {
      // Copy: the caller may reuse its chunk.
      this.parts.push(Buffer.from(buf.subarray(start)));
      this.partsBytes += buf.length - start;
      if (this.partsBytes > MAX_TEXT_LINE_BYTES) {
        this.fail(`line longer than ${MAX_TEXT_LINE_BYTES} bytes: not a word2vec text file (binary?)`, this.lineNo + 1);
      }
    }
  }

  finish(): EmbeddingTable {
    if (this.parts.length > 0) {
      const line = Buffer.concat(this.parts);
      this.parts = [];
      this.line(line, 0, line.length, false);
    }
    if (!this.header || !this.builder) this.fail(`empty file: ${BAD_HEADER}`, 1);
    if (this.rows < this.header.rows) {
      this.fail(`truncated file: the header says ${this.header.rows} rows, the file ends after ${this.rows}`);
    }
    return this.builder.build();
  }

  /** Decodes bytes `[s, e)` of the current line strictly, or fails naming the line. */
  private decode(buf: Buffer, s: number, e: number): string {
    try {
      return this.decoder.decode(buf.subarray(s, e));
    } catch {
      this.fail(invalidEncodingReason(this.decoder.encoding));
    }
  }

  private line(buf: Buffer, s: number, e: number, newlineEnded: boolean): void {
    this.lineNo++;
    if (e > s && buf[e - 1] === CR) e--;
    if (!this.header) {
      let text: string;
      try {
        text = this.decoder.decode(buf.subarray(s, e));
      } catch {
        // 'ROWS DIM' after bytes that do not decode (another encoding's byte-order mark, say), else not a header.
        if (/\d[ \t]+\d+\s*$/.test(buf.toString('latin1', s, e)))
          this.fail(invalidEncodingReason(this.decoder.encoding));
        this.fail(BAD_HEADER);
      }
      const header = parseHeader(text.replace(/^\ufeff/, '')); // a byte-order mark
      if (!header) this.fail(BAD_HEADER);
      this.header = header;
      this.builder = new TableBuilder(header.dim, header.rows, this.vocabulary);
      return;
    }
    if (e === s) return; // blank line, e.g. at the end
    const { dim, rows } = this.header;
    if (this.rows === rows) this.fail(`more rows than the header's ${rows}`);
    this.rows++;
    let te = s;
    while (te < e && buf[te] !== SPACE && buf[te] !== TAB) te++;
    if (te === s) this.fail('empty token: the line starts with a space');
    const token = this.decode(buf, s, te);
    const rest = buf.toString('latin1', te, e).trim();
    const fields = rest === '' ? [] : rest.split(/[ \t]+/);
    if (fields.length !== dim) {
      this.decode(buf, te, e); // bytes that do not decode are the better message
      const truncated = !newlineEnded && fields.length < dim ? 'truncated file: ' : '';
      this.fail(`${truncated}wrong dimension: ${fields.length} values, the header says ${dim}`);
    }
    const builder = this.builder as TableBuilder;
    if (!builder.wants(token)) return;
    const slot = builder.add(token);
    for (let j = 0; j < dim; j++) {
      const v = Number(fields[j]);
      if (Number.isNaN(v)) {
        this.decode(buf, te, e);
        this.fail(`value ${j + 1} is not a number`);
      }
      slot[j] = v;
    }
  }
}

/** Parses the word2vec binary format as bytes arrive; memory stays at one chunk plus one row. */
export class Word2VecBinaryParser implements Word2VecParser {
  private readonly decoder: TextDecoder;
  private readonly file?: string;
  private readonly vocabulary?: ReadonlySet<string>;
  private pending: Buffer = Buffer.alloc(0);
  /** Absolute byte offset of `pending[0]`. */
  private offset = 0;
  private header?: Header;
  private builder?: TableBuilder;
  private rows = 0;

  constructor(options: Word2VecParserOptions = {}) {
    this.decoder = createDecoder(options.encoding);
    this.file = options.file;
    this.vocabulary = options.vocabulary;
  }

  private fail(reason: string, byte: number, row: number | null = this.rows + 1): never {
    throw new EmbeddingFormatError({ file: this.file, row: row ?? undefined, byte }, reason);
  }

  push(chunk: Uint8Array): void {
    const incoming = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, incoming]) : incoming;
    const used = this.consume(buf, false);
    this.offset += used;
    this.pending = Buffer.from(buf.subarray(used));
  }

  finish(): EmbeddingTable {
    this.consume(this.pending, true);
    return (this.builder as TableBuilder).build();
  }

  /** Parses whole rows of `buf`; returns how many bytes were used. At `end`, checks what is left. */
  private consume(buf: Buffer, end: boolean): number {
    let pos = 0;
    if (!this.header) {
      const nl = buf.indexOf(NEWLINE);
      if (nl < 0) {
        if (end || buf.length > 1024) this.fail(buf.length === 0 ? `empty file: ${BAD_HEADER}` : BAD_HEADER, 0, null);
        return 0;
      }
      const header = parseHeader(buf.toString('latin1', 0, nl));
      if (!header) this.fail(BAD_HEADER, 0, null);
      this.header = header;
      this.builder = new TableBuilder(header.dim, header.rows, this.vocabulary);
      pos = nl + 1;
    }
    const { rows, dim } = this.header;
    const builder = this.builder as TableBuilder;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const rowBytes = dim * 4;
    while (this.rows < rows) {
      let s = pos;
      while (s < buf.length && buf[s] === NEWLINE) s++;
      if (s === buf.length) {
        if (end)
          this.fail(`truncated file: the header says ${rows} rows, the file ends after ${this.rows}`, this.offset + s);
        return s;
      }
      let sp = buf.indexOf(SPACE, s);
      if (sp < 0 || sp - s > MAX_TOKEN_BYTES) {
        if (sp >= 0 || buf.length - s > MAX_TOKEN_BYTES) {
          this.fail(
            `no space after the token within ${MAX_TOKEN_BYTES} bytes: not a word2vec binary file`,
            this.offset + s,
          );
        }
        if (end) this.fail('truncated file: the row ends inside its token', this.offset + s);
        return s;
      }
      if (sp === s) this.fail('empty token', this.offset + s);
      if (sp + 1 + rowBytes > buf.length) {
        if (end) {
          const have = buf.length - sp - 1;
          this.fail(
            `truncated file: the row has ${have} of its ${rowBytes} vector bytes (${dim} float32)`,
            this.offset + s,
          );
        }
        return s;
      }
      let token: string;
      try {
        token = this.decoder.decode(buf.subarray(s, sp));
      } catch {
        const name = this.decoder.encoding === 'utf-8' ? 'UTF-8' : this.decoder.encoding.toUpperCase();
        this.fail(`the token is not valid ${name}`, this.offset + s);
      }
      sp++;
      if (builder.wants(token)) {
        const slot = builder.add(token);
        for (let j = 0; j < dim; j++) slot[j] = view.getFloat32(sp + 4 * j, true);
      }
      this.rows++;
      pos = sp + rowBytes;
    }
    // All rows read: only line breaks and spaces may follow.
    for (let i = pos; i < buf.length; i++) {
      const b = buf[i];
      if (b !== NEWLINE && b !== CR && b !== SPACE && b !== TAB)
        this.fail(`data after the header's ${rows} rows`, this.offset + i, null);
    }
    return buf.length;
  }
}

/** Creates the parser of a format. */
export function createWord2VecParser(format: Word2VecFormat, options: Word2VecParserOptions = {}): Word2VecParser {
  return format === 'binary' ? new Word2VecBinaryParser(options) : new Word2VecTextParser(options);
}

/**
 * Guesses the format from the first bytes of a file (a few KiB are plenty): after the header and the first
 * token, the text format has only number characters, the binary format has raw float32 bytes.
 */
export function detectWord2VecFormat(head: Uint8Array): Word2VecFormat {
  const nl = head.indexOf(NEWLINE);
  if (nl < 0) return 'text';
  const header = parseHeader(Buffer.from(head.buffer, head.byteOffset, nl).toString('latin1'));
  if (!header) return 'text';
  let s = nl + 1;
  while (s < head.length && head[s] === NEWLINE) s++;
  const sp = head.indexOf(SPACE, s);
  if (sp < 0) return 'text';
  const end = Math.min(head.length, sp + 1 + header.dim * 4);
  for (let i = sp + 1; i < end; i++) {
    const c = head[i];
    if (c === NEWLINE) return 'text'; // a whole numeric row
    const numeric =
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x65 ||
      c === 0x45 ||
      c === SPACE ||
      c === TAB ||
      c === CR ||
      /[nNaAiIfFtTyY]/.test(String.fromCharCode(c));
    if (!numeric) return 'binary';
  }
  return 'text';
}

/** The shortest decimal that reads back as exactly this float32 (so text files round-trip bit for bit). */
export function formatFloat32(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (!Number.isFinite(value)) return String(value);
  const v = Math.fround(value);
  for (let p = 6; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return trimZeros(s);
  }
  return trimZeros(v.toPrecision(9));
}

function trimZeros(s: string): string {
  if (s.includes('e') || !s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 0x30) end--;
  if (s.charCodeAt(end - 1) === 0x2e) end--;
  return s.slice(0, end);
}

function checkWritableToken(token: string, row: number): void {
  if (token === '' || /[ \t\r\n]/.test(token)) {
    throw new EmbeddingFormatError(
      { row },
      'a token that is empty or holds a space, tab or line break cannot be written in word2vec format',
    );
  }
}

/** The header line of both formats: "ROWS DIM\n". */
export function encodeWord2VecHeader(table: EmbeddingTable): string {
  return `${table.size} ${table.dim}\n`;
}

/** Text-format lines of rows `[from, to)`: `token v1 ... vDIM\n` each. */
export function encodeWord2VecTextRows(table: EmbeddingTable, from: number, to: number): string {
  const { dim, vectors, tokens } = table;
  const lines: string[] = [];
  const fields: string[] = new Array(dim + 1);
  for (let i = from; i < to; i++) {
    checkWritableToken(tokens[i], i + 1);
    fields[0] = tokens[i];
    for (let j = 0; j < dim; j++) fields[j + 1] = formatFloat32(vectors[i * dim + j]);
    lines.push(fields.join(' '));
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** Binary-format bytes of rows `[from, to)`: `token ` + float32 LE values + "\n" each (Google's layout). */
export function encodeWord2VecBinaryRows(table: EmbeddingTable, from: number, to: number): Buffer {
  const { dim, vectors, tokens } = table;
  const encoded: Buffer[] = [];
  let bytes = 0;
  for (let i = from; i < to; i++) {
    checkWritableToken(tokens[i], i + 1);
    const t = Buffer.from(tokens[i] + ' ', 'utf8');
    encoded.push(t);
    bytes += t.length + dim * 4 + 1;
  }
  const out = Buffer.alloc(bytes);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let pos = 0;
  for (let i = from; i < to; i++) {
    const t = encoded[i - from];
    t.copy(out, pos);
    pos += t.length;
    for (let j = 0; j < dim; j++, pos += 4) view.setFloat32(pos, vectors[i * dim + j], true);
    out[pos++] = NEWLINE;
  }
  return out;
}
