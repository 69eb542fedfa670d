import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  LinearChainCrf,
  isCheckedDirectory,
  loadNetworkArtifacts,
  networkArtifacts,
  packArrays,
  parseJsonFile,
  readCheckedDirectory,
  unpackArrays,
  writeCheckedDirectory,
} from '@emr-re/engine';
import type { TensorIndexEntry } from '@emr-re/engine';
import { CharVocabulary } from '@emr-re/tokenize';
import { NerConfig, validateNerConfig } from './config';
import { NerModelFormatError } from './errors';
import type { NerModelParts } from './model';
import { CHAR_EMBEDDING_LAYER } from './network';
import { TagScheme, tagSchemeFor } from './tagging/scheme';

/** The `format` of a NER model directory's manifest.json. */
export const NER_MODEL_FORMAT = 'emr-re-ner-model';

/** Version of the NER model directory layout; loading refuses other versions. */
export const NER_MODEL_FORMAT_VERSION = 1;

/** The files of a NER model directory, besides manifest.json. */
export const NER_MODEL_FILES = [
  'config.json',
  'tags.json',
  'vocabulary.json',
  'model.json',
  'weights.bin',
  'crf.json',
  'crf.bin',
] as const;

/** manifest.json: what wrote the directory and the SHA-256 of every other file. */
export interface NerModelManifest {
  format: typeof NER_MODEL_FORMAT;
  formatVersion: number;
  packageVersion: string;
  tfjsVersion: string;
  arch: string;
  types: string[];
  files: Record<string, { sha256: string; bytes: number }>;
}

/** tags.json: the tag scheme (constraints are rebuilt from the types, so they are not stored). */
interface TagsFile {
  version: 1;
  encoding: 'BIOES';
  types: string[];
  tags: string[];
}

/** crf.json: the CRF's size and the index of its weights in crf.bin (a float32 tensor file). */
interface CrfFile {
  version: 1;
  numTags: number;
  index: TensorIndexEntry[];
}

/** This package's version, read from its package.json (one level above src/ and dist/). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Writes a NER model directory atomically (temporary directory, then rename): config.json, tags.json (types and
 * BIOES tags), vocabulary.json, model.json + weights.bin (the tagger network, tfjs layers format), crf.json + crf.bin
 * (the CRF's transitions, start and end scores) and manifest.json (format `emr-re-ner-model`, version, the SHA-256 and
 * size of every other file). An existing `dir` is replaced only when it is empty or an earlier NER model directory.
 */
export async function writeNerModelDirectory(dir: string, parts: NerModelParts): Promise<void> {
  const { modelJson, weights } = await networkArtifacts(parts.network);
  const crf = packArrays(parts.crf.getWeights());
  const tags: TagsFile = {
    version: 1,
    encoding: 'BIOES',
    types: [...parts.scheme.types],
    tags: [...parts.scheme.tags],
  };
  const crfFile: CrfFile = { version: 1, numTags: parts.crf.numTags, index: crf.index };
  const contents: Record<(typeof NER_MODEL_FILES)[number], string | Uint8Array> = {
    'config.json': JSON.stringify(parts.config, null, 2) + '\n',
    'tags.json': JSON.stringify(tags, null, 2) + '\n',
    'vocabulary.json': JSON.stringify(parts.vocabulary.toJSON()),
    'model.json': modelJson,
    'weights.bin': weights,
    'crf.json': JSON.stringify(crfFile, null, 2) + '\n',
    'crf.bin': crf.bytes,
  };
  const header: Omit<NerModelManifest, 'files'> = {
    format: NER_MODEL_FORMAT,
    formatVersion: NER_MODEL_FORMAT_VERSION,
    packageVersion: packageVersion(),
    tfjsVersion: tf.version_core,
    arch: parts.config.arch,
    types: [...parts.scheme.types],
  };
  await writeCheckedDirectory(dir, header, contents, isNerModelDirectory);
}

/**
 * True when `dir` is a NER model directory written by emr-re (its manifest.json says format `emr-re-ner-model`, and
 * it holds nothing but the model's files): what `loadNer` reads, and the only kind of directory saving replaces.
 * Checksums are not verified here; `loadNer` does that.
 */
export async function isNerModelDirectory(dir: string): Promise<boolean> {
  return isCheckedDirectory(dir, NER_MODEL_FORMAT, NER_MODEL_FILES);
}

function parseJson(file: string, text: string): unknown {
  return parseJsonFile(file, text, nerFormatError);
}

function nerFormatError(file: string, reason: string): NerModelFormatError {
  return new NerModelFormatError(file, reason);
}

/** Runs `read`, turning any error but a `NerModelFormatError` into one about `file`. */
function about<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof NerModelFormatError) throw err;
    throw new NerModelFormatError(file, (err as Error).message);
  }
}

/**
 * Reads and verifies a NER model directory: manifest format and version, the SHA-256 of every file, then config,
 * tag scheme (the tags must be those `tagSchemeFor(types)` makes), vocabulary, network and CRF, and that they agree
 * (tag scores of K units, an embedding matrix `(vocabulary size, charDim)`, a CRF over K tags). The network is
 * rebuilt from its JSON topology with registered layer classes only; nothing in the directory is executed.
 * @throws NerModelFormatError naming the file at fault.
 */
export async function readNerModelDirectory(dir: string): Promise<NerModelParts> {
  const file = (name: string): string => path.join(dir, name);
  const { data } = await readCheckedDirectory<NerModelManifest>(dir, {
    format: NER_MODEL_FORMAT,
    formatVersion: NER_MODEL_FORMAT_VERSION,
    files: NER_MODEL_FILES,
    notFoundHint: 'is this a NER model directory written by emr-re?',
    wrongFormat: `is not a NER model manifest (format is not "${NER_MODEL_FORMAT}")`,
    error: nerFormatError,
  });
  const json = (name: string): unknown => parseJson(file(name), data[name].toString('utf8'));

  const config: NerConfig = about(file('config.json'), () => validateNerConfig(json('config.json')));
  const scheme: TagScheme = about(file('tags.json'), () => {
    const t = json('tags.json') as Partial<TagsFile>;
    if (t.version !== 1 || t.encoding !== 'BIOES' || !Array.isArray(t.types)) {
      throw new NerModelFormatError(file('tags.json'), 'is not a version 1 BIOES tag scheme');
    }
    const s = tagSchemeFor(t.types);
    if (JSON.stringify(t.tags) !== JSON.stringify(s.tags)) {
      throw new NerModelFormatError(file('tags.json'), 'lists tags that are not the BIOES tags of its types in order');
    }
    return s;
  });
  const vocabulary = about(file('vocabulary.json'), () =>
    CharVocabulary.fromJSON(json('vocabulary.json'), file('vocabulary.json')),
  );
  const K = scheme.tags.length;

  const crfFile = json('crf.json') as Partial<CrfFile>;
  if (crfFile.version !== 1 || crfFile.numTags !== K || !Array.isArray(crfFile.index)) {
    throw new NerModelFormatError(file('crf.json'), `is not a version 1 CRF over the ${K} tags of tags.json`);
  }
  const crfArrays = unpackArrays(crfFile.index, data['crf.bin']);
  if (crfArrays === undefined) throw new NerModelFormatError(file('crf.bin'), 'does not match the index in crf.json');

  const network = await loadNetworkArtifacts(
    file('model.json'),
    data['model.json'].toString('utf8'),
    data['weights.bin'],
    nerFormatError,
  );
  const refuse = (name: string, reason: string): never => {
    network.dispose();
    throw new NerModelFormatError(file(name), reason);
  };
  const outputShape = network.outputs[0].shape;
  if (network.inputs.length !== 2 || outputShape.length !== 3 || outputShape[2] !== K) {
    refuse('model.json', `is not a tagger of inputs [chars, mask] and ${K} tag scores per character (tags.json)`);
  }
  const embedding = network.layers.find((l) => l.name === CHAR_EMBEDDING_LAYER)?.weights[0]?.shape;
  if (!embedding || embedding.length !== 2) refuse('model.json', `has no 2-D ${CHAR_EMBEDDING_LAYER} matrix`);
  const [rows, width] = embedding as number[];
  if (rows !== vocabulary.size) {
    refuse(
      'vocabulary.json',
      `has ${vocabulary.size} tokens but the character embedding matrix has ${rows} rows (not saved together)`,
    );
  }
  if (width !== config.charDim) {
    refuse(
      'model.json',
      `the character embedding matrix has width ${width} but config.json has charDim ${config.charDim}`,
    );
  }
  const crf = new LinearChainCrf(K, { seed: config.seed, constraints: scheme.constraints });
  try {
    crf.setWeights(crfArrays);
  } catch (err) {
    crf.dispose();
    refuse('crf.bin', (err as Error).message);
  }
  return { config, scheme, vocabulary, network, crf };
}
