import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mergeSortedLines, readLinePieces, readLines } from './line-file';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* from(lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

test('mergeSortedLines: removed lines go, added ones are sorted in, duplicates once', async () => {
  const merged = (
    await collect(mergeSortedLines(from(['a', 'c', 'e', 'g']), new Set(['c', 'g']), ['f', 'b', 'e', 'h']))
  ).join('');
  expect(merged).toBe('a\nb\ne\nf\nh\n');
  expect(await collect(mergeSortedLines(from([]), new Set(), []))).toEqual([]);
});

test('readLines and readLinePieces cut at line breaks only, whatever the chunk size', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'emr-lines-')), 'x.nq');
  const lines = Array.from({ length: 500 }, (_, i) => `<urn:s${i}> <urn:p> "高血压 ${i}" .`);
  writeFileSync(file, lines.join('\n') + '\n');
  expect(await collect(readLines(file))).toEqual(lines);
  const pieces = await collect(readLinePieces(file, 100));
  expect(pieces.length).toBeGreaterThan(10);
  expect(pieces.every((p) => p.endsWith('\n'))).toBe(true);
  expect(pieces.join('')).toBe(lines.join('\n') + '\n');
});
