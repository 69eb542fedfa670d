import { CORPUS_FORMATS, UsageError, openCorpus, writeJsonl } from '@emr-re/tokenize';
import type { CorpusFormatError, EmrRecord } from '@emr-re/tokenize';
import { BACKEND_NAMES, loadModel, selectBackend } from '@emr-re/resgru-att';
import { createModelPool } from '@emr-re/queue';
import type { ModelPool } from '@emr-re/queue';
import { progressRenderer } from '../io';
import type { CommandRun } from '../io';
import { defineCommand } from '../command';
import { backendArgument, corpusFormat, encodingArgument, inputPath } from '../flags';
import { claimOutput } from '../outputs';
import { countRecordLines } from '../record-count';
import { reportReadStats } from '../read-report';
import { workersArgument } from '../workers';

const HELP = `usage: emr-re predict --model DIR --data FILE [--format F] --out FILE.jsonl [--min-score P] [--backend B] [--json]
Predicts the relations between the entities of every record with a trained model and writes the records
(text, entities, predicted relations with scores) as canonical JSONL.
  --model DIR      a directory written by emr-re train
  --data FILE      records with entities; existing relations are ignored
  --format F       ${CORPUS_FORMATS.join('|')} (default jsonl)
  --encoding E     the input's text encoding (default utf-8; e.g. gb18030)
  --out FILE       the JSONL to write (atomically; never one of the inputs)
  --force          replace a predictions file that emr-re wrote at --out before
  --min-score P    keep relations whose probability is at least P (default 0)
  --backend B      auto|${BACKEND_NAMES.join('|')}
  --workers N      worker threads running the model, each with its own backend and copy of the model (default:
                   the available cores; 1 runs it in this process); output order is input order
  --skip-invalid   skip malformed records instead of stopping at the first
  --quiet          no progress output
  --json           print {"records","relations","out"} on stdout
`;

/** `emr-re predict`: records in, records with predicted relations out (streamed, in batches). */
export const run: CommandRun = defineCommand({
  help: HELP,
  flags: {
    model: { type: 'string' },
    data: { type: 'string' },
    format: { type: 'string' },
    encoding: { type: 'string' },
    out: { type: 'string' },
    'min-score': { type: 'string' },
    backend: { type: 'string' },
    workers: { type: 'string' },
    force: { type: 'boolean', default: false },
    'skip-invalid': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  required: [
    ['model', '--model DIR is required'],
    ['data', '--data FILE is required'],
    ['out', '--out FILE.jsonl is required'],
  ],
  run: async (values, io) => {
    const format = corpusFormat(values.format);
    const encoding = encodingArgument(values.encoding);
    const backend = backendArgument(values.backend);
    const minScore = values['min-score'] === undefined ? 0 : Number(values['min-score']);
    if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1)
      throw new UsageError(`--min-score must be a number in [0, 1], got '${values['min-score']}'`);
    const workers = workersArgument(values.workers);
    const modelDir = inputPath(values.model, '--model', io.cwd);
    const dataFile = inputPath(values.data, '--data', io.cwd);
    const inputs = [
      { flag: '--model', path: modelDir },
      { flag: '--data', path: dataFile },
    ];
    const claimed = await claimOutput(
      values.out,
      'records',
      { command: 'predict', inputs, force: values.force, lock: true },
      io,
    );
    try {
      const out = claimed.path;
      await selectBackend({ backend, log: (line) => values.quiet || io.stderr(`emr-re predict: ${line}\n`) });
      const extractor = await loadModel(modelDir);
      let pool: ModelPool | undefined;
      if (workers > 1) {
        pool = createModelPool({ models: { kind: 'predict', model: modelDir }, threads: workers, backend });
        if (!values.quiet) io.stderr(`emr-re predict: ${workers} worker threads, each with its own backend\n`);
      }
      let skipped = 0;
      let firstSkip: CorpusFormatError | undefined;
      let relations = 0;
      try {
        const reader = openCorpus(dataFile, format, {
          schema: extractor.schema,
          encoding,
          skipInvalid: values['skip-invalid'],
          onSkip: (e) => {
            skipped++;
            firstSkip ??= e;
          },
        });
        const total = await countRecordLines(dataFile, format);
        const progress = progressRenderer(io, values.quiet);
        async function* counted(): AsyncIterable<EmrRecord> {
          let done = 0;
          const source =
            pool === undefined
              ? extractor.predictStream(reader.read(), { minScore })
              : pool.stream(reader.read(), { minRelationScore: minScore });
          for await (const r of source) {
            relations += r.relations.length;
            done++;
            progress({ phase: 'predict', done, total, values: { relations } });
            yield r;
          }
          progress({ phase: 'predict', done, total: total === undefined ? undefined : done, values: { relations } });
          // Before the output is renamed into place: a read that lost every entity writes nothing.
          reportReadStats(reader.stats, { file: dataFile, format, command: 'predict' }, io);
        }
        const written = await writeJsonl(out, counted());
        if (skipped > 0)
          io.stderr(
            `emr-re predict: skipped ${skipped} invalid record${skipped === 1 ? '' : 's'}; first: ${firstSkip?.message}\n`,
          );
        if (values.json) io.stdout(JSON.stringify({ records: written, relations, out }) + '\n');
        else io.stdout(`predicted ${relations} relations in ${written} records; wrote ${out}\n`);
      } finally {
        extractor.dispose();
        await pool?.close();
      }
      return 0;
    } finally {
      claimed.release();
    }
  },
});
