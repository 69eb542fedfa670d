import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { CORPUS_FORMATS, UsageError, loadSchema, openCorpus, readAllRecords } from '@emr-re/tokenize';
import type { CorpusFormat, CorpusFormatError, EmrRecord, Schema } from '@emr-re/tokenize';
import {
  ARCHITECTURES,
  BACKEND_NAMES,
  PRESET_NAMES,
  configFor,
  isPresetName,
  mergeConfig,
  parseConfig,
  selectBackend,
  toCandidates,
  train,
  validateConfig,
} from '@emr-re/resgru-att';
import type { Architecture, BackendName, ModelConfig, RelationModel } from '@emr-re/resgru-att';
import { loadWord2Vec } from '@emr-re/embeddings';
import { progressRenderer } from '../io';
import type { CliIO, CommandRun } from '../io';

const HELP = `usage: emr-re train --train FILE [--dev FILE] --format F --schema paper|cmeie|FILE
                    (--config JSON|FILE | --arch A [--preset small|paper]) --out DIR
                    [--embeddings FILE] [--epochs N] [--seed N] [--backend B] [--resume] [--json]
Trains a relation classifier and writes a model directory (config, vocabulary, labels, schema, weights, manifest).
  --train FILE        labelled training records          --dev FILE   records for early stopping (dev macro-F1)
  --format F          ${CORPUS_FORMATS.join('|')}
  --schema S          paper, cmeie or a schema JSON file
  --config JSON|FILE  a full or partial model config (JSON text or a file); exclusive with --arch/--preset
  --arch A            ${ARCHITECTURES.join('|')}
  --preset P          ${PRESET_NAMES.join('|')} (default paper = Table 3 of the paper; small trains in minutes on a CPU)
  --embeddings FILE   word2vec text vectors to initialise the character embeddings (dimension = charDim)
  --epochs N, --seed N   override the config's epochs and seed
  --cross-sentence    candidate windows are whole records, not sentences (default with --format cmeie,
                      whose relations often cross 。; a --config with "crossSentence" keeps its value)
  --backend B         auto|${BACKEND_NAMES.join('|')} (default auto; env EMR_RE_BACKEND)
  --resume            continue from the checkpoint <out>.checkpoint left by an interrupted run
  --skip-invalid      skip malformed records instead of stopping at the first
  --json              print one JSON object with the training report on stdout
`;

/** `parseArgs` with its errors (unknown flag, missing value) turned into `UsageError`s. */
export function parseFlags<T extends ParseArgsConfig['options']>(
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** An input path resolved against the working directory. @throws UsageError when it does not exist. */
export function inputPath(value: string, flag: string, cwd: string): string {
  const file = path.resolve(cwd, value);
  if (!existsSync(file)) throw new UsageError(`${flag} ${file}: no such file or directory`);
  return file;
}

/** A `--schema` value naming an existing file is that file; otherwise a built-in schema name. */
export function schemaArgument(value: string, cwd: string): string {
  const file = path.resolve(cwd, value);
  return existsSync(file) ? file : value;
}

/** A `--format` value checked against the corpus formats. */
export function corpusFormat(value: string | undefined): CorpusFormat {
  if (value === undefined) throw new UsageError(`--format is required (${CORPUS_FORMATS.join(', ')})`);
  if (!(CORPUS_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--format must be one of ${CORPUS_FORMATS.join(', ')}, got '${value}'`);
  }
  return value as CorpusFormat;
}

/** A `--backend` value checked against the backends. */
export function backendArgument(value: string | undefined): BackendName | 'auto' {
  const v = value ?? 'auto';
  if (v !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(v)) {
    throw new UsageError(`--backend must be auto or one of ${BACKEND_NAMES.join(', ')}, got '${v}'`);
  }
  return v as BackendName | 'auto';
}

/** A non-negative integer flag. */
export function intArgument(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative integer, got '${value}'`);
  return Number(value);
}

/** Reads every record of a corpus file; skipped records (with `skipInvalid`) are counted on stderr. */
export async function readRecords(
  file: string,
  options: { format: CorpusFormat; schema?: Schema; skipInvalid: boolean },
  io: CliIO,
  command: string,
): Promise<EmrRecord[]> {
  const skipped: CorpusFormatError[] = [];
  const reader = openCorpus(file, options.format, {
    schema: options.schema,
    skipInvalid: options.skipInvalid,
    onSkip: (e) => skipped.push(e),
  });
  const records = await readAllRecords(reader);
  if (skipped.length > 0) {
    io.stderr(
      `emr-re ${command}: skipped ${skipped.length} invalid record${skipped.length === 1 ? '' : 's'} of ${file}; first: ${skipped[0].message}\n`,
    );
  }
  return records;
}

/** The model config from `--config` (JSON text or file) or `--arch`/`--preset`, with flag overrides applied. */
export async function configFromFlags(
  flags: {
    config?: string;
    arch?: string;
    preset?: string;
    epochs?: number;
    seed?: number;
    crossSentence: boolean;
    format?: CorpusFormat;
  },
  cwd: string,
): Promise<ModelConfig> {
  const overrides: Partial<ModelConfig> = {};
  if (flags.epochs !== undefined) overrides.epochs = flags.epochs;
  if (flags.seed !== undefined) overrides.seed = flags.seed;
  // CMeIE lines are single passages whose relations often cross 。 (27% of them in the first 1,000 lines):
  // whole-record windows are its default; a config that sets crossSentence itself keeps its choice.
  const crossSentence = flags.crossSentence || flags.format === 'cmeie' ? true : undefined;
  if (flags.config !== undefined) {
    if (flags.arch !== undefined || flags.preset !== undefined)
      throw new UsageError('--config is exclusive with --arch and --preset');
    const text = flags.config.trim();
    const base = text.startsWith('{')
      ? parseConfig(text, '--config')
      : parseConfig(
          await fs.readFile(inputPath(flags.config, '--config', cwd), 'utf8'),
          path.resolve(cwd, flags.config),
        );
    if (crossSentence && (flags.crossSentence || base.crossSentence === undefined)) overrides.crossSentence = true;
    return validateConfig(mergeConfig(base, overrides));
  }
  if (crossSentence) overrides.crossSentence = true;
  if (flags.arch === undefined) throw new UsageError(`--arch (${ARCHITECTURES.join(', ')}) or --config is required`);
  if (!(ARCHITECTURES as readonly string[]).includes(flags.arch)) {
    throw new UsageError(`--arch must be one of ${ARCHITECTURES.join(', ')}, got '${flags.arch}'`);
  }
  const preset = flags.preset ?? 'paper';
  if (!isPresetName(preset))
    throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(', ')}, got '${preset}'`);
  return configFor(flags.arch as Architecture, preset, overrides);
}

/** `emr-re train`: trains a model of any architecture and writes its directory atomically. */
export const run: CommandRun = async (argv, io) => {
  const values = parseFlags(argv, {
    train: { type: 'string' },
    dev: { type: 'string' },
    format: { type: 'string' },
    schema: { type: 'string' },
    config: { type: 'string' },
    arch: { type: 'string' },
    preset: { type: 'string' },
    embeddings: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    resume: { type: 'boolean', default: false },
    'cross-sentence': { type: 'boolean', default: false },
    'skip-invalid': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!values.train) throw new UsageError('--train FILE is required');
  if (!values.out) throw new UsageError('--out DIR is required');
  if (!values.schema) throw new UsageError('--schema paper|cmeie|FILE is required');
  const format = corpusFormat(values.format);
  const backend = backendArgument(values.backend);
  const config = await configFromFlags(
    {
      config: values.config,
      arch: values.arch,
      preset: values.preset,
      epochs: intArgument(values.epochs, '--epochs'),
      seed: intArgument(values.seed, '--seed'),
      crossSentence: values['cross-sentence'],
      format,
    },
    io.cwd,
  );
  const trainFile = inputPath(values.train, '--train', io.cwd);
  const devFile = values.dev === undefined ? undefined : inputPath(values.dev, '--dev', io.cwd);
  const embeddingsFile =
    values.embeddings === undefined ? undefined : inputPath(values.embeddings, '--embeddings', io.cwd);
  const out = path.resolve(io.cwd, values.out);
  const checkpointDir = `${out}.checkpoint`;
  const started = Date.now();

  const backendName = await selectBackend({ backend, log: (line) => io.stderr(`emr-re train: ${line}\n`) });
  const schema = await loadSchema(schemaArgument(values.schema, io.cwd));
  const read = { format, schema, skipInvalid: values['skip-invalid'] };
  const records = await readRecords(trainFile, read, io, 'train');
  const candidates = toCandidates(records, schema, config.crossSentence ?? false);
  if (candidates.length === 0) {
    throw new UsageError(
      `${trainFile}: no candidate entity pairs under schema '${schema.name}' (check --format and --schema)`,
    );
  }
  const dev =
    devFile === undefined
      ? undefined
      : toCandidates(await readRecords(devFile, read, io, 'train'), schema, config.crossSentence ?? false);
  const embeddings =
    embeddingsFile === undefined
      ? undefined
      : await loadWord2Vec(embeddingsFile, { vocabulary: new Set(candidates.flatMap((c) => [...c.sentence.text])) });

  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let model: RelationModel;
  try {
    model = await train(candidates, config, {
      schema,
      dev,
      embeddings,
      onProgress: progressRenderer(io),
      signal: controller.signal,
      checkpointDir,
      resume: values.resume,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  try {
    await model.save(out);
  } finally {
    model.dispose();
  }
  await fs.rm(checkpointDir, { recursive: true, force: true });
  await fs.rm(`${checkpointDir}.old`, { recursive: true, force: true });

  const report = model.lastFitReport ?? { epochs: 0, loss: [] };
  const summary = {
    out,
    arch: config.arch,
    backend: backendName,
    records: records.length,
    candidates: candidates.length,
    devCandidates: dev?.length ?? 0,
    epochs: report.epochs,
    loss: report.loss,
    devMacroF1: report.devMacroF1,
    bestEpoch: report.bestEpoch,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  if (values.json) io.stdout(JSON.stringify(summary) + '\n');
  else {
    const last = report.loss.length > 0 ? report.loss[report.loss.length - 1].toFixed(4) : 'n/a';
    const devPart =
      report.devMacroF1 && report.bestEpoch !== undefined
        ? `, best dev macro-F1 ${report.devMacroF1[report.bestEpoch - 1].toFixed(4)} (epoch ${report.bestEpoch})`
        : '';
    io.stdout(
      `trained ${config.arch} on ${candidates.length} candidates (${records.length} records), ${report.epochs} epochs, final loss ${last}${devPart} in ${summary.seconds}s on ${backendName}; wrote ${out}\n`,
    );
  }
  return 0;
};
