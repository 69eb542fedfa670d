import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBratAnnotation } from './brat';
import { parseCcks2017Record } from './ccks2017';
import { parseCmeieLine } from './cmeie';
import { decodeText, readFileLines, resolveEncoding } from './encoding';
import { CorpusFormatError, EmrReError, RecordFormatError, UsageError } from './errors';
import { naturalCompare } from './offsets';
import { parseRecordLine } from './records';
import type { LineLocation, ParseOptions } from './records';
import { UNPAIRED_EXAMPLES, emptyReadStats, resetReadStats } from './stats';
import type { ReadStats } from './stats';
import type { CorpusReader, EmrRecord, Schema } from './types';

/** Corpus formats `openCorpus` reads. */
export type CorpusFormat = 'jsonl' | 'cmeie' | 'ccks2017' | 'brat' | 'text';

/** Every `CorpusFormat`, for option validation. */
export const CORPUS_FORMATS: readonly CorpusFormat[] = ['jsonl', 'cmeie', 'ccks2017', 'brat', 'text'];

/** Line-based formats (one record a line). */
export type LineFormat = 'jsonl' | 'cmeie';

/** How to read a corpus. */
export interface ReadOptions {
  /** Map source types and labels onto this schema (see `Schema.mappings`). */
  schema?: Schema;
  /** Skip invalid records (counted in `stats.skippedByReason`, passed to `onSkip`) instead of failing. */
  skipInvalid?: boolean;
  /** Called with each skipped record's error (only with `skipInvalid`). */
  onSkip?: (err: CorpusFormatError) => void;
  /** The name used for the file in error messages (line formats; default: the path). */
  file?: string;
  /**
   * The encoding of the corpus files (default `utf-8`; e.g. `gb18030`, see `isSupportedEncoding`). Bytes that do
   * not decode are a `RecordFormatError` (problem `encoding`) naming file and line, skipped like any invalid
   * record with `skipInvalid`. An unknown encoding is a `UsageError` from `openCorpus`.
   */
  encoding?: string;
}

/** A `CorpusReader` that also counts what it read, skipped and dropped (reset at each `read()`). */
export interface CorpusFileReader extends CorpusReader {
  readonly format: CorpusFormat;
  /** The path or name read. */
  readonly path: string;
  readonly stats: ReadStats;
  read(): AsyncIterable<EmrRecord>;
}

/** Either rethrows `err` or, with `skipInvalid` and a format error, counts it and tells `onSkip`. */
function skipOrThrow(err: unknown, options: ReadOptions, stats: ReadStats): void {
  if (!(err instanceof CorpusFormatError) || !options.skipInvalid) throw err;
  const reason = err instanceof RecordFormatError ? err.problem : 'invalid';
  stats.skipped++;
  stats.skippedByReason[reason] = (stats.skippedByReason[reason] ?? 0) + 1;
  options.onSkip?.(err);
}

/** Counts a record about to be yielded. */
function countRecord(record: EmrRecord, stats: ReadStats): void {
  stats.records++;
  if (record.entities.length === 0) stats.recordsWithoutEntities++;
}

/** Counts (and names the first few of) the files of a folder corpus that have no partner file. */
function countUnpaired(stats: ReadStats, root: string, files: string[]): void {
  stats.unpairedDocuments += files.length;
  for (const file of files.slice(0, UNPAIRED_EXAMPLES - stats.unpairedExamples.length))
    stats.unpairedExamples.push(relativeName(root, file));
}

/** `file` relative to `root`, '/'-separated. */
function relativeName(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

function duplicateId(loc: { file?: string; line?: number; recordId: string }, firstSeen: string): RecordFormatError {
  return new RecordFormatError({ ...loc, field: 'id' }, 'duplicate-id', `record id already used ${firstSeen}`);
}

function parseLine(format: LineFormat, line: string, loc: LineLocation, options: ParseOptions): EmrRecord {
  return format === 'jsonl' ? parseRecordLine(line, loc, options) : parseCmeieLine(line, loc, options);
}

/**
 * Yields the records of a line-based corpus from its lines (line 1 first; a leading BOM and blank lines are
 * ignored, but line numbers still count them). The pure core of the JSONL and CMeIE readers. A record whose id
 * an earlier record of the same read has is invalid (`duplicate-id`, naming the line of the first).
 */
export async function* recordsFromLines(
  lines: Iterable<string> | AsyncIterable<string>,
  format: LineFormat,
  options: ReadOptions = {},
  stats: ReadStats = emptyReadStats(),
): AsyncGenerator<EmrRecord> {
  const parse: ParseOptions = { schema: options.schema, stats };
  const firstLineOf = new Map<string, number>();
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    let line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    let record: EmrRecord;
    try {
      record = parseLine(format, line, { file: options.file, line: lineNo }, parse);
      const first = firstLineOf.get(record.id);
      if (first !== undefined)
        throw duplicateId({ file: options.file, line: lineNo, recordId: record.id }, `on line ${first}`);
      firstLineOf.set(record.id, lineNo);
    } catch (err) {
      skipOrThrow(err, options, stats);
      continue;
    }
    countRecord(record, stats);
    yield record;
  }
}

/** A reader over lines held in memory or produced by any (async) iterable, e.g. inline test data. */
export function corpusFromLines(
  lines: Iterable<string> | AsyncIterable<string>,
  format: LineFormat,
  options: ReadOptions = {},
): CorpusFileReader {
  const stats = emptyReadStats();
  return {
    format,
    path: options.file ?? '<lines>',
    stats,
    read: () => {
      resetReadStats(stats);
      return recordsFromLines(lines, format, options, stats);
    },
  };
}

function cannotOpen(file: string, err: unknown): CorpusFormatError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EISDIR'
        ? 'is a directory, expected a file'
        : (code ?? (err as Error).message);
  return new CorpusFormatError({ file }, `cannot read: ${why}`);
}

async function statOrFail(file: string): Promise<fs.Stats> {
  try {
    return await fs.promises.stat(file);
  } catch (err) {
    throw cannotOpen(file, err);
  }
}

/**
 * Streams the decoded lines of a file (see `readFileLines`); never holds the whole file. With `skipInvalid`, a
 * line that does not decode is counted and reported like an invalid record and read as blank.
 */
async function* fileLines(
  file: string,
  shownAs: string,
  options: ReadOptions,
  stats: ReadStats,
): AsyncGenerator<string> {
  const info = await statOrFail(file);
  if (info.isDirectory()) throw cannotOpen(shownAs, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  const lines = readFileLines(file, {
    encoding: options.encoding,
    shownAs,
    onInvalid: options.skipInvalid ? (err) => skipOrThrow(err, options, stats) : undefined,
  });
  try {
    for await (const line of lines) yield line;
  } catch (err) {
    const fromFs = !(err instanceof EmrReError) && (err as NodeJS.ErrnoException)?.syscall !== undefined;
    throw fromFs ? cannotOpen(shownAs, err) : err;
  }
}

/** Every file under `dir` (recursively) whose name `accept`s, in natural order of relative path. */
async function filesUnder(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await fs.promises.readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (accept(entry.name)) found.push(full);
    }
  };
  await walk(dir);
  return found.sort((a, b) => naturalCompare(path.relative(dir, a), path.relative(dir, b)));
}

/**
 * Reads the files of one document (in parallel) and decodes them strictly, in the order given, so an encoding
 * error names the first bad file. A leading BOM is dropped unless that file's `keepBom`.
 */
async function readTexts(
  options: ReadOptions,
  ...files: Array<{ file: string; keepBom?: boolean }>
): Promise<string[]> {
  const bytes = await Promise.all(files.map(({ file }) => fs.promises.readFile(file)));
  return files.map(({ file, keepBom }, i) => decodeText(bytes[i], { encoding: options.encoding, file, keepBom }));
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Fails unless `file` (the document a non-folder corpus path names) exists, naming the path the user gave. */
async function documentOrFail(given: string, file: string): Promise<void> {
  if (await exists(file)) return;
  const why = file === given ? 'no such file' : `no such folder, and no document ${path.basename(file)}`;
  throw new CorpusFormatError({ file: given }, `cannot read: ${why}`);
}

/**
 * Raw text records, no entities: the lines of a file (record `line-N` is line N; its text is the line as it
 * stands, so offsets point into it), or every `.txt` file under a folder (record = its path without `.txt`,
 * '/'-separated; the whole file is the text). A line or file of whitespace only, a file that is not `.txt` in a
 * folder, and bytes with NUL characters are invalid records (`empty-text`, `not-text`).
 */
export async function* recordsFromTextLines(
  lines: Iterable<string> | AsyncIterable<string>,
  options: ReadOptions = {},
  stats: ReadStats = emptyReadStats(),
): AsyncGenerator<EmrRecord> {
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    const recordId = `line-${lineNo}`;
    try {
      checkRawText(text, { file: options.file, line: lineNo, recordId });
    } catch (err) {
      skipOrThrow(err, options, stats);
      continue;
    }
    const record: EmrRecord = { id: recordId, text, entities: [], relations: [] };
    countRecord(record, stats);
    yield record;
  }
}

function checkRawText(text: string, loc: { file?: string; line?: number; recordId: string }): void {
  if (text.trim() === '') throw new RecordFormatError({ ...loc, field: 'text' }, 'empty-text', 'is empty');
  if (text.includes('\u0000'))
    throw new RecordFormatError({ ...loc, field: 'text' }, 'not-text', 'holds NUL characters: not a text file?');
}

async function* readRawText(root: string, options: ReadOptions, stats: ReadStats): AsyncGenerator<EmrRecord> {
  const info = await statOrFail(root);
  if (!info.isDirectory()) {
    const shownAs = options.file ?? root;
    const lineOptions = { ...options, file: shownAs };
    yield* recordsFromTextLines(fileLines(root, shownAs, lineOptions, stats), lineOptions, stats);
    return;
  }
  for (const file of await filesUnder(root, () => true)) {
    const name = relativeName(root, file);
    const recordId = name.endsWith('.txt') ? name.slice(0, -'.txt'.length) : name;
    let record: EmrRecord;
    try {
      if (!name.endsWith('.txt'))
        throw new RecordFormatError(
          { file, recordId, field: 'file' },
          'not-text',
          'is not a .txt file (a --format text folder holds one record per .txt file)',
        );
      const [text] = await readTexts(options, { file });
      checkRawText(text, { file, recordId });
      record = { id: recordId, text, entities: [], relations: [] };
    } catch (err) {
      skipOrThrow(err, options, stats);
      continue;
    }
    countRecord(record, stats);
    yield record;
  }
}

const CCKS_TEXT = '.txtoriginal.txt';

/** Strips a known extension from a file path given instead of a stem. */
function stemOf(file: string, extensions: string[]): string {
  for (const ext of extensions) if (file.endsWith(ext)) return file.slice(0, -ext.length);
  return file;
}

/**
 * CCKS 2017: each `X.txtoriginal.txt` (text) with its `X.txt` (entities). In a folder, an `X.txt` without its
 * `X.txtoriginal.txt` is not read but counted in `stats.unpairedDocuments`.
 */
async function* readCcks2017(root: string, options: ReadOptions, stats: ReadStats): AsyncGenerator<EmrRecord> {
  const info = await fs.promises.stat(root).catch(() => undefined);
  let stems: string[];
  if (info?.isDirectory()) {
    const files = await filesUnder(root, (name) => name.endsWith('.txt'));
    stems = files.filter((f) => f.endsWith(CCKS_TEXT)).map((f) => f.slice(0, -CCKS_TEXT.length));
    const texts = new Set(stems);
    const unpaired = files.filter((f) => !f.endsWith(CCKS_TEXT) && !texts.has(f.slice(0, -'.txt'.length)));
    countUnpaired(stats, root, unpaired);
  } else {
    const stem = stemOf(root, [CCKS_TEXT, '.txt']);
    await documentOrFail(root, stem + CCKS_TEXT);
    stems = [stem];
  }
  const parse: ParseOptions = { schema: options.schema, stats };
  const firstFileOf = new Map<string, string>();
  for (const stem of stems) {
    const entityFile = `${stem}.txt`;
    const recordId = `ccks2017-${path.basename(path.dirname(path.resolve(stem)))}-${path.basename(stem)}`;
    let record: EmrRecord;
    try {
      const first = firstFileOf.get(recordId);
      if (first !== undefined) throw duplicateId({ file: entityFile, recordId }, `by ${first}`);
      if (!(await exists(entityFile))) {
        throw new RecordFormatError(
          { file: entityFile, recordId },
          'missing-file',
          `the entity file of ${path.basename(stem)}${CCKS_TEXT} is missing`,
        );
      }
      const [text, entities] = await readTexts(options, { file: stem + CCKS_TEXT }, { file: entityFile });
      record = parseCcks2017Record(text, entities, { file: entityFile, recordId }, parse);
      firstFileOf.set(recordId, relativeName(root, entityFile));
    } catch (err) {
      skipOrThrow(err, options, stats);
      continue;
    }
    countRecord(record, stats);
    yield record;
  }
}

/**
 * BRAT: each `X.ann` with its `X.txt`. The `.txt` is read as brat reads it: a leading BOM stays in the text as
 * U+FEFF and counts in the offsets (brat's server decodes with Python's `utf-8` codec); a BOM is dropped only from
 * the `.ann`. In a folder, an `X.txt` without its `X.ann` is not read but counted in `stats.unpairedDocuments`.
 */
async function* readBrat(root: string, options: ReadOptions, stats: ReadStats): AsyncGenerator<EmrRecord> {
  const info = await fs.promises.stat(root).catch(() => undefined);
  let documents: Array<{ stem: string; name: string }>;
  if (info?.isDirectory()) {
    const files = await filesUnder(root, (name) => name.endsWith('.ann') || name.endsWith('.txt'));
    documents = files
      .filter((f) => f.endsWith('.ann'))
      .map((f) => {
        const stem = f.slice(0, -'.ann'.length);
        return { stem, name: relativeName(root, stem) };
      });
    const annotated = new Set(documents.map((d) => d.stem));
    countUnpaired(
      stats,
      root,
      files.filter((f) => f.endsWith('.txt') && !annotated.has(f.slice(0, -'.txt'.length))),
    );
  } else {
    const stem = stemOf(root, ['.ann', '.txt']);
    await documentOrFail(root, `${stem}.ann`);
    documents = [{ stem, name: path.basename(stem) }];
  }
  const parse: ParseOptions = { schema: options.schema, stats };
  for (const { stem, name } of documents) {
    const annFile = `${stem}.ann`;
    const recordId = `brat-${name}`;
    let record: EmrRecord;
    try {
      if (!(await exists(`${stem}.txt`)))
        throw new RecordFormatError(
          { file: `${stem}.txt`, recordId },
          'missing-file',
          'the text file of this .ann is missing',
        );
      const [text, ann] = await readTexts(options, { file: `${stem}.txt`, keepBom: true }, { file: annFile });
      record = parseBratAnnotation(text, ann, { file: annFile, recordId }, parse);
    } catch (err) {
      skipOrThrow(err, options, stats);
      continue;
    }
    countRecord(record, stats);
    yield record;
  }
}

/**
 * Opens a corpus for streaming. `jsonl` and `cmeie` read a file line by line (chunks of a read stream split on
 * `\n` and decoded line by line, so a file of any size is never held whole); `ccks2017` and `brat` read a folder
 * (recursively, in natural file order) or a single document given by its stem or one of its files. Nothing is
 * opened until `read()`. Files are decoded strictly in `options.encoding` (UTF-8 by default). Invalid records
 * (undecodable bytes and repeated record ids included) throw a `CorpusFormatError` naming file and line, or are
 * skipped with `skipInvalid`. An unknown format or encoding is a `UsageError`, thrown here.
 */
export function openCorpus(corpusPath: string, format: CorpusFormat, options: ReadOptions = {}): CorpusFileReader {
  if (!CORPUS_FORMATS.includes(format))
    throw new UsageError(`unknown corpus format '${String(format)}' (use ${CORPUS_FORMATS.join(', ')})`);
  if (options.encoding !== undefined) resolveEncoding(options.encoding);
  const stats = emptyReadStats();
  const read = (): AsyncIterable<EmrRecord> => {
    resetReadStats(stats);
    switch (format) {
      case 'jsonl':
      case 'cmeie': {
        const shownAs = options.file ?? corpusPath;
        const lineOptions = { ...options, file: shownAs };
        return recordsFromLines(fileLines(corpusPath, shownAs, lineOptions, stats), format, lineOptions, stats);
      }
      case 'text':
        return readRawText(corpusPath, options, stats);
      case 'ccks2017':
        return readCcks2017(corpusPath, options, stats);
      case 'brat':
        return readBrat(corpusPath, options, stats);
    }
  };
  return { format, path: corpusPath, stats, read };
}

/** Reads every record of a reader into memory (for corpora that fit; stream with `read()` otherwise). */
export async function readAllRecords(reader: CorpusReader): Promise<EmrRecord[]> {
  const records: EmrRecord[] = [];
  for await (const record of reader.read()) records.push(record);
  return records;
}
