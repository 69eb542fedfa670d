import { UsageError } from '@emr-re/tokenize';
import type { CorpusFormat, ReadStats } from '@emr-re/tokenize';
import type { CliIO } from './io';

/** Where a read came from, for the lines `reportReadStats` writes. */
export interface ReadSource {
  file: string;
  format: CorpusFormat;
  command: string;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * Says on stderr what a read lost, with counts (never text): no records at all, records that came out without
 * entities, entities and relations the schema dropped, mentions not found, documents without their other file.
 * Every record coming out without entities is a user error (a wrong `--format` reads that way): it throws.
 */
export function reportReadStats(stats: ReadStats, source: ReadSource, io: CliIO): void {
  const say = (text: string): void => io.stderr(`emr-re ${source.command}: warning: ${source.file}: ${text}\n`);
  if (stats.records === 0) {
    say(`no records read (an empty file or folder, or not ${source.format}?)`);
  } else if (source.format === 'text') {
    // Raw text has no entities by definition.
  } else if (stats.recordsWithoutEntities === stats.records) {
    throw new UsageError(
      `${source.file}: every one of its ${plural(stats.records, 'record')} came out with no entities when read as --format ${source.format}; is that its format?`,
    );
  } else if (stats.recordsWithoutEntities > 0) {
    say(`${plural(stats.recordsWithoutEntities, 'record')} of ${stats.records} came out with no entities`);
  }
  const dropped: string[] = [];
  if (stats.missingMentions > 0) dropped.push(`${plural(stats.missingMentions, 'mention')} not found in their text`);
  if (stats.droppedEntities > 0)
    dropped.push(`${plural(stats.droppedEntities, 'entity', 'entities')} of types the schema does not know`);
  if (stats.droppedRelations > 0)
    dropped.push(`${plural(stats.droppedRelations, 'relation')} the schema does not know`);
  if (dropped.length > 0) say(`dropped ${dropped.join(', ')}`);
  if (stats.unpairedDocuments > 0) {
    say(
      `skipped ${plural(stats.unpairedDocuments, 'document')} missing their other file (${stats.unpairedExamples.join(', ')}${stats.unpairedDocuments > stats.unpairedExamples.length ? ', ...' : ''})`,
    );
  }
}
