import { gzipSync } from 'node:zlib';
import { ChunkFormatError, chunkRecords, decodeTextRecords, encodeLines } from './chunks';
import { checkJobName, jobKeys, queueName } from './keys';
import { redisOptions } from './redis';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

describe('chunkRecords', () => {
  it('cuts an input into chunks of the size, the last one shorter', async () => {
    expect(await collect(chunkRecords([1, 2, 3, 4, 5, 6, 7], 3))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(await collect(chunkRecords([1, 2], 2))).toEqual([[1, 2]]);
    expect(await collect(chunkRecords([], 2))).toEqual([]);
    await expect(collect(chunkRecords([1], 0))).rejects.toThrow(RangeError);
  });
});

describe('decodeTextRecords', () => {
  it('reads back what encodeLines stored', () => {
    const records = [
      { id: 'a', text: '糖尿病患者' },
      { id: 'b', text: '咳嗽\n三天' },
    ];
    expect(decodeTextRecords(encodeLines(records.map((r) => JSON.stringify(r))), 0, 0)).toEqual(records);
  });

  it('names the chunk, positions and ids of malformed records, never their text', () => {
    const data = encodeLines([
      JSON.stringify({ id: 'ok', text: '发热' }),
      JSON.stringify({ id: 'empty', text: '' }),
      '[1]',
      JSON.stringify({ text: '秘密文本' }),
      '{"id":"x","text":"头',
    ]);
    let error: unknown;
    try {
      decodeTextRecords(data, 3, 1500);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ChunkFormatError);
    expect((error as Error).message).toBe(
      'chunk 3: 4 malformed records: record 1 (input position 1501) id "empty": no text; record 2 (input position 1502): not an object; record 3 (input position 1503): no string id; record 4 (input position 1504): not JSON',
    );
    expect((error as Error).message).not.toContain('秘密');
  });

  it('rejects data that is not gzip', () => {
    expect(() => decodeTextRecords(Buffer.from('plain'), 2, 0)).toThrow(
      'chunk 2: its stored input is not gzip data (5 bytes)',
    );
    expect(decodeTextRecords(gzipSync(''), 0, 0)).toEqual([]);
  });
});

describe('keys and URLs', () => {
  it('keeps job names to what Redis keys and BullMQ queue names take', () => {
    expect(checkJobName('ward-7.2026_12')).toBe('ward-7.2026_12');
    for (const bad of ['', 'a:b', 'a b', '-x', 'x'.repeat(101)]) expect(() => checkJobName(bad)).toThrow('--job');
    expect(queueName('j1')).toBe('emr-re.j1');
    expect(jobKeys('j1').input(4)).toBe('emr-re:job:j1:in:4');
  });

  it('reads host, port, credentials and database from a redis URL', () => {
    expect(redisOptions('redis://u:p%40ss@10.0.0.2:6380/3')).toMatchObject({
      host: '10.0.0.2',
      port: 6380,
      username: 'u',
      password: 'p@ss',
      db: 3,
    });
    expect(redisOptions('redis://localhost')).toMatchObject({ host: 'localhost', port: 6379, db: 0 });
    expect(() => redisOptions('http://localhost')).toThrow('redis:// or rediss://');
    expect(() => redisOptions('redis://localhost/x')).toThrow('database must be a number');
  });
});
