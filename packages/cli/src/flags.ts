import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  CORPUS_FORMATS,
  DEFAULT_ENCODING,
  decodeText,
  UsageError,
  openCorpus,
  readAllRecords,
  resolveEncoding,
} from '@emr-re/tokenize';
import type { CorpusFormat, CorpusFormatError, EmrRecord, Schema } from '@emr-re/tokenize';
import {
  ARCHITECTURES,
  BACKEND_NAMES,
  PRESET_NAMES,
  configFor,
  isPresetName,
  mergeConfig,
  parseConfig,
  validateConfig,
} from '@emr-re/resgru-att';
import type { Architecture, BackendName, ModelConfig } from '@emr-re/resgru-att';
import type { CliIO } from './io';
import { reportReadStats } from './read-report';

/* Flag parsing and validation shared by the commands that read corpora and configure models. */

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

/** A `--format` value checked against the corpus formats; canonical `jsonl` when the flag is absent. */
export function corpusFormat(value: string | undefined): CorpusFormat {
  if (value === undefined) return 'jsonl';
  if (!(CORPUS_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--format must be one of ${CORPUS_FORMATS.join(', ')}, got '${value}'`);
  }
  return value as CorpusFormat;
}

/** An `--encoding` value: a text encoding the readers support (utf-8 when the flag is absent). */
export function encodingArgument(value: string | undefined): string {
  try {
    return resolveEncoding(value ?? DEFAULT_ENCODING);
  } catch (err) {
    throw new UsageError(`--encoding: ${(err as Error).message}`);
  }
}

/** A `--backend` value checked against the backends. */
export function backendArgument(value: string | undefined): BackendName | 'auto' {
  const v = value ?? 'auto';
  if (v !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(v)) {
    throw new UsageError(`--backend must be auto or one of ${BACKEND_NAMES.join(', ')}, got '${v}'`);
  }
  return v as BackendName | 'auto';
}

/** An integer flag of at least `min` (default 0). */
export function intArgument(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min) {
    const want = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    throw new UsageError(`${flag} must be ${want}, got '${value}'`);
  }
  return Number(value);
}

/** Reads every record of a corpus file; skipped records (with `skipInvalid`) are counted on stderr. */
export async function readRecords(
  file: string,
  options: { format: CorpusFormat; schema?: Schema; skipInvalid: boolean; encoding?: string },
  io: CliIO,
  command: string,
): Promise<EmrRecord[]> {
  const skipped: CorpusFormatError[] = [];
  const reader = openCorpus(file, options.format, {
    schema: options.schema,
    skipInvalid: options.skipInvalid,
    encoding: options.encoding,
    onSkip: (e) => skipped.push(e),
  });
  const records = await readAllRecords(reader);
  if (skipped.length > 0) {
    io.stderr(
      `emr-re ${command}: skipped ${skipped.length} invalid record${skipped.length === 1 ? '' : 's'} of ${file}; first: ${skipped[0].message}\n`,
    );
  }
  reportReadStats(reader.stats, { file, format: options.format, command }, io);
  return records;
}

/** The flags of the entity-aware model options (issue 16), shared by `train` and `bootstrap`. */
export const ENTITY_OPTION_FLAGS = {
  'entity-types': { type: 'boolean', default: false },
  'no-entity-types': { type: 'boolean', default: false },
  'entity-pooling': { type: 'string' },
  'entity-attention': { type: 'boolean', default: false },
  'class-weights': { type: 'string' },
} as const;

/** The help lines of `ENTITY_OPTION_FLAGS`, their descriptions starting at `column` (the command's help layout). */
export function entityOptionHelp(column: number): string {
  const rows: [string, string[]][] = [
    ['--entity-types', ["add an embedding of the head's and the tail's type at their characters (entityTypes)"]],
    ['--no-entity-types', ['turn entityTypes off (e.g. --preset best without it)']],
    [
      '--entity-pooling P',
      ["max|start: the encoder's states at the two entities beside the sentence pooling (entityPooling)"],
    ],
    ['--entity-attention', ['attention scores conditioned on the pair (entityAttention; attention models only)']],
    [
      '--class-weights W',
      [
        'balanced: each class weighs the inverse of its frequency in the loss (classWeights)',
        'these set config keys on top of --preset or --config',
      ],
    ],
  ];
  const pad = (text: string) => text.padEnd(column);
  return rows
    .map(([flag, lines]) => lines.map((line, i) => pad(i === 0 ? `  ${flag}` : '') + line + '\n').join(''))
    .join('');
}

/** The config keys that `ENTITY_OPTION_FLAGS` set; only the flags given appear. */
export function entityOptionOverrides(values: {
  'entity-types'?: boolean;
  'no-entity-types'?: boolean;
  'entity-pooling'?: string;
  'entity-attention'?: boolean;
  'class-weights'?: string;
}): Partial<ModelConfig> {
  const overrides: Partial<ModelConfig> = {};
  if (values['entity-types'] && values['no-entity-types'])
    throw new UsageError('--entity-types and --no-entity-types are exclusive');
  if (values['entity-types']) overrides.entityTypes = true;
  if (values['no-entity-types']) overrides.entityTypes = false;
  const pooling = values['entity-pooling'];
  if (pooling !== undefined) {
    if (pooling !== 'max' && pooling !== 'start')
      throw new UsageError(`--entity-pooling must be max or start, got '${pooling}'`);
    overrides.entityPooling = pooling;
  }
  if (values['entity-attention']) overrides.entityAttention = true;
  const weights = values['class-weights'];
  if (weights !== undefined) {
    if (weights !== 'balanced') throw new UsageError(`--class-weights must be balanced, got '${weights}'`);
    overrides.classWeights = weights;
  }
  return overrides;
}

/**
 * The model config from `--config` (JSON text or file) or `--arch`/`--preset`, with flag overrides applied
 * (`options`: config keys set by flags such as `ENTITY_OPTION_FLAGS`, on top of the preset or the config).
 */
export async function configFromFlags(
  flags: {
    config?: string;
    arch?: string;
    preset?: string;
    epochs?: number;
    seed?: number;
    crossSentence: boolean;
    format?: CorpusFormat;
    options?: Partial<ModelConfig>;
  },
  cwd: string,
): Promise<ModelConfig> {
  const overrides: Partial<ModelConfig> = { ...flags.options };
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
          decodeText(await fs.readFile(inputPath(flags.config, '--config', cwd)), {
            file: path.resolve(cwd, flags.config),
          }),
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
