/** Base class of every error that a user (not a bug) causes. The CLI prints its message on one line, exit code 2. */
export class EmrReError extends Error {
  /** A stable machine-readable code, e.g. "CORPUS_FORMAT". */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Where in an input a problem sits. Records are patient data: locations name positions and ids, never text. */
export interface SourceLocation {
  file?: string;
  /** 1-based line number (JSONL, CCKS entity file, BRAT .ann). */
  line?: number;
  /** Record id, when known. */
  recordId?: string;
  /** The field at fault, e.g. "entities[2].end". */
  field?: string;
}

/** Renders a location as `file:line: record X: field F`. */
export function formatLocation(loc: SourceLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.line !== undefined ? `${loc.file}:${loc.line}` : loc.file);
  else if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.recordId !== undefined) parts.push(`record ${loc.recordId}`);
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  return parts.join(': ');
}

/** A record or line that does not follow its format. Message: `file:line: field F: what is wrong (line N)`. */
export class CorpusFormatError extends EmrReError {
  readonly location: SourceLocation;
  readonly reason: string;
  constructor(location: SourceLocation, reason: string) {
    const where = formatLocation(location);
    super('CORPUS_FORMAT', where ? `${where}: ${reason}` : reason);
    this.location = location;
    this.reason = reason;
  }
}

/** A schema file that is not a valid schema. */
export class SchemaError extends EmrReError {
  constructor(message: string) {
    super('SCHEMA', message);
  }
}

/** Bad command-line usage or options. */
export class UsageError extends EmrReError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** True when `err` was caused by the user's input rather than a bug. */
export function isUserError(err: unknown): err is EmrReError {
  return err instanceof EmrReError;
}

/** The kind of problem a `RecordFormatError` reports, so skipped records can be counted by reason. */
export type RecordProblem =
  | 'malformed-json'
  | 'malformed-line'
  | 'missing-field'
  | 'wrong-type'
  | 'bad-offset'
  | 'mention-mismatch'
  | 'duplicate-id'
  | 'dangling-relation'
  | 'unknown-type'
  | 'missing-file'
  /** Bytes that do not decode in the expected encoding (see `ReadOptions.encoding`). */
  | 'encoding'
  /** A raw-text record (`text` format) with nothing but whitespace. */
  | 'empty-text'
  /** A file that is not text: a non-`.txt` file in a `text` folder, or bytes with NUL characters. */
  | 'not-text';

/** A `CorpusFormatError` about one record that also names the kind of problem (`problem`). */
export class RecordFormatError extends CorpusFormatError {
  readonly problem: RecordProblem;
  constructor(location: SourceLocation, problem: RecordProblem, reason: string) {
    super(location, reason);
    this.problem = problem;
  }
}
