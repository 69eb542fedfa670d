import { CORPUS_FORMATS, UsageError } from '@emr-re/tokenize';
import { metricsToJSON, metricsToMarkdown, pairRecords, scorePairs } from '@emr-re/metrics';
import { BACKEND_NAMES, loadModel, selectBackend } from '@emr-re/resgru-att';
import type { CommandRun } from '../io';
import { defineCommand } from '../command';
import { backendArgument, corpusFormat, encodingArgument, inputPath, readRecords } from '../flags';

const HELP = `usage: emr-re evaluate --model DIR --data FILE --format F [--json | --markdown] [--backend B]
Scores a trained model on gold records: predicts their relations and compares them with the gold ones
exactly as 'emr-re evaluate --gold --pred' does (same JSON shape).
  --model DIR      a directory written by emr-re train
  --data FILE      gold records (read under the model's schema)
  --format F       ${CORPUS_FORMATS.join('|')} (default jsonl)
  --encoding E     the file's text encoding (default utf-8; e.g. gb18030)
  --backend B      auto|${BACKEND_NAMES.join('|')}
  --skip-invalid   skip malformed records instead of stopping at the first
  --json           print exactly one JSON object: {"micro","macro","perClass","support","confusion"}
`;

/** `emr-re evaluate --model`: micro/macro/per-class scores of a trained model on gold records. */
export const run: CommandRun = defineCommand({
  help: HELP,
  flags: {
    model: { type: 'string' },
    data: { type: 'string' },
    format: { type: 'string' },
    encoding: { type: 'string' },
    backend: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'skip-invalid': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
  },
  required: [
    ['model', '--model DIR is required'],
    ['data', '--data FILE is required (gold records to score the model on)'],
  ],
  run: async (values, io) => {
    if (values.json && values.markdown)
      throw new UsageError('--json and --markdown are exclusive: stdout holds one or the other');
    const format = corpusFormat(values.format);
    const backend = backendArgument(values.backend);
    const modelDir = inputPath(values.model, '--model', io.cwd);
    const dataFile = inputPath(values.data, '--data', io.cwd);

    await selectBackend({ backend, log: (line) => values.quiet || io.stderr(`emr-re evaluate: ${line}\n`) });
    const extractor = await loadModel(modelDir);
    try {
      const gold = await readRecords(
        dataFile,
        {
          format,
          schema: extractor.schema,
          skipInvalid: values['skip-invalid'],
          encoding: encodingArgument(values.encoding),
        },
        io,
        'evaluate',
      );
      const pred = await extractor.predict(gold);
      const report = scorePairs(pairRecords(gold, pred, { goldFile: dataFile, predFile: modelDir }));
      if (values.json) io.stdout(JSON.stringify(metricsToJSON(report)) + '\n');
      else
        io.stdout(
          `Model ${modelDir} (${extractor.classifier.config.arch}) on ${gold.length} records of ${dataFile}\n\n${metricsToMarkdown(report)}`,
        );
    } finally {
      extractor.dispose();
    }
    return 0;
  },
});
