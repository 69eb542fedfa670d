import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Schema } from '@emr-re/tokenize';
import type { NerModel } from '@emr-re/ner';
import type { RelationExtractor } from '@emr-re/resgru-att';

/** What the service says of one loaded model directory. */
export interface ModelInfo {
  /** `sha256:` and the first 16 hex digits of the SHA-256 of its manifest.json (which hashes every other file). */
  id: string;
  /** The directory's name (not its path). */
  name: string;
  /** The manifest's `format`, `formatVersion` and the `packageVersion` that wrote it. */
  format: string;
  formatVersion: number;
  version: string;
  arch: string;
}

/** The NER model: its entity types in tag order. */
export interface NerModelInfo extends ModelInfo {
  entityTypes: string[];
}

/** The relation model: its labels (with `unknown`), its schema, and the entity types the schema pairs. */
export interface RelationModelInfo extends ModelInfo {
  labels: string[];
  entityTypes: string[];
  schema: Schema;
}

/** `GET /v1/models`. */
export interface ModelsInfo {
  ner: NerModelInfo;
  relations: RelationModelInfo;
}

interface ManifestFields {
  format?: unknown;
  formatVersion?: unknown;
  packageVersion?: unknown;
  arch?: unknown;
}

async function describeDirectory(dir: string, arch: string): Promise<ModelInfo> {
  const bytes = await fs.readFile(path.join(dir, 'manifest.json'));
  const manifest = JSON.parse(bytes.toString('utf8')) as ManifestFields;
  return {
    id: `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`,
    name: path.basename(path.resolve(dir)),
    format: typeof manifest.format === 'string' ? manifest.format : 'unknown',
    formatVersion: typeof manifest.formatVersion === 'number' ? manifest.formatVersion : 0,
    version: typeof manifest.packageVersion === 'string' ? manifest.packageVersion : '0.0.0',
    arch: typeof manifest.arch === 'string' ? manifest.arch : arch,
  };
}

/**
 * Describes two loaded models from their directories' manifests (read after loading, which verified them) and from
 * the models themselves (types, labels, schema).
 * @example
 * const info = await describeModels({ ner: 'ner-model', relations: 're-model' }, { ner, relations });
 */
export async function describeModels(
  dirs: { ner: string; relations: string },
  models: { ner: NerModel; relations: RelationExtractor },
): Promise<ModelsInfo> {
  const ner = await describeDirectory(dirs.ner, models.ner.config.arch);
  const relations = await describeDirectory(dirs.relations, models.relations.classifier.config.arch);
  return {
    ner: { ...ner, entityTypes: [...models.ner.types] },
    relations: {
      ...relations,
      labels: [...models.relations.classifier.labels],
      entityTypes: [...models.relations.schema.entityTypes],
      schema: models.relations.schema,
    },
  };
}
