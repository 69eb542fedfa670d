import { UsageError } from '@emr-re/tokenize';
import { EmbeddingFormatError } from './errors';
import {
  detectWord2VecFormat,
  encodeWord2VecBinaryRows,
  encodeWord2VecHeader,
  encodeWord2VecTextRows,
  formatFloat32,
  Word2VecBinaryParser,
  Word2VecTextParser,
  type Word2VecParser,
} from './format';
import { EmbeddingTable } from './table';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Feeds `bytes` in pieces of `size` bytes, as a stream would. */
function feed(parser: Word2VecParser, bytes: Uint8Array, size: number): EmbeddingTable {
  for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, Math.min(bytes.length, i + size)));
  return parser.finish();
}

function errorOf(f: () => unknown): EmbeddingFormatError {
  try {
    f();
  } catch (err) {
    if (err instanceof EmbeddingFormatError) return err;
    throw err;
  }
  throw new Error('expected an EmbeddingFormatError');
}

/** Binary bytes the way gensim writes them: no newline after a row. */
function gensimBinary(rows: [string, number[]][], dim: number): Buffer {
  const parts: Buffer[] = [enc(`${rows.length} ${dim}\n`)];
  for (const [token, values] of rows) {
    parts.push(enc(token + ' '));
    const v = Buffer.alloc(dim * 4);
    values.forEach((x, j) => v.writeFloatLE(x, j * 4));
    parts.push(v);
  }
  return Buffer.concat(parts);
}

const sample = EmbeddingTable.fromEntries([
  ['腹', [0.1, -2.5, 3e-8]],
  ['痛', [1 / 3, 0, -0]],
  ['𠀋', [123456.789, -1e-30, 7]],
]);

describe('word2vec text format', () => {
  const text = '3 2\n腹 0.5 -1\n痛 1e-3 2 \r\n\nX 3 4\n';

  it('parses any chunking the same, tolerating CRLF, trailing spaces and blank lines', () => {
    for (const size of [1, 2, 7, 1000]) {
      const t = feed(new Word2VecTextParser(), enc(text), size);
      expect(t.tokens).toEqual(['腹', '痛', 'X']);
      expect(Array.from(t.vectors)).toEqual([0.5, -1, Math.fround(1e-3), 2, 3, 4]);
    }
  });

  it('keeps only vocabulary rows', () => {
    const t = feed(new Word2VecTextParser({ vocabulary: new Set(['X', '痛', '肺']) }), enc(text), 5);
    expect(t.tokens).toEqual(['痛', 'X']);
    expect(Array.from(t.lookup('X')!)).toEqual([3, 4]);
  });

  it('round-trips float32 values exactly', () => {
    const bytes = enc(encodeWord2VecHeader(sample) + encodeWord2VecTextRows(sample, 0, sample.size));
    const back = feed(new Word2VecTextParser(), bytes, 3);
    expect(back.tokens).toEqual(sample.tokens);
    expect(Array.from(back.vectors)).toEqual(Array.from(sample.vectors));
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(0.5)).toBe('0.5');
    expect(Math.fround(Number(formatFloat32(Math.fround(Math.PI))))).toBe(Math.fround(Math.PI));
  });

  it('names the line of a wrong dimension', () => {
    const e = errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), enc('2 3\na 1 2 3\nb 1 2\n'), 4));
    expect(e.message).toBe('v.vec:3: wrong dimension: 2 values, the header says 3');
    expect(e.code).toBe('EMBEDDING_FORMAT');
    expect(e.location).toEqual({ file: 'v.vec', line: 3 });
  });

  it('reports a truncated file: fewer rows than the header, or a cut last line', () => {
    const fewer = errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), enc('3 2\na 1 2\nb 3 4\n'), 100));
    expect(fewer.message).toBe('v.vec:3: truncated file: the header says 3 rows, the file ends after 2');
    const cut = errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), enc('2 3\na 1 2 3\nb 1 2'), 100));
    expect(cut.message).toBe('v.vec:3: truncated file: wrong dimension: 2 values, the header says 3');
  });

  it('rejects bad UTF-8 in a token or a value, naming the line and suggesting GB18030', () => {
    const hint = 'not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)';
    const bytes = Buffer.concat([enc('2 1\nok 1\n'), Buffer.from([0xe8, 0x85]), enc(' 2\n')]);
    const e = errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), bytes, 3));
    expect(e.message).toBe(`v.vec:3: ${hint}`);
    expect(e.location).toEqual({ file: 'v.vec', line: 3 });
    const inValue = Buffer.concat([enc('1 2\nok 1 '), Buffer.from([0xff]), enc('\n')]);
    expect(errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), inValue, 4)).message).toBe(`v.vec:2: ${hint}`);
  });

  it('reads GB18030 tokens with encoding gb18030 (a GB18030 BOM on the header is fine)', () => {
    // 你 = C4 E3, 好 = BA C3 in GB18030; 84 31 95 33 is its byte-order mark
    const bytes = Buffer.concat([
      Buffer.from([0x84, 0x31, 0x95, 0x33]),
      enc('2 2\n'),
      Buffer.from([0xc4, 0xe3]),
      enc(' 1 2\n'),
      Buffer.from([0xba, 0xc3]),
      enc(' 3 4\n'),
    ]);
    const t = feed(new Word2VecTextParser({ file: 'v.vec', encoding: 'gb18030' }), bytes, 3);
    expect(t.tokens).toEqual(['你', '好']);
    expect(Array.from(t.lookup('好')!)).toEqual([3, 4]);
    // The same bytes as UTF-8 fail on line 1 (the GB18030 BOM), or without the BOM on line 2 (the first token).
    const asUtf8 = (b: Buffer): string => errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), b, 3)).message;
    expect(asUtf8(bytes)).toMatch(/^v\.vec:1: not valid UTF-8 \(GBK\/GB18030\?/);
    expect(asUtf8(bytes.subarray(4))).toMatch(/^v\.vec:2: not valid UTF-8 \(GBK\/GB18030\?/);
  });

  it('refuses an unknown encoding as a usage error', () => {
    expect(() => new Word2VecTextParser({ encoding: 'klingon' })).toThrow(UsageError);
    expect(() => new Word2VecTextParser({ encoding: 'klingon' })).toThrow(
      "unknown encoding 'klingon' (use utf-8, gb18030, gbk, big5)",
    );
  });

  it('rejects bad headers, bad numbers and extra rows', () => {
    expect(errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), enc('腹 1 2\n'), 10)).message).toMatch(
      /^v\.vec:1: bad header/,
    );
    expect(errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), enc('2 0\n'), 10)).message).toMatch(
      /^v\.vec:1: bad header/,
    );
    expect(errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), enc(''), 10)).message).toMatch(
      /^v\.vec:1: empty file/,
    );
    expect(errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), enc('1 2\na 1 x\n'), 10)).message).toBe(
      'v.vec:2: value 2 is not a number',
    );
    expect(errorOf(() => feed(new Word2VecTextParser({ file: 'v.vec' }), enc('1 1\na 1\nb 2\n'), 10)).message).toBe(
      "v.vec:3: more rows than the header's 1",
    );
  });
});

describe('word2vec binary format', () => {
  it("round-trips Google's layout bit for bit in any chunking", () => {
    const bytes = Buffer.concat([enc(encodeWord2VecHeader(sample)), encodeWord2VecBinaryRows(sample, 0, sample.size)]);
    for (const size of [1, 5, 64, 1 << 20]) {
      const back = feed(new Word2VecBinaryParser(), bytes, size);
      expect(back.tokens).toEqual(sample.tokens);
      expect(Buffer.from(back.vectors.buffer).equals(Buffer.from(sample.vectors.buffer))).toBe(true);
    }
  });

  it("reads gensim's layout (no newline after rows) with a vocabulary filter", () => {
    // 0x20 (space) and 0x0a (newline) bytes inside the floats must not confuse the parser.
    const spaceFloat = Buffer.from([0x20, 0x20, 0x0a, 0x20]).readFloatLE(0);
    const bytes = gensimBinary(
      [
        ['a', [spaceFloat, 1]],
        ['肺', [2, spaceFloat]],
        ['c', [5, 6]],
      ],
      2,
    );
    const t = feed(new Word2VecBinaryParser({ vocabulary: new Set(['肺', 'c']) }), bytes, 3);
    expect(t.tokens).toEqual(['肺', 'c']);
    expect(Array.from(t.vectors)).toEqual([2, spaceFloat, 5, 6]);
  });

  it('reports a row cut inside its vector, with row and byte offset', () => {
    const bytes = gensimBinary(
      [
        ['a', [1, 2]],
        ['b', [3, 4]],
      ],
      2,
    ).subarray(0, 4 + 10 + 6);
    const e = errorOf(() => feed(new Word2VecBinaryParser({ file: 'v.bin' }), bytes, 4));
    expect(e.message).toBe('v.bin: row 2: byte 14: truncated file: the row has 4 of its 8 vector bytes (2 float32)');
    expect(e.location).toEqual({ file: 'v.bin', row: 2, byte: 14 });
  });

  it('reports fewer rows than the header says', () => {
    const bytes = Buffer.concat([enc('3 1\n'), gensimBinary([['a', [1]]], 1).subarray(4)]);
    expect(errorOf(() => feed(new Word2VecBinaryParser({ file: 'v.bin' }), bytes, 100)).message).toBe(
      'v.bin: row 2: byte 10: truncated file: the header says 3 rows, the file ends after 1',
    );
  });

  it('rejects bad UTF-8 tokens, bad headers and trailing data', () => {
    const bad = Buffer.concat([enc('1 1\n'), Buffer.from([0xff, 0x20]), Buffer.alloc(4)]);
    expect(errorOf(() => feed(new Word2VecBinaryParser({ file: 'v.bin' }), bad, 2)).message).toBe(
      'v.bin: row 1: byte 4: the token is not valid UTF-8',
    );
    expect(errorOf(() => feed(new Word2VecBinaryParser({ file: 'v.bin' }), enc('three 4\n'), 2)).message).toMatch(
      /^v\.bin: byte 0: bad header/,
    );
    const extra = Buffer.concat([gensimBinary([['a', [1]]], 1), enc('\nzz')]);
    expect(errorOf(() => feed(new Word2VecBinaryParser({ file: 'v.bin' }), extra, 100)).message).toBe(
      "v.bin: byte 11: data after the header's 1 rows",
    );
    const noSpace = Buffer.concat([enc('1 1\n'), Buffer.alloc(5000, 0x61)]);
    expect(errorOf(() => feed(new Word2VecBinaryParser({ file: 'v.bin' }), noSpace, 1000)).message).toMatch(
      /no space after the token/,
    );
  });
});

describe('detectWord2VecFormat', () => {
  it('tells text from binary by the bytes after the first token', () => {
    expect(detectWord2VecFormat(enc('2 3\n腹 0.1 -2e-5 3\n'))).toBe('text');
    expect(detectWord2VecFormat(gensimBinary([['腹', [0.1, -0.2, 0.3]]], 3))).toBe('binary');
    expect(
      detectWord2VecFormat(Buffer.concat([enc(encodeWord2VecHeader(sample)), encodeWord2VecBinaryRows(sample, 0, 3)])),
    ).toBe('binary');
  });
});
