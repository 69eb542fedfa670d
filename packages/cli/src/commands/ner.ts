/** `emr-re ner train|evaluate|predict`: character-level entity recognition (BIOES tags, a BiGRU/BiLSTM/ResGRU + CRF). */
import { promises as fs } from 'node:fs';
import { CORPUS_FORMATS, UsageError, decodeText, loadSchema, openCorpus, writeJsonl } from '@emr-re/tokenize';
import type { EmrRecord, InputPath, Schema } from '@emr-re/tokenize';
import { entityMetricsToJSON, entityMetricsToMarkdown, scoreEntities } from '@emr-re/metrics';
import {
  NER_PRESET_NAMES,
  NerTrainingCancelledError,
  isNerCheckpointDirectory,
  isNerPresetName,
  loadNer,
  nerConfigFor,
  parseNerConfig,
  registeredNerArchitectures,
  trainNer,
  validateNerConfig,
  mergeNerConfig,
} from '@emr-re/ner';
import type { NerConfig } from '@emr-re/ner';
import { loadWord2Vec } from '@emr-re/embeddings';
import { BACKEND_NAMES, selectBackend } from '@emr-re/resgru-att';
import { checkOutputPath } from '@emr-re/tokenize';
import { defineCommand } from '../command';
import {
  backendArgument,
  corpusFormat,
  encodingArgument,
  inputPath,
  intArgument,
  readRecords,
  schemaArgument,
} from '../flags';
import { onInterrupt, reportInterruptedTraining } from '../interrupt';
import { progressRenderer } from '../io';
import type { CliIO, CommandRun } from '../io';
import { claimOutput } from '../outputs';
import { countRecordLines } from '../record-count';
import { reportReadStats } from '../read-report';

const SUBCOMMANDS = 'train, evaluate, predict';

/** Help text of `emr-re ner`. */
export const HELP = `usage: emr-re ner train    --train FILE [--dev FILE] [--format F] [--schema S] (--arch A [--preset small|paper] | --config JSON)
                         [--embeddings FILE] --out DIR [--epochs N] [--seed N] [--resume] [--force] [--json]
       emr-re ner evaluate --model DIR --data FILE [--format F] [--schema S] [--json]
       emr-re ner predict  --model DIR --data FILE [--format text|jsonl|cmeie|ccks2017|brat] --out FILE.jsonl
Character-level named-entity recognition: BIOES tags over characters, a BiGRU (default), BiLSTM or ResGRU encoder
and a linear-chain CRF; long texts are cut at sentence ends and into overlapping windows, and every entity comes
back with offsets into the original text. 'emr-re ner <subcommand> --help' lists a subcommand's options.`;

/** Runs `emr-re ner <subcommand>`. */
export const run: CommandRun = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    if (sub === undefined) throw new UsageError(`missing subcommand (${SUBCOMMANDS}); see emr-re ner --help`);
    io.stdout(HELP + '\n');
    return 0;
  }
  const command = { train: trainCommand, evaluate: evaluateCommand, predict: predictCommand }[sub];
  if (command === undefined) throw new UsageError(`unknown subcommand '${sub}' (expected: ${SUBCOMMANDS})`);
  return command(rest, io);
};

const COMMON = {
  format: { type: 'string' },
  encoding: { type: 'string' },
  schema: { type: 'string' },
  backend: { type: 'string' },
  'skip-invalid': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

async function schemaFlag(value: string | undefined, cwd: string): Promise<Schema | undefined> {
  return value === undefined ? undefined : loadSchema(schemaArgument(value, cwd));
}

async function startBackend(value: string | undefined, quiet: boolean, io: CliIO, name: string): Promise<string> {
  return selectBackend({
    backend: backendArgument(value),
    log: (line) => {
      if (!quiet) io.stderr(`emr-re ner ${name}: ${line}\n`);
    },
  });
}

/** The NER config from `--config` (JSON text or file) or `--arch`/`--preset`, with `--epochs`/`--seed` applied. */
async function nerConfigFromFlags(
  flags: { config?: string; arch?: string; preset?: string; epochs?: string; seed?: string },
  cwd: string,
): Promise<NerConfig> {
  const overrides: Partial<NerConfig> = {};
  const epochs = intArgument(flags.epochs, '--epochs', 1);
  const seed = intArgument(flags.seed, '--seed');
  if (epochs !== undefined) overrides.epochs = epochs;
  if (seed !== undefined) overrides.seed = seed;
  if (flags.config !== undefined) {
    if (flags.arch !== undefined || flags.preset !== undefined)
      throw new UsageError('--config is exclusive with --arch and --preset');
    const text = flags.config.trim();
    const file = text.startsWith('{') ? undefined : inputPath(flags.config, '--config', cwd);
    const base = parseNerConfig(
      file === undefined ? text : decodeText(await fs.readFile(file), { file }),
      file ?? '--config',
    );
    return validateNerConfig(mergeNerConfig(base, overrides));
  }
  const arch = flags.arch ?? 'bigru-crf';
  if (!registeredNerArchitectures().includes(arch))
    throw new UsageError(`--arch must be one of ${registeredNerArchitectures().join(', ')}, got '${arch}'`);
  const preset = flags.preset ?? 'small';
  if (!isNerPresetName(preset))
    throw new UsageError(`--preset must be one of ${NER_PRESET_NAMES.join(', ')}, got '${preset}'`);
  return nerConfigFor(arch, preset, overrides);
}

const trainCommand: CommandRun = defineCommand({
  help: `usage: emr-re ner train --train FILE [--dev FILE] [--format F] [--schema S] (--arch A [--preset small|paper] | --config JSON)
                       [--embeddings FILE] --out DIR [--epochs N] [--seed N] [--resume] [--force] [--json]
Trains an entity recogniser on records with entities and writes a model directory (manifest with checksums).
  --train FILE, --dev FILE   records with entities (dev: early stopping on strict micro-F1)
  --format F          ${CORPUS_FORMATS.join('|')} (default jsonl)
  --schema S          paper, cmeie or a schema file: maps the data's entity types and orders the tag set
  --arch A            bigru-crf (default), bilstm-crf, resgru-crf
  --preset P          ${NER_PRESET_NAMES.join('|')} (default small)     --config JSON|FILE   a full or partial NER config
  --embeddings FILE   word2vec text vectors for the characters (dimension = charDim)
  --epochs N, --seed N   override the config's
  --resume            continue from <out>.checkpoint (Ctrl-C keeps the last completed epoch)
  --force             replace a NER model emr-re wrote at --out before
  --encoding E, --backend auto|${BACKEND_NAMES.join('|')}, --skip-invalid, --quiet
  --json              print {"out","arch","records","types","epochs","loss","devF1","bestEpoch","seconds"}`,
  flags: {
    ...COMMON,
    train: { type: 'string' },
    dev: { type: 'string' },
    arch: { type: 'string' },
    preset: { type: 'string' },
    config: { type: 'string' },
    embeddings: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    resume: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  },
  required: [
    ['train', '--train FILE is required'],
    ['out', '--out DIR is required'],
  ],
  run: async (values, io) => {
    const format = corpusFormat(values.format);
    const encoding = encodingArgument(values.encoding);
    const config = await nerConfigFromFlags(values, io.cwd);
    const trainFile = inputPath(values.train, '--train', io.cwd);
    const devFile = values.dev === undefined ? undefined : inputPath(values.dev, '--dev', io.cwd);
    const embeddingsFile =
      values.embeddings === undefined ? undefined : inputPath(values.embeddings, '--embeddings', io.cwd);
    const inputs: InputPath[] = [{ flag: '--train', path: trainFile }];
    if (devFile) inputs.push({ flag: '--dev', path: devFile });
    if (embeddingsFile) inputs.push({ flag: '--embeddings', path: embeddingsFile });
    const claimed = await claimOutput(
      values.out,
      'nerModel',
      { command: 'ner train', inputs, force: values.force, lock: true },
      io,
    );
    try {
      const out = claimed.path;
      const checkpointDir = `${out}.checkpoint`;
      const state = await checkOutputPath(
        {
          path: checkpointDir,
          flag: '--out (its .checkpoint)',
          kind: 'directory',
          what: 'a NER training checkpoint',
          isOwn: isNerCheckpointDirectory,
        },
        { inputs, force: true },
      );
      if (state === 'replace-own' && !values.resume && !values.force)
        throw new UsageError(
          `${checkpointDir} holds the checkpoint of an interrupted run: pass --resume to continue it, or --force to start afresh`,
        );
      const started = Date.now();
      await startBackend(values.backend, values.quiet, io, 'train');
      const schema = await schemaFlag(values.schema, io.cwd);
      const read = { format, schema, skipInvalid: values['skip-invalid'], encoding };
      const records = await readRecords(trainFile, read, io, 'ner train');
      const dev = devFile === undefined ? undefined : await readRecords(devFile, read, io, 'ner train');
      const embeddings =
        embeddingsFile === undefined
          ? undefined
          : await loadWord2Vec(embeddingsFile, { vocabulary: new Set(records.flatMap((r) => [...r.text])) });
      const controller = new AbortController();
      const unregister = onInterrupt(() => controller.abort());
      let model;
      try {
        model = await trainNer(records, config, {
          dev,
          schema,
          embeddings,
          onProgress: progressRenderer(io, values.quiet),
          signal: controller.signal,
          checkpointDir,
          resume: values.resume,
        });
      } catch (err) {
        if (!(err instanceof NerTrainingCancelledError)) throw err;
        return reportInterruptedTraining(
          io,
          'ner train',
          err.message,
          checkpointDir,
          await isNerCheckpointDirectory(checkpointDir),
        );
      } finally {
        unregister();
      }
      try {
        await model.save(out);
      } finally {
        model.dispose();
      }
      await fs.rm(checkpointDir, { recursive: true, force: true });
      const report = model.lastTrainReport;
      const summary = {
        out,
        arch: config.arch,
        records: records.length,
        types: [...model.types],
        epochs: report?.epochs ?? 0,
        loss: report?.loss ?? [],
        devF1: report?.devF1,
        bestEpoch: report?.bestEpoch,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      if (values.json) io.stdout(JSON.stringify(summary) + '\n');
      else
        io.stdout(
          `trained ${config.arch} on ${records.length} records (${summary.types.length} entity types), ${summary.epochs} epochs in ${summary.seconds}s; wrote ${out}\n`,
        );
      return 0;
    } finally {
      claimed.release();
    }
  },
});

const evaluateCommand: CommandRun = defineCommand({
  help: `usage: emr-re ner evaluate --model DIR --data FILE [--format F] [--schema S] [--json | --markdown]
Scores a NER model on records with gold entities: strict span P/R/F1 (same start, end and type) per type, micro and
macro, and a relaxed (overlap) figure.
  --json   {"micro":{"precision","recall","f1"},"macro":{...},"perType":{...},"relaxed":{...}}`,
  flags: {
    ...COMMON,
    model: { type: 'string' },
    data: { type: 'string' },
    markdown: { type: 'boolean', default: false },
  },
  required: [
    ['model', '--model DIR is required'],
    ['data', '--data FILE is required'],
  ],
  run: async (values, io) => {
    const format = corpusFormat(values.format);
    const modelDir = inputPath(values.model, '--model', io.cwd);
    const dataFile = inputPath(values.data, '--data', io.cwd);
    await startBackend(values.backend, values.quiet, io, 'evaluate');
    const schema = await schemaFlag(values.schema, io.cwd);
    const gold = await readRecords(
      dataFile,
      { format, schema, skipInvalid: values['skip-invalid'], encoding: encodingArgument(values.encoding) },
      io,
      'ner evaluate',
    );
    const model = await loadNer(modelDir);
    try {
      const pred = await model.recognize(gold.map((r) => ({ id: r.id, text: r.text })));
      const report = scoreEntities(gold, pred, { types: [...model.types], goldFile: dataFile, predFile: modelDir });
      if (values.json) io.stdout(JSON.stringify(entityMetricsToJSON(report)) + '\n');
      else
        io.stdout(
          `NER model ${modelDir} on ${gold.length} records of ${dataFile}\n\n${entityMetricsToMarkdown(report)}`,
        );
    } finally {
      model.dispose();
    }
    return 0;
  },
});

const predictCommand: CommandRun = defineCommand({
  help: `usage: emr-re ner predict --model DIR --data FILE [--format text|jsonl|cmeie|ccks2017|brat] --out FILE.jsonl
Finds the entities of every record (text = one record per line, or a folder of .txt files) and writes canonical
JSONL: {"id","text","entities":[{"id","type","start","end","text","score"}],"relations":[]} (input entities ignored).
  --min-score P   keep entities whose score is at least P (default 0)
  --force         replace a JSONL emr-re wrote at --out before`,
  flags: {
    ...COMMON,
    model: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    'min-score': { type: 'string' },
    force: { type: 'boolean', default: false },
  },
  required: [
    ['model', '--model DIR is required'],
    ['data', '--data FILE is required'],
    ['out', '--out FILE.jsonl is required'],
  ],
  run: async (values, io) => {
    const format = corpusFormat(values.format);
    const minScore = scoreArgument(values['min-score'], '--min-score');
    const modelDir = inputPath(values.model, '--model', io.cwd);
    const dataFile = inputPath(values.data, '--data', io.cwd);
    const inputs = [
      { flag: '--model', path: modelDir },
      { flag: '--data', path: dataFile },
    ];
    const claimed = await claimOutput(
      values.out,
      'records',
      { command: 'ner predict', inputs, force: values.force, lock: true },
      io,
    );
    try {
      await startBackend(values.backend, values.quiet, io, 'predict');
      const model = await loadNer(modelDir);
      try {
        const reader = openCorpus(dataFile, format, {
          schema: await schemaFlag(values.schema, io.cwd),
          encoding: encodingArgument(values.encoding),
          skipInvalid: values['skip-invalid'],
        });
        const total = await countRecordLines(dataFile, format);
        const progress = progressRenderer(io, values.quiet);
        let entities = 0;
        async function* recognised(): AsyncIterable<EmrRecord> {
          let done = 0;
          let batch: EmrRecord[] = [];
          const flush = async function* (): AsyncIterable<EmrRecord> {
            for (const r of await model.recognize(
              batch.map((b) => ({ id: b.id, text: b.text })),
              { minScore },
            )) {
              entities += r.entities.length;
              yield r;
            }
            done += batch.length;
            batch = [];
            progress({ phase: 'ner-predict', done, total, values: { entities } });
          };
          for await (const r of reader.read()) {
            batch.push(r);
            if (batch.length >= 64) yield* flush();
          }
          if (batch.length > 0) yield* flush();
          reportReadStats(reader.stats, { file: dataFile, format: 'text', command: 'ner predict' }, io);
        }
        const written = await writeJsonl(claimed.path, recognised());
        if (values.json) io.stdout(JSON.stringify({ records: written, entities, out: claimed.path }) + '\n');
        else io.stdout(`found ${entities} entities in ${written} records; wrote ${claimed.path}\n`);
      } finally {
        model.dispose();
      }
      return 0;
    } finally {
      claimed.release();
    }
  },
});

/** A probability flag in [0, 1]. */
export function scoreArgument(value: string | undefined, flag: string): number {
  if (value === undefined) return 0;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1)
    throw new UsageError(`${flag} must be a number in [0, 1], got '${value}'`);
  return x;
}
