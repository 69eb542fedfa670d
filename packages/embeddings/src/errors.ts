import { EmrReError } from '@emr-re/tokenize';

/** Where in a word2vec file a problem sits: text files by line, binary files by row and byte offset. */
export interface EmbeddingFileLocation {
  file?: string;
  /** 1-based line (text format; line 1 is the header). */
  line?: number;
  /** 1-based vector row (binary format; the header is not a row). */
  row?: number;
  /** Byte offset from the start of the file (binary format). */
  byte?: number;
}

function describe(loc: EmbeddingFileLocation): string {
  const file = loc.file ?? '<input>';
  if (loc.line !== undefined) return `${file}:${loc.line}`;
  const parts = [file];
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.byte !== undefined) parts.push(`byte ${loc.byte}`);
  return parts.join(': ');
}

/**
 * A word2vec file (text or binary) that does not follow its format: bad header, wrong dimension,
 * truncated row, bad UTF-8 in a token. The message names the file and the line (text) or row and
 * byte offset (binary), e.g. `vectors.vec:7: wrong dimension: 99 values, the header says 100`.
 */
export class EmbeddingFormatError extends EmrReError {
  readonly location: EmbeddingFileLocation;
  readonly reason: string;
  constructor(location: EmbeddingFileLocation, reason: string) {
    super('EMBEDDING_FORMAT', `${describe(location)}: ${reason}`);
    this.location = location;
    this.reason = reason;
  }
}

/** A training corpus that cannot train embeddings (no tokens left after `minCount`, unreadable file). */
export class EmbeddingCorpusError extends EmrReError {
  constructor(message: string) {
    super('EMBEDDING_CORPUS', message);
  }
}
