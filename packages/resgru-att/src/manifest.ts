import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CharVocabulary, EmrReError, schemaLabels, validateSchema } from '@emr-re/tokenize';
import type { Schema } from '@emr-re/tokenize';
import { registerLayers } from '@emr-re/engine';
import { ModelConfig, validateConfig } from './config';
import { replaceDirectoryAtomic, sha256 } from './files';

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

async function networkArtifacts(network: tfl.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let captured: tf.io.ModelArtifacts | undefined;
  await network.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured || captured.weightData === undefined || captured.weightSpecs === undefined) {
    throw new Error('tfjs returned no weights when saving the network');
  }
  const buffer = tf.io.CompositeArrayBuffer.join(captured.weightData);
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: captured.weightSpecs }],
  });
  return { modelJson, weights: new Uint8Array(buffer) };
}

/**
 * Writes a model directory atomically (temporary directory, then rename): config.json, vocabulary.json,
 * labels.json, schema.json, model.json + weights.bin (tfjs layers format) and manifest.json. An existing `dir` is
 * replaced only when it is empty or an earlier emr-re model (`isModelDirectory`); anything else is an
 * `OutputPathError` and stays untouched.
 */
export async function writeModelDirectory(dir: string, parts: ModelParts): Promise<void> {
  const { modelJson, weights } = await networkArtifacts(parts.network);
  const contents: Record<(typeof MODEL_FILES)[number], string | Uint8Array> = {
    'config.json': JSON.stringify(parts.config, null, 2) + '\n',
    'vocabulary.json': JSON.stringify(parts.vocabulary.toJSON()),
    'labels.json': JSON.stringify(parts.labels, null, 2) + '\n',
    'schema.json': JSON.stringify(parts.schema, null, 2) + '\n',
    'model.json': modelJson,
    'weights.bin': weights,
  };
  const manifest: ModelManifest = {
    format: 'emr-re-model',
    formatVersion: MODEL_FORMAT_VERSION,
    packageVersion: packageVersion(),
    tfjsVersion: tf.version_core,
    arch: parts.config.arch,
    files: {},
  };
  for (const [name, data] of Object.entries(contents)) {
    manifest.files[name] = {
      sha256: sha256(data),
      bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength,
    };
  }
  await replaceDirectoryAtomic(
    dir,
    async (tmp) => {
      for (const [name, data] of Object.entries(contents)) await fs.writeFile(path.join(tmp, name), data);
      await fs.writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    },
    { canReplace: isModelDirectory },
  );
}

/**
 * True when `dir` is a model directory written by emr-re (its manifest.json says so, and it holds nothing but the
 * model's files): the only kind of directory that saving a model replaces.
 */
export async function isModelDirectory(dir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { format?: unknown };
    if (manifest.format !== 'emr-re-model') return false;
    const known = new Set<string>([...MODEL_FILES, 'manifest.json']);
    return (await fs.readdir(dir)).every((name) => known.has(name));
  } catch {
    return false;
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelFormatError(file, 'is not valid JSON');
  }
}

/**
 * Reads and verifies a model directory: manifest format and version, the SHA-256 of every file, then
 * config, schema, labels, vocabulary and network, then that the network agrees with them (input length,
 * output units, character embedding matrix `(vocabulary size, charDim)`). The network is rebuilt from its
 * JSON topology with the registered layer classes only; nothing in the directory is executed.
 * @throws ModelFormatError naming the file at fault.
 */
export async function readModelDirectory(dir: string): Promise<ModelParts> {
  const file = (name: string): string => path.join(dir, name);
  let manifestText: string;
  try {
    manifestText = await fs.readFile(file('manifest.json'), 'utf8');
  } catch {
    throw new ModelFormatError(file('manifest.json'), 'not found: is this a model directory written by emr-re train?');
  }
  const manifest = parseJson(file('manifest.json'), manifestText) as Partial<ModelManifest>;
  if (manifest.format !== 'emr-re-model')
    throw new ModelFormatError(file('manifest.json'), 'is not an emr-re model manifest');
  if (manifest.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(
      file('manifest.json'),
      `format version ${manifest.formatVersion} is not supported (this package reads version ${MODEL_FORMAT_VERSION})`,
    );
  }
  const data: Record<string, Buffer> = {};
  for (const name of MODEL_FILES) {
    const expected = manifest.files?.[name];
    if (!expected) throw new ModelFormatError(file('manifest.json'), `lists no checksum for ${name}`);
    try {
      data[name] = await fs.readFile(file(name));
    } catch {
      throw new ModelFormatError(file(name), 'is missing');
    }
    if (sha256(data[name]) !== expected.sha256) {
      throw new ModelFormatError(file(name), 'does not match the SHA-256 in manifest.json (modified or damaged)');
    }
  }
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

  const modelJson = parseJson(file('model.json'), text('model.json')) as {
    modelTopology?: unknown;
    weightsManifest?: Array<{ paths?: string[]; weights?: tf.io.WeightsManifestEntry[] }>;
  };
  const group = modelJson.weightsManifest?.[0];
  if (
    typeof modelJson.modelTopology !== 'object' ||
    modelJson.weightsManifest?.length !== 1 ||
    JSON.stringify(group?.paths) !== '["weights.bin"]' ||
    !Array.isArray(group?.weights)
  ) {
    throw new ModelFormatError(file('model.json'), 'is not a tfjs layers model with its weights in weights.bin');
  }
  const weightBytes = data['weights.bin'];
  const weightData = weightBytes.buffer.slice(weightBytes.byteOffset, weightBytes.byteOffset + weightBytes.byteLength);
  let network: tfl.LayersModel;
  // The engine's layer classes that saved topologies name (an explicit call: a bundler keeps it).
  registerLayers();
  try {
    network = await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology as object, weightSpecs: group.weights, weightData }),
    );
  } catch (err) {
    throw new ModelFormatError(file('model.json'), `cannot be loaded: ${(err as Error).message}`);
  }
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
  if (rows !== vocabulary.size) {
    network.dispose();
    throw new ModelFormatError(
      file('vocabulary.json'),
      `has ${vocabulary.size} tokens but the character embedding matrix has ${rows} rows ` +
        '(the vocabulary and weights.bin were not saved together)',
    );
  }
  if (width !== config.charDim) {
    network.dispose();
    throw new ModelFormatError(
      file('model.json'),
      `the character embedding matrix has width ${width} but config.json has charDim ${config.charDim}`,
    );
  }
  return { config, schema, vocabulary, labels: labels as string[], network };
}
