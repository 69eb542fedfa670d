import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CharVocabulary, EmrReError, schemaLabels, validateSchema } from '@emr-re/tokenize';
import type { Schema } from '@emr-re/tokenize';
import {
  isCheckedDirectory,
  loadNetworkArtifacts,
  networkArtifacts,
  parseJsonFile,
  readCheckedDirectory,
  writeCheckedDirectory,
} from '@emr-re/engine';
import { ModelConfig, validateConfig } from './config';
import { charEmbeddingRows } from './markers';

/** A model directory that is missing, damaged, from another format version, or altered after saving. */
export class ModelFormatError extends EmrReError {
  /** The file at fault, when one is. */
  readonly file?: string;
  constructor(file: string, reason: string) {
    super('MODEL_FORMAT', `${file}: ${reason}`);
    this.file = file;
  }
}

/** Version of the model directory layout; loading refuses other versions. */
export const MODEL_FORMAT_VERSION = 1;

/** The files of a model directory, besides manifest.json. */
export const MODEL_FILES = [
  'config.json',
  'vocabulary.json',
  'labels.json',
  'schema.json',
  'model.json',
  'weights.bin',
] as const;

/**
 * Files a model directory may hold besides `MODEL_FILES`: calibration.json, the temperature its scores are scaled by
 * (`{"version":1,"temperature":T}`), written when a model was calibrated.
 */
export const MODEL_OPTIONAL_FILES = ['calibration.json'] as const;

/** manifest.json: what wrote the directory and the SHA-256 of every other file. */
export interface ModelManifest {
  format: 'emr-re-model';
  formatVersion: number;
  packageVersion: string;
  tfjsVersion: string;
  arch: string;
  files: Record<string, { sha256: string; bytes: number }>;
}

/** The parts of a model that a directory holds. */
export interface ModelParts {
  config: ModelConfig;
  schema: Schema;
  vocabulary: CharVocabulary;
  labels: string[];
  network: tfl.LayersModel;
  /** The temperature predicted probabilities are scaled by (absent or 1: none). */
  temperature?: number;
}

/** This package's version, read from its package.json (one level above src/ and dist/). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Writes a model directory atomically (temporary directory, then rename): config.json, vocabulary.json,
 * labels.json, schema.json, model.json + weights.bin (tfjs layers format) and manifest.json. An existing `dir` is
 * replaced only when it is empty or an earlier emr-re model (`isModelDirectory`); anything else is an
 * `OutputPathError` and stays untouched.
 */
export async function writeModelDirectory(dir: string, parts: ModelParts): Promise<void> {
  const { modelJson, weights } = await networkArtifacts(parts.network);
  const contents: Record<string, string | Uint8Array> = {
    'config.json': JSON.stringify(parts.config, null, 2) + '\n',
    'vocabulary.json': JSON.stringify(parts.vocabulary.toJSON()),
    'labels.json': JSON.stringify(parts.labels, null, 2) + '\n',
    'schema.json': JSON.stringify(parts.schema, null, 2) + '\n',
    'model.json': modelJson,
    'weights.bin': weights,
  };
  if (parts.temperature !== undefined && parts.temperature !== 1) {
    contents['calibration.json'] = JSON.stringify({ version: 1, temperature: parts.temperature }, null, 2) + '\n';
  }
  const header: Omit<ModelManifest, 'files'> = {
    format: 'emr-re-model',
    formatVersion: MODEL_FORMAT_VERSION,
    packageVersion: packageVersion(),
    tfjsVersion: tf.version_core,
    arch: parts.config.arch,
  };
  await writeCheckedDirectory(dir, header, contents, isModelDirectory);
}

/**
 * True when `dir` is a model directory written by emr-re (its manifest.json says so, and it holds nothing but the
 * model's files): the only kind of directory that saving a model replaces.
 */
export async function isModelDirectory(dir: string): Promise<boolean> {
  return isCheckedDirectory(dir, 'emr-re-model', MODEL_FILES, MODEL_OPTIONAL_FILES);
}

function parseJson(file: string, text: string): unknown {
  return parseJsonFile(file, text, modelFormatError);
}

function modelFormatError(file: string, reason: string): ModelFormatError {
  return new ModelFormatError(file, reason);
}

/**
 * Reads and verifies a model directory: manifest format and version, the SHA-256 of every file, then
 * config, schema, labels, vocabulary and network, then that the network agrees with them (input length,
 * output units, character embedding matrix `(vocabulary size [+ entity markers], charDim)`). The network is rebuilt from its
 * JSON topology with the registered layer classes only; nothing in the directory is executed.
 * @throws ModelFormatError naming the file at fault.
 */
export async function readModelDirectory(dir: string): Promise<ModelParts> {
  const file = (name: string): string => path.join(dir, name);
  const { data } = await readCheckedDirectory<ModelManifest>(dir, {
    format: 'emr-re-model',
    formatVersion: MODEL_FORMAT_VERSION,
    files: MODEL_FILES,
    optionalFiles: MODEL_OPTIONAL_FILES,
    notFoundHint: 'is this a model directory written by emr-re train?',
    wrongFormat: 'is not an emr-re model manifest',
    error: modelFormatError,
  });
  const text = (name: string): string => data[name].toString('utf8');

  let config: ModelConfig;
  try {
    config = validateConfig(parseJson(file('config.json'), text('config.json')));
  } catch (err) {
    if (err instanceof ModelFormatError) throw err;
    throw new ModelFormatError(file('config.json'), (err as Error).message);
  }
  let schema: Schema;
  try {
    schema = validateSchema(parseJson(file('schema.json'), text('schema.json')), file('schema.json'));
  } catch (err) {
    if (err instanceof ModelFormatError) throw err;
    throw new ModelFormatError(file('schema.json'), (err as Error).message);
  }
  const labels = parseJson(file('labels.json'), text('labels.json'));
  const expectedLabels = schemaLabels(schema);
  if (!Array.isArray(labels) || JSON.stringify(labels) !== JSON.stringify(expectedLabels)) {
    throw new ModelFormatError(file('labels.json'), 'does not list the labels of schema.json in order');
  }
  let vocabulary: CharVocabulary;
  try {
    vocabulary = CharVocabulary.fromJSON(parseJson(file('vocabulary.json'), text('vocabulary.json')) as never);
  } catch (err) {
    if (err instanceof ModelFormatError) throw err;
    throw new ModelFormatError(file('vocabulary.json'), (err as Error).message);
  }

  const network = await loadNetworkArtifacts(
    file('model.json'),
    text('model.json'),
    data['weights.bin'],
    modelFormatError,
  );
  const outputUnits = network.outputs[0].shape[1];
  const inputLength = network.inputs[0].shape[1];
  if (outputUnits !== labels.length || inputLength !== config.maxLength) {
    network.dispose();
    throw new ModelFormatError(
      file('model.json'),
      `network shape (input ${inputLength}, output ${outputUnits}) does not match config.json and labels.json`,
    );
  }
  const embeddingShape = network.layers.find((layer) => layer.name === 'char_embedding')?.weights[0]?.shape;
  if (!embeddingShape || embeddingShape.length !== 2) {
    network.dispose();
    throw new ModelFormatError(
      file('model.json'),
      'has no character embedding layer (char_embedding) with a 2-D matrix',
    );
  }
  const [rows, width] = embeddingShape;
  const expectedRows = charEmbeddingRows(config, vocabulary.size, schema.entityTypes.length);
  if (rows !== expectedRows) {
    network.dispose();
    const markers = expectedRows - vocabulary.size;
    throw new ModelFormatError(
      file('vocabulary.json'),
      `has ${vocabulary.size} tokens${markers > 0 ? ` (+ ${markers} entity markers)` : ''} but the character ` +
        `embedding matrix has ${rows} rows (the vocabulary and weights.bin were not saved together)`,
    );
  }
  if (width !== config.charDim) {
    network.dispose();
    throw new ModelFormatError(
      file('model.json'),
      `the character embedding matrix has width ${width} but config.json has charDim ${config.charDim}`,
    );
  }
  const parts: ModelParts = { config, schema, vocabulary, labels: labels as string[], network };
  if (data['calibration.json'] !== undefined) {
    const calibration = parseJson(file('calibration.json'), text('calibration.json')) as {
      version?: unknown;
      temperature?: unknown;
    };
    const t = calibration.temperature;
    if (calibration.version !== 1 || typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) {
      network.dispose();
      throw new ModelFormatError(file('calibration.json'), 'is not {"version":1,"temperature":T} with T > 0');
    }
    parts.temperature = t;
  }
  return parts;
}
