import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCcks2017Record } from './ccks2017';
import { decodeText } from './encoding';
import { CorpusFormatError, RecordFormatError } from './errors';
import { annotateEmrRecord, parseEmrAnnotationLine } from './emr-annotations';
import type { EmrAnnotation, EmrSplit } from './emr-annotations';
import { loadSchemaSync } from './schema';
import type { CorpusReader, EmrRecord, Schema } from './types';

/** How to read the EMR relation corpus. */
export interface EmrCorpusOptions {
  /** The schema of the annotations' labels and of the entity types (default: the shipped `paper` schema). */
  schema?: Schema;
  /** Only documents of this part (default: both). */
  split?: EmrSplit;
  /** The name shown for the annotation file in errors (default: the path). */
  file?: string;
}

/** One annotated document: its record (relations, entity assertions) and where it sits in the corpus. */
export interface EmrCorpusDocument {
  /** Id `ccks2017-<folder>-<name>`, the id `openCorpus(dir, 'ccks2017')` gives the same document. */
  record: EmrRecord;
  /** `<folder>/<name>` as in the annotation file. */
  source: string;
  split: EmrSplit;
  annotator: string;
}

/** The record id the CCKS 2017 folder reader gives `<folder>/<name>`. */
export function emrRecordId(source: string): string {
  const [folder, name] = source.split('/');
  return `ccks2017-${folder}-${name}`;
}

/**
 * Reads an EMR relation annotation file (`corpus/emr-relations/annotations.jsonl`: one `EmrAnnotation` a line,
 * stand-off, no text) together with the CCKS 2017 CNER folder it annotates: each line's document is read from
 * `<ccksDir>/<folder>/<name>.txtoriginal.txt` and its gold entities from `<name>.txt`, and every span of the line
 * is checked against those entities (`annotateEmrRecord`). A malformed line, a span that is no gold entity, a
 * label that does not fit its pair, a missing document or a document annotated twice is a `CorpusFormatError`
 * naming the annotation file, line, record and field; record text never appears in a message.
 */
export async function readEmrCorpus(
  annotationsFile: string,
  ccksDir: string,
  options: EmrCorpusOptions = {},
): Promise<EmrCorpusDocument[]> {
  const schema = options.schema ?? loadSchemaSync('paper');
  const shownAs = options.file ?? annotationsFile;
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(annotationsFile);
  } catch (err) {
    throw new CorpusFormatError({ file: shownAs }, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const lines = decodeText(bytes, { file: shownAs }).split('\n');
  const documents: EmrCorpusDocument[] = [];
  const firstLine = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') continue;
    const location = { file: shownAs, line: i + 1 };
    const annotation: EmrAnnotation = parseEmrAnnotationLine(line, location);
    const at = { ...location, recordId: annotation.record };
    const first = firstLine.get(annotation.record);
    if (first !== undefined)
      throw new RecordFormatError({ ...at, field: 'record' }, 'duplicate-id', `already annotated on line ${first}`);
    firstLine.set(annotation.record, i + 1);
    if (options.split !== undefined && annotation.split !== options.split) continue;
    const stem = path.join(ccksDir, ...annotation.record.split('/'));
    let text: string;
    let entityFile: string;
    try {
      [text, entityFile] = await Promise.all(
        [`${stem}.txtoriginal.txt`, `${stem}.txt`].map(async (f) =>
          decodeText(await fs.promises.readFile(f), { file: f }),
        ),
      );
    } catch (err) {
      if (err instanceof CorpusFormatError) throw err;
      throw new RecordFormatError(
        { ...at, field: 'record' },
        'missing-file',
        `the document is not in ${ccksDir} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
    const gold = parseCcks2017Record(
      text,
      entityFile,
      { file: `${stem}.txt`, recordId: emrRecordId(annotation.record) },
      { schema },
    );
    const record = annotateEmrRecord(gold, annotation, { schema, location });
    documents.push({ record, source: annotation.record, split: annotation.split, annotator: annotation.annotator });
  }
  return documents;
}

/** The EMR relation corpus as a `CorpusReader` of its records (format `emr-corpus`), e.g. its test part. */
export function openEmrCorpus(annotationsFile: string, ccksDir: string, options: EmrCorpusOptions = {}): CorpusReader {
  return {
    format: 'emr-corpus',
    async *read() {
      for (const doc of await readEmrCorpus(annotationsFile, ccksDir, options)) yield doc.record;
    },
  };
}
