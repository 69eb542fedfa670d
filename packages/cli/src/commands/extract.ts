/** `emr-re extract`: raw EMR text in, entities and relations out, in one command (NER, then relation extraction). */
import { CORPUS_FORMATS, UsageError, openCorpus, writeJsonl } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { BACKEND_NAMES, selectBackend } from '@emr-re/resgru-att';
import { createModelPool } from '@emr-re/queue';
import type { ModelPool } from '@emr-re/queue';
import { defineCommand } from '../command';
import { backendArgument, encodingArgument, inputPath } from '../flags';
import { progressRenderer } from '../io';
import type { CommandRun } from '../io';
import { claimOutput } from '../outputs';
import { loadPipeline } from '../pipeline';
import type { Pipeline } from '../pipeline';
import { workersArgument } from '../workers';
import { countRecordLines } from '../record-count';
import { reportReadStats } from '../read-report';
import { scoreArgument } from './ner';

const HELP = `usage: emr-re extract --ner DIR --relations DIR --data FILE|DIR [--format text|jsonl|ccks2017|brat|cmeie]
                      --out FILE.jsonl [--json]
Finds the entities of every record with a NER model (emr-re ner train) and the relations between them with a
relation model (emr-re train), streaming in bounded memory, and writes canonical JSONL with scores on both:
{"id","text","entities":[{"id","type","start","end","text","score"}],"relations":[{"head","tail","label","score"}]}.
Entities already in the input are ignored: everything comes from the text. Train both models on one --schema.
  --format F          ${CORPUS_FORMATS.join('|')} (default text: one record per line, or a folder of .txt files)
  --encoding E        the input's text encoding (default utf-8; e.g. gb18030)
  --relations DIR     given more than once (e.g. one config trained with several seeds): the relation models are
                      one ensemble averaging their probabilities (k models: k times the relation step's time)
  --min-entity-score P, --min-score P   keep entities / relations scoring at least P (default 0)
  --batch-size N      records per batch (default 64)
  --workers N         worker threads running the models, each with its own backend and copy of the models
                      (default: the available cores; 1 runs them in this process); output order is input order
  --force             replace a JSONL emr-re wrote at --out before
  --backend B         auto|${BACKEND_NAMES.join('|')}
  --skip-invalid      skip empty lines and malformed records (counted on stderr) instead of stopping
  --quiet             no progress output
  --json              print {"records","entities":{TYPE:n},"relations":{LABEL:n},"seconds","out"}`;

/** `emr-re extract`. */
export const run: CommandRun = defineCommand({
  help: HELP,
  flags: {
    ner: { type: 'string' },
    relations: { type: 'string', multiple: true },
    data: { type: 'string' },
    format: { type: 'string' },
    encoding: { type: 'string' },
    out: { type: 'string' },
    'min-entity-score': { type: 'string' },
    'min-score': { type: 'string' },
    'batch-size': { type: 'string' },
    workers: { type: 'string' },
    backend: { type: 'string' },
    force: { type: 'boolean', default: false },
    'skip-invalid': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  required: [
    ['ner', '--ner DIR (a model of emr-re ner train) is required'],
    ['relations', '--relations DIR (a model of emr-re train) is required'],
    ['data', '--data FILE|DIR is required'],
    ['out', '--out FILE.jsonl is required'],
  ],
  run: async (values, io) => {
    const format = values.format ?? 'text';
    if (!(CORPUS_FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format must be one of ${CORPUS_FORMATS.join(', ')}, got '${format}'`);
    const corpusFormat = format as (typeof CORPUS_FORMATS)[number];
    const encoding = encodingArgument(values.encoding);
    const minEntityScore = scoreArgument(values['min-entity-score'], '--min-entity-score');
    const minRelationScore = scoreArgument(values['min-score'], '--min-score');
    const batchSize = values['batch-size'] === undefined ? 64 : Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UsageError(`--batch-size must be a positive integer, got '${values['batch-size']}'`);
    const workers = workersArgument(values.workers);
    const nerDir = inputPath(values.ner, '--ner', io.cwd);
    const relationsDirs = (values.relations as unknown as string[]).map((dir) => inputPath(dir, '--relations', io.cwd));
    // One directory is that model; several are one ensemble (loadModel of @emr-re/resgru-att).
    const relationsDir = relationsDirs.length === 1 ? relationsDirs[0] : relationsDirs;
    const dataPath = inputPath(values.data, '--data', io.cwd);
    const inputs = [
      { flag: '--ner', path: nerDir },
      ...relationsDirs.map((dir) => ({ flag: '--relations', path: dir })),
      { flag: '--data', path: dataPath },
    ];
    const claimed = await claimOutput(
      values.out,
      'records',
      { command: 'extract', inputs, force: values.force, lock: true },
      io,
    );
    try {
      const started = Date.now();
      const backend = backendArgument(values.backend);
      let pipeline: Pipeline | undefined;
      let pool: ModelPool | undefined;
      if (workers === 1) {
        await selectBackend({
          backend,
          log: (line) => {
            if (!values.quiet) io.stderr(`emr-re extract: ${line}\n`);
          },
        });
        pipeline = await loadPipeline({ ner: nerDir, relations: relationsDir });
      } else {
        pool = createModelPool({
          models: { kind: 'extract', ner: nerDir, relations: relationsDir },
          threads: workers,
          backend,
        });
        if (!values.quiet) io.stderr(`emr-re extract: ${workers} worker threads, each with its own backend\n`);
      }
      const entityCounts: Record<string, number> = {};
      const relationCounts: Record<string, number> = {};
      try {
        const reader = openCorpus(dataPath, corpusFormat, { encoding, skipInvalid: values['skip-invalid'] });
        const total = await countRecordLines(dataPath, corpusFormat);
        const progress = progressRenderer(io, values.quiet);
        async function* extracted(): AsyncIterable<EmrRecord> {
          let done = 0;
          const options = { batchSize, minEntityScore, minRelationScore };
          const source =
            pipeline !== undefined
              ? pipeline.extractStream(reader.read(), options)
              : pool!.stream(textsOf(reader.read()), options);
          for await (const record of source) {
            for (const e of record.entities) entityCounts[e.type] = (entityCounts[e.type] ?? 0) + 1;
            for (const r of record.relations) relationCounts[r.label] = (relationCounts[r.label] ?? 0) + 1;
            done++;
            if (done % batchSize === 0) progress({ phase: 'extract', done, total });
            yield record;
          }
          progress({ phase: 'extract', done, total: done });
          reportReadStats(reader.stats, { file: dataPath, format: 'text', command: 'extract' }, io);
          if (reader.stats.skipped > 0)
            io.stderr(
              `emr-re extract: skipped ${reader.stats.skipped} invalid record${reader.stats.skipped === 1 ? '' : 's'} (${Object.entries(
                reader.stats.skippedByReason,
              )
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')})\n`,
            );
        }
        const written = await writeJsonl(claimed.path, extracted());
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        const summary = {
          records: written,
          entities: entityCounts,
          relations: relationCounts,
          seconds,
          out: claimed.path,
        };
        if (values.json) io.stdout(JSON.stringify(summary) + '\n');
        else {
          const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
          io.stdout(
            `extracted ${sum(entityCounts)} entities and ${sum(relationCounts)} relations from ${written} records in ${seconds}s; wrote ${claimed.path}\n`,
          );
        }
      } finally {
        pipeline?.dispose();
        await pool?.close();
      }
      return 0;
    } finally {
      claimed.release();
    }
  },
});

/** Only what extraction reads of a record crosses to a worker thread. */
async function* textsOf(records: AsyncIterable<EmrRecord>): AsyncIterable<{ id: string; text: string }> {
  for await (const r of records) yield { id: r.id, text: r.text };
}
