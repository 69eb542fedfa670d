import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { replaceDirectoryAtomic } from '@emr-re/tokenize';
import { registerLayers } from './layers';

/** Hex SHA-256 of bytes or text. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What every checked directory's manifest.json holds: its format, layout version and each file's SHA-256 and size. */
export interface CheckedManifest {
  format: string;
  formatVersion: number;
  files: Record<string, { sha256: string; bytes: number }>;
}

/** Makes the error a package reports for a damaged directory, naming the file at fault. */
export type DirectoryError = (file: string, reason: string) => Error;

/**
 * Writes `contents` (file name → text or bytes) and a manifest.json (`header` plus the SHA-256 and size of every
 * file) into `dir` atomically: a temporary directory, then rename. An existing `dir` is replaced only when it is
 * empty or `canReplace(dir)` says it is an earlier output of the same kind; anything else stays untouched.
 * @example
 * await writeCheckedDirectory('model', { format: 'emr-re-model', formatVersion: 1 }, files, isModelDirectory);
 */
export async function writeCheckedDirectory<H extends Omit<CheckedManifest, 'files'>>(
  dir: string,
  header: H,
  contents: Record<string, string | Uint8Array>,
  canReplace: (dir: string) => Promise<boolean>,
): Promise<void> {
  const manifest: H & CheckedManifest = { ...header, files: {} };
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
    { canReplace },
  );
}

/**
 * True when `dir` holds a manifest.json of `format` and nothing but `files` beside it: a directory emr-re wrote, the
 * only kind its writers replace. Checksums are not verified here (`readCheckedDirectory` does that).
 */
export async function isCheckedDirectory(
  dir: string,
  format: string,
  files: readonly string[],
  optionalFiles: readonly string[] = [],
): Promise<boolean> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { format?: unknown };
    if (manifest.format !== format) return false;
    const known = new Set<string>([...files, ...optionalFiles, 'manifest.json']);
    return (await fs.readdir(dir)).every((name) => known.has(name));
  } catch {
    return false;
  }
}

/** What `readCheckedDirectory` expects of a directory. */
export interface CheckedDirectorySpec {
  format: string;
  formatVersion: number;
  files: readonly string[];
  /** Files a directory may hold (verified when its manifest lists them; absent otherwise). */
  optionalFiles?: readonly string[];
  /** Said when manifest.json is absent, e.g. 'is this a model directory written by emr-re train?'. */
  notFoundHint: string;
  /** Said when the manifest names another format, e.g. 'is not an emr-re model manifest'. */
  wrongFormat: string;
  error: DirectoryError;
}

/** `text` parsed as JSON, or the package's error naming `file`. */
export function parseJsonFile(file: string, text: string, error: DirectoryError): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw error(file, 'is not valid JSON');
  }
}

/**
 * Reads a checked directory: manifest format and version, then every file of `spec.files` whose SHA-256 must match
 * the manifest's, and each of `spec.optionalFiles` the manifest lists. Returns the manifest and the files' bytes.
 * @throws the package's error (`spec.error`) naming the file at fault.
 */
export async function readCheckedDirectory<M extends CheckedManifest>(
  dir: string,
  spec: CheckedDirectorySpec,
): Promise<{ manifest: Partial<M>; data: Record<string, Buffer> }> {
  const file = (name: string): string => path.join(dir, name);
  const manifestFile = file('manifest.json');
  let manifestText: string;
  try {
    manifestText = await fs.readFile(manifestFile, 'utf8');
  } catch {
    throw spec.error(manifestFile, `not found: ${spec.notFoundHint}`);
  }
  const manifest = parseJsonFile(manifestFile, manifestText, spec.error) as Partial<M>;
  if (manifest.format !== spec.format) throw spec.error(manifestFile, spec.wrongFormat);
  if (manifest.formatVersion !== spec.formatVersion) {
    throw spec.error(
      manifestFile,
      `format version ${manifest.formatVersion} is not supported (this package reads version ${spec.formatVersion})`,
    );
  }
  const data: Record<string, Buffer> = {};
  for (const name of spec.files) {
    const expected = manifest.files?.[name];
    if (!expected) throw spec.error(manifestFile, `lists no checksum for ${name}`);
    try {
      data[name] = await fs.readFile(file(name));
    } catch {
      throw spec.error(file(name), 'is missing');
    }
    if (sha256(data[name]) !== expected.sha256) {
      throw spec.error(file(name), 'does not match the SHA-256 in manifest.json (modified or damaged)');
    }
  }
  for (const name of spec.optionalFiles ?? []) {
    const expected = manifest.files?.[name];
    if (!expected) continue;
    try {
      data[name] = await fs.readFile(file(name));
    } catch {
      throw spec.error(file(name), 'is missing');
    }
    if (sha256(data[name]) !== expected.sha256) {
      throw spec.error(file(name), 'does not match the SHA-256 in manifest.json (modified or damaged)');
    }
  }
  return { manifest, data };
}

/**
 * A network as the two files of a tfjs layers model: model.json (topology and weight specs pointing at
 * `weights.bin`) and the weights' bytes.
 */
export async function networkArtifacts(network: tfl.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
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
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: captured.weightSpecs }],
  });
  return { modelJson, weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(captured.weightData)) };
}

/**
 * Rebuilds a network from `networkArtifacts`' two files, with the engine's registered layer classes only: nothing in
 * the files is executed. `modelJsonFile` is the path errors name.
 * @throws the package's error (`error`) when model.json is not a layers model with its weights in weights.bin.
 */
export async function loadNetworkArtifacts(
  modelJsonFile: string,
  modelJsonText: string,
  weightBytes: Uint8Array,
  error: DirectoryError,
): Promise<tfl.LayersModel> {
  const modelJson = parseJsonFile(modelJsonFile, modelJsonText, error) as {
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
    throw error(modelJsonFile, 'is not a tfjs layers model with its weights in weights.bin');
  }
  const weightData = weightBytes.buffer.slice(
    weightBytes.byteOffset,
    weightBytes.byteOffset + weightBytes.byteLength,
  ) as ArrayBuffer;
  // The engine's layer classes that saved topologies name (an explicit call: a bundler keeps it).
  registerLayers();
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology as object, weightSpecs: group.weights, weightData }),
    );
  } catch (err) {
    throw error(modelJsonFile, `cannot be loaded: ${(err as Error).message}`);
  }
}
