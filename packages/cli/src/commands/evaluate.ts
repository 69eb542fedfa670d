import { loadSchema, UsageError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import {
  TRIPLE_MATCHES,
  metricsToJSON,
  metricsToMarkdown,
  pairRecords,
  scorePairs,
  scoreTriples,
  tripleMetricsToJSON,
  tripleMetricsToMarkdown,
} from '@emr-re/metrics';
import type { TripleMatch, TripleMetricsReport } from '@emr-re/metrics';
import type { CliIO, CommandRun } from '../io';
import { defineCommand } from '../command';
import { encodingArgument, inputPath, readRecords, schemaArgument } from '../flags';

const HELP = `usage: emr-re evaluate --gold FILE --pred FILE [--format jsonl|brat|cmeie|ccks2017] [--pred-format F] [--schema S]
                       [--match offsets|text] [--skip-invalid] [--json | --markdown]
       emr-re evaluate --model DIR --data FILE --format F [--json]   (scores a trained model; see its --help)
Scores predicted relations against gold ones. Records are matched by id, relations by the character offsets
of their head and tail entities; a record missing from one file counts as having no relations there.
  --format F       format of both files (default jsonl)
  --pred-format F  format of --pred when it differs (e.g. jsonl from emr-re extract against --format cmeie gold)
  --match M        end-to-end triple scores for predicted entities (emr-re extract): 'offsets' = the relation's
                   label and both entities' start, end and type; 'text' = CBLUE-style (subject string, predicate,
                   object string) sets per record. JSON: {"micro","macro","perClass","support","match"}
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
    'pred-format': { type: 'string' },
    match: { type: 'string' },
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
    const format = formatArgument(values.format, '--format');
    const predFormat =
      values['pred-format'] === undefined ? format : formatArgument(values['pred-format'], '--pred-format');
    const match = values.match as TripleMatch | undefined;
    if (match !== undefined && !TRIPLE_MATCHES.includes(match))
      throw new UsageError(`--match must be one of ${TRIPLE_MATCHES.join(', ')}, got '${values.match}'`);
    const schema = values.schema === undefined ? undefined : await loadSchema(schemaArgument(values.schema, io.cwd));

    const goldFile = inputPath(values.gold, '--gold', io.cwd);
    const predFile = inputPath(values.pred, '--pred', io.cwd);
    const read = { format, schema, skipInvalid: values['skip-invalid'], encoding: encodingArgument(values.encoding) };
    const gold = await readRecords(goldFile, read, io, 'evaluate');
    // Predictions in canonical JSONL keep their own types (a recogniser's); other formats map onto the schema.
    const predRead = { ...read, format: predFormat, schema: predFormat === 'jsonl' && match ? undefined : schema };
    const pred = await readRecords(predFile, predRead, io, 'evaluate');

    if (match !== undefined) {
      const triples = scoreTriples(gold, pred, { match, goldFile, predFile });
      if (values.json) io.stdout(JSON.stringify(tripleJson(triples)) + '\n');
      else io.stdout(`${coverageLine(gold, pred)}\n\n${tripleMetricsToMarkdown(triples)}`);
      return 0;
    }
    const report = scorePairs(pairRecords(gold, pred, { goldFile, predFile }));
    if (values.json) {
      io.stdout(JSON.stringify(metricsToJSON(report)) + '\n');
    } else {
      io.stdout(`${coverageLine(gold, pred)}\n\n${metricsToMarkdown(report)}`);
    }
    return 0;
  },
});

function formatArgument(value: string, flag: string): Format {
  if (!(FORMATS as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${FORMATS.join(', ')}, got '${value}'`);
  return value as Format;
}

/** The triple report as JSON, with a macro average over the labels with gold support (as the relation scores). */
function tripleJson(report: TripleMetricsReport): Record<string, unknown> {
  const json = tripleMetricsToJSON(report);
  const supported = Object.values(report.perClass).filter((c) => c.support > 0);
  const mean = (key: 'precision' | 'recall' | 'f1'): number =>
    supported.length === 0 ? 0 : supported.reduce((sum, c) => sum + c[key], 0) / supported.length;
  return {
    micro: json.micro,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    perClass: json.perClass,
    support: json.support,
    match: json.match,
  };
}

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
