import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  decodeLines,
  decodeText,
  ENCODINGS,
  invalidEncodingReason,
  isSupportedEncoding,
  readFileLines,
  resolveEncoding,
} from './encoding';
import { RecordFormatError, UsageError } from './errors';

const UTF8_HINT = 'not valid UTF-8 (GBK/GB18030? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030)';
// GB18030: 你 = C4 E3, 好 = BA C3; its byte-order mark is 84 31 95 33
const NI_HAO_GB = [0xc4, 0xe3, 0xba, 0xc3];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-encoding-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function errorOf(f: () => unknown): RecordFormatError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(RecordFormatError);
    return err as RecordFormatError;
  }
  throw new Error('expected a RecordFormatError');
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('encodings', () => {
  it('resolves labels to canonical names and refuses unknown or UTF-16 ones as usage errors', () => {
    expect(ENCODINGS).toEqual(['utf-8', 'gb18030', 'gbk', 'big5']);
    expect(resolveEncoding()).toBe('utf-8');
    expect(resolveEncoding('UTF8')).toBe('utf-8');
    expect(resolveEncoding('GB18030')).toBe('gb18030');
    expect(resolveEncoding('gb2312')).toBe('gbk');
    expect([isSupportedEncoding('gbk'), isSupportedEncoding('utf-16le'), isSupportedEncoding('nope')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(() => resolveEncoding('nope')).toThrow(UsageError);
    expect(() => resolveEncoding('nope')).toThrow("unknown encoding 'nope' (use utf-8, gb18030, gbk, big5)");
    expect(() => resolveEncoding('utf-16le')).toThrow(UsageError);
    expect(invalidEncodingReason('utf8')).toBe(UTF8_HINT);
    expect(invalidEncodingReason('gb18030')).toBe('not valid GB18030 (wrong --encoding?)');
  });
});

describe('decodeText', () => {
  it('names the line of the first invalid byte, never the text', () => {
    const bytes = Buffer.concat([Buffer.from('第一行\n第二行\r\n'), Buffer.from(NI_HAO_GB), Buffer.from('\n第四行\n')]);
    const err = errorOf(() => decodeText(bytes, { file: 'a.txt' }));
    expect(err.problem).toBe('encoding');
    expect(err.location).toEqual({ file: 'a.txt', line: 3 });
    expect(err.message).toBe(`a.txt:3: ${UTF8_HINT}`);
  });

  it('decodes GB18030 and drops a leading BOM unless keepBom', () => {
    const bytes = Buffer.from([0x84, 0x31, 0x95, 0x33, ...NI_HAO_GB]);
    expect(decodeText(bytes, { encoding: 'gb18030' })).toBe('你好');
    expect(decodeText(bytes, { encoding: 'gb18030', keepBom: true })).toBe('\ufeff你好');
    expect(decodeText(Buffer.from('\ufeff你好'))).toBe('你好');
    expect(decodeText(Buffer.from('\ufeff你好'), { keepBom: true })).toBe('\ufeff你好');
  });
});

describe('decodeLines', () => {
  it('splits on \\n in any chunking, strips one \\r, drops a BOM on line 1 only', async () => {
    const bytes = Buffer.from('\ufeff腹痛\r\n\n\ufeff胸闷\r\r\n肝');
    for (const size of [1, 2, 5, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(await collect(decodeLines(chunks))).toEqual(['腹痛', '', '\ufeff胸闷\r', '肝']);
    }
    expect(await collect(decodeLines([Buffer.from('a\n')]))).toEqual(['a']);
  });

  it('throws at the first invalid line, or reports it to onInvalid and reads it as blank', async () => {
    const chunks = [Buffer.from('一\n二\n'), Buffer.from([0xe4, 0xbd]), Buffer.from('\n四\n')];
    await expect(collect(decodeLines(chunks, { shownAs: 'x.jsonl' }))).rejects.toThrow(`x.jsonl:3: ${UTF8_HINT}`);
    const bad: RecordFormatError[] = [];
    expect(await collect(decodeLines(chunks, { shownAs: 'x.jsonl', onInvalid: (e) => bad.push(e) }))).toEqual([
      '一',
      '二',
      '',
      '四',
    ]);
    expect(bad.map((e) => [e.problem, e.location.line])).toEqual([['encoding', 3]]);
  });

  it('refuses a line longer than maxLineBytes', async () => {
    const chunks = [Buffer.from('ok\n'), Buffer.alloc(40, 0x61), Buffer.alloc(40, 0x61)];
    await expect(collect(decodeLines(chunks, { shownAs: 'big.txt', maxLineBytes: 64 }))).rejects.toThrow(
      'big.txt:2: line longer than 64 bytes: not a line-based text file?',
    );
  });
});

describe('readFileLines', () => {
  it('streams a GB18030 file with encoding gb18030', async () => {
    const file = path.join(dir, 'gb.txt');
    fs.writeFileSync(file, Buffer.from([0x84, 0x31, 0x95, 0x33, ...NI_HAO_GB, 0x0d, 0x0a, 0xc4, 0xe3, 0x0a]));
    expect(await collect(readFileLines(file, { encoding: 'gb18030' }))).toEqual(['你好', '你']);
    await expect(collect(readFileLines(file))).rejects.toThrow(`${file}:1: ${UTF8_HINT}`);
    await expect(collect(readFileLines(file, { encoding: 'ebcdic-klingon' }))).rejects.toThrow(UsageError);
  });

  it('passes file system errors through unchanged', async () => {
    await expect(collect(readFileLines(path.join(dir, 'none.txt')))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
