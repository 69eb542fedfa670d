import { createReadStream } from 'node:fs';
import type { CorpusFormat } from '@emr-re/tokenize';

/**
 * The number of records a line-format corpus holds (its non-blank lines), counted from the raw bytes without
 * parsing, so that progress can show an ETA; undefined for folder formats, whose count is not worth a walk.
 */
export async function countRecordLines(file: string, format: CorpusFormat): Promise<number | undefined> {
  if (format !== 'jsonl' && format !== 'cmeie') return undefined;
  let count = 0;
  let lineHasContent = false;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0x0a) {
        if (lineHasContent) count++;
        lineHasContent = false;
      } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) lineHasContent = true;
    }
  }
  return lineHasContent ? count + 1 : count;
}
