/** A chunk's records as gzip-compressed JSONL, both ways, and the records of an input cut into chunks. */
import { gunzipSync, gzipSync } from 'node:zlib';
import { EmrReError } from '@emr-re/tokenize';

/** A chunk that cannot be read (not gzip, a line that is not a record): its data, not the worker, is at fault. */
export class ChunkFormatError extends EmrReError {
  constructor(message: string) {
    super('CHUNK_FORMAT', message);
  }
}

/** What extraction reads of a record. */
export interface TextRecord {
  id: string;
  text: string;
}

/** Cuts `records` into arrays of `size` (the last one shorter), reading the input only as they are taken. */
export async function* chunkRecords<T>(records: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be ≥ 1, got ${size}`);
  let pending: T[] = [];
  for await (const record of records) {
    pending.push(record);
    if (pending.length >= size) {
      yield pending;
      pending = [];
    }
  }
  if (pending.length > 0) yield pending;
}

/** JSONL lines, one string each, gzip-compressed. */
export function encodeLines(lines: readonly string[]): Buffer {
  return gzipSync(lines.map((l) => l + '\n').join(''));
}

/**
 * The records of a chunk stored by `encodeLines`. Records are patient data: errors name the chunk, the record's
 * position (in the chunk and in the input, from `first`) and its id when there is one, never its text.
 * @throws ChunkFormatError when the data is not gzip or a line is not `{"id": string, "text": non-empty string}`.
 */
export function decodeTextRecords(data: Buffer, chunk: number, first: number): TextRecord[] {
  let text: string;
  try {
    text = gunzipSync(data).toString('utf8');
  } catch {
    throw new ChunkFormatError(`chunk ${chunk}: its stored input is not gzip data (${data.length} bytes)`);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const bad: string[] = [];
  const records: TextRecord[] = [];
  lines.forEach((line, i) => {
    const where = `record ${i} (input position ${first + i})`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad.push(`${where}: not JSON`);
      return;
    }
    const r = value as { id?: unknown; text?: unknown } | null;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) bad.push(`${where}: not an object`);
    else if (typeof r.id !== 'string' || r.id === '') bad.push(`${where}: no string id`);
    else if (typeof r.text !== 'string' || r.text === '') bad.push(`${where} id ${JSON.stringify(r.id)}: no text`);
    else records.push({ id: r.id, text: r.text });
  });
  if (bad.length > 0)
    throw new ChunkFormatError(
      `chunk ${chunk}: ${bad.length} malformed record${bad.length === 1 ? '' : 's'}: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? '; ...' : ''}`,
    );
  return records;
}
