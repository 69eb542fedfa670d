import { loadSchema, UsageError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { metricsToJSON, metricsToMarkdown, pairRecords, scorePairs } from '@emr-re/metrics';
import type { CliIO, CommandRun } from '../io';
import { defineCommand } from '../command';
import { encodingArgument, inputPath, readRecords, schemaArgument } from '../flags';

const HELP = `usage: emr-re evaluate --gold FILE --pred FILE [--format jsonl|brat|cmeie|ccks2017] [--schema S] [--skip-invalid] [--json | --markdown]
       emr-re evaluate --model DIR --data FILE --format F [--json]   (scores a trained model; see its --help)
Scores predicted relations against gold ones. Records are matched by id, relations by the character offsets
of their head and tail entities; a record missing from one file counts as having no relations there.
  --format F       format of both files (default jsonl)
  --schema S       schema name or file, for formats that map labels onto a schema (cmeie, ccks2017)
  --encoding E     the files' text encoding (default utf-8; e.g. gb18030)
  --skip-invalid   skip malformed records (counted on stderr) instead of stopping at the first
  --quiet          accepted for symmetry (evaluate prints no progress)
  --json           print exactly one JSON object: {"micro","macro","perClass","support","confusion"}
  --markdown       print Markdown tables (the default)
`;

const FORMATS = ['jsonl', 'brat', 'cmeie', 'ccks2017'] as const;
type Format = (typeof FORMATS)[number];

/** `emr-re evaluate`: micro/macro/per-class P, R, F1 of a prediction file against a gold file, or of a model (`--model`). */
const runFileEvaluation: CommandRun = defineCommand({
  help: HELP,
  flags: {
    gold: { type: 'string' },
    pred: { type: 'string' },
    format: { type: 'string', default: 'jsonl' },
    encoding: { type: 'string' },
    schema: { type: 'string' },
    'skip-invalid': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
  },
  required: [
    ['gold', '--gold FILE is required (or --model DIR --data FILE to score a model)'],
    ['pred', '--pred FILE is required'],
  ],
  run: async (values, io) => {
    if (values.json && values.markdown)
      throw new UsageError('--json and --markdown are exclusive: stdout holds one or the other');
    const format = values.format as Format;
    if (!FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${values.format}'`);
    const schema = values.schema === undefined ? undefined : await loadSchema(schemaArgument(values.schema, io.cwd));

    const goldFile = inputPath(values.gold, '--gold', io.cwd);
    const predFile = inputPath(values.pred, '--pred', io.cwd);
    const read = { format, schema, skipInvalid: values['skip-invalid'], encoding: encodingArgument(values.encoding) };
    const gold = await readRecords(goldFile, read, io, 'evaluate');
    const pred = await readRecords(predFile, read, io, 'evaluate');

    const report = scorePairs(pairRecords(gold, pred, { goldFile, predFile }));
    if (values.json) {
      io.stdout(JSON.stringify(metricsToJSON(report)) + '\n');
    } else {
      io.stdout(`${coverageLine(gold, pred)}\n\n${metricsToMarkdown(report)}`);
    }
    return 0;
  },
});

/** `--model` is handled by `evaluate-model.ts`, loaded only then: it brings in the model engine. */
async function runModelEvaluation(argv: string[], io: CliIO): Promise<number> {
  const command = await import('./evaluate-model');
  return command.run(argv, io);
}

/** How many records each side has and how many matched by id (unmatched gold records cost recall). */
function coverageLine(gold: EmrRecord[], pred: EmrRecord[]): string {
  const goldIds = new Set(gold.map((r) => r.id));
  const predIds = new Set(pred.map((r) => r.id));
  const matched = [...goldIds].filter((id) => predIds.has(id)).length;
  return `Records: ${goldIds.size} gold, ${predIds.size} predicted, ${matched} matched by id (${goldIds.size - matched} gold without predictions, ${predIds.size - matched} predicted without gold).`;
}

/** `emr-re evaluate`: micro/macro/per-class P, R, F1 of a prediction file against a gold file, or of a model (`--model`). */
export const run: CommandRun = async (argv, io) =>
  argv.some((a) => a === '--model' || a.startsWith('--model='))
    ? runModelEvaluation(argv, io)
    : runFileEvaluation(argv, io);
