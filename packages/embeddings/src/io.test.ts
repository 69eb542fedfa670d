import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorpusFormatError, isUserError, UsageError } from '@emr-re/tokenize';
import { EmbeddingFormatError } from './errors';
import { EmbeddingFileError, loadWord2Vec, readCorpusLines, writeWord2VecBinary, writeWord2VecText } from './io';
import { EmbeddingTable } from './table';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emr-emb-io-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** 300 rows x 7 dims of distinct values: big enough to span several small read chunks. */
function bigTable(): EmbeddingTable {
  const tokens = Array.from({ length: 300 }, (_, i) => String.fromCharCode(0x4e00 + i));
  const vectors = Float32Array.from({ length: 300 * 7 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
  return new EmbeddingTable(tokens, vectors, 7);
}

describe('writers and loadWord2Vec', () => {
  it.each(['text', 'binary'] as const)('%s: write, then stream back with small chunks, exactly', async (format) => {
    const table = bigTable();
    const path = join(dir, `v.${format === 'text' ? 'vec' : 'bin'}`);
    await (format === 'text' ? writeWord2VecText(path, table) : writeWord2VecBinary(path, table));
    expect(readFileSync(path, 'latin1').split('\n')[0]).toBe('300 7');
    for (const f of [format, 'auto'] as const) {
      const back = await loadWord2Vec(path, { format: f, chunkBytes: 97 });
      expect(back.tokens).toEqual(table.tokens);
      expect(Buffer.from(back.vectors.buffer).equals(Buffer.from(table.vectors.buffer))).toBe(true);
    }
    const some = await loadWord2Vec(path, { vocabulary: ['丁', '七', '不在'], chunkBytes: 50 });
    expect(some.tokens).toEqual(['丁', '七']);
    expect(Array.from(some.lookup('七')!)).toEqual(Array.from(table.lookup('七')!));
  });

  it('replaces an existing file atomically and leaves no temp file', async () => {
    const path = join(dir, 'v.vec');
    writeFileSync(path, 'old');
    await writeWord2VecText(path, EmbeddingTable.fromEntries([['腹', [1, 2]]]));
    expect(readFileSync(path, 'utf8')).toBe('1 2\n腹 1 2\n');
    expect(readdirSync(dir)).toEqual(['v.vec']);
  });

  it('keeps the old file and removes the temp file when a token cannot be written', async () => {
    const path = join(dir, 'v.vec');
    writeFileSync(path, 'old');
    await expect(writeWord2VecText(path, EmbeddingTable.fromEntries([['a b', [1]]]))).rejects.toThrow(
      EmbeddingFormatError,
    );
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['v.vec']);
  });

  it('names the file and line of a malformed file', async () => {
    const path = join(dir, 'bad.vec');
    writeFileSync(path, '2 3\n腹 1 2 3\n痛 1 2 3 4\n');
    await expect(loadWord2Vec(path)).rejects.toThrow(`${path}:3: wrong dimension: 4 values, the header says 3`);
  });

  it('turns a missing file into a user error', async () => {
    const err = await loadWord2Vec(join(dir, 'nope.vec')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddingFileError);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toBe(`${join(dir, 'nope.vec')}: no such file`);
  });
});

describe('readCorpusLines', () => {
  it('yields the lines of several files, however they end', async () => {
    writeFileSync(join(dir, 'a.txt'), '腹痛\r\n\n胸闷');
    writeFileSync(join(dir, 'b.txt'), '肝\n');
    const lines: string[] = [];
    for await (const l of readCorpusLines([join(dir, 'a.txt'), join(dir, 'b.txt')])) lines.push(l);
    expect(lines).toEqual(['腹痛', '', '胸闷', '肝']);
  });

  it('names file and line of invalid UTF-8', async () => {
    const path = join(dir, 'c.txt');
    writeFileSync(path, Buffer.concat([Buffer.from('腹痛\n胸闷\n'), Buffer.from([0xe8, 0x85, 0x0a])]));
    const err = await (async () => {
      for await (const l of readCorpusLines(path)) void l;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusFormatError);
    expect((err as Error).message).toBe(
      `${path}:3: not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)`,
    );
  });

  it('reads GB18030 with encoding gb18030, drops a BOM, and refuses an unknown encoding at the call', async () => {
    const path = join(dir, 'gb.txt');
    // BOM (EF BB BF is UTF-8's; GB18030's is 84 31 95 33), 你好 = C4 E3 BA C3, 你 = C4 E3
    writeFileSync(path, Buffer.from([0x84, 0x31, 0x95, 0x33, 0xc4, 0xe3, 0xba, 0xc3, 0x0d, 0x0a, 0xc4, 0xe3]));
    const lines: string[] = [];
    for await (const l of readCorpusLines(path, { encoding: 'gb18030' })) lines.push(l);
    expect(lines).toEqual(['你好', '你']);
    const err = await (async () => {
      for await (const l of readCorpusLines(path)) void l;
    })().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1: not valid UTF-8 \\(`),
    );
    expect(() => readCorpusLines(path, { encoding: 'nope' })).toThrow(UsageError);
    const bom = join(dir, 'bom.txt');
    writeFileSync(bom, '\ufeff腹痛\n胸闷\n');
    const read: string[] = [];
    for await (const l of readCorpusLines(bom)) read.push(l);
    expect(read).toEqual(['腹痛', '胸闷']);
  });
});

describe('loadWord2Vec text encoding', () => {
  it('rejects invalid UTF-8 naming file:line, and reads GB18030 with encoding gb18030', async () => {
    const path = join(dir, 'gb.vec');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from('2 1\n'),
        Buffer.from([0xc4, 0xe3]),
        Buffer.from(' 0.5\n'),
        Buffer.from([0xba, 0xc3]),
        Buffer.from(' -1\n'),
      ]),
    );
    const err = await loadWord2Vec(path, { format: 'text' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddingFormatError);
    expect((err as Error).message).toBe(
      `${path}:2: not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)`,
    );
    const table = await loadWord2Vec(path, { encoding: 'gb18030', chunkBytes: 3 });
    expect(table.tokens).toEqual(['你', '好']);
    expect(Array.from(table.vectors)).toEqual([0.5, -1]);
    await expect(loadWord2Vec(path, { encoding: 'nope' })).rejects.toThrow(UsageError);
  });
});
