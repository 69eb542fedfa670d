import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CharVocabulary, schemaLabels } from '@emr-re/tokenize';
import type { Candidate, EmbeddingSource, FitReport, RelationClassifier, Schema } from '@emr-re/tokenize';
import { FeatureInput, buildNetwork, networkInputs } from './architectures';
import { ConfigError, ModelConfig, validateConfig } from './config';
import { ensureBackend } from './engine';
import { allowedLabelMask, featureTensors, restrictRows } from './features';
import { readModelDirectory, writeModelDirectory } from './manifest';
import { TrainFitOptions, argmax, fitNetwork } from './trainer';
import { applyTemperature, calibrationOf, fitTemperature } from './temperature';
import type { CalibrationFit } from './temperature';

/** One candidate's predicted label and its probability. */
export interface Prediction {
  candidate: Candidate;
  label: string;
  score: number;
}

/** Each candidate's most probable label under its probability row (`rows[i]` over `labels`), with that probability. */
export function topPredictions(
  candidates: readonly Candidate[],
  rows: readonly Float32Array[],
  labels: readonly string[],
): Prediction[] {
  return rows.map((row, i) => {
    const best = argmax(row);
    return { candidate: candidates[i], label: labels[best], score: row[best] };
  });
}

/** What `createRelationModel` needs. */
export interface RelationModelOptions {
  config: ModelConfig;
  schema: Schema;
  vocabulary: CharVocabulary;
  /** Pretrained character vectors of dimension `config.charDim`; characters it lacks keep random vectors. */
  embeddings?: EmbeddingSource;
}

/** Candidates per inference batch: inference has no gradients, so it can take larger batches than training. */
const INFERENCE_BATCH = 256;

/**
 * Copies pretrained vectors into the character embedding matrix `(vocabularySize, charDim)`:
 * every single-character token of `source` that the vocabulary knows (not PAD/UNK) gets its vector.
 * Returns how many rows were set.
 * @throws ConfigError when the source's dimension differs from `charDim`.
 */
export function initialiseCharEmbeddings(
  network: tfl.LayersModel,
  vocabulary: CharVocabulary,
  source: EmbeddingSource,
  charDim: number,
): number {
  if (source.dim !== charDim) {
    throw new ConfigError('charDim', `is ${charDim} but the pretrained embeddings have dimension ${source.dim}`);
  }
  const layer = network.getLayer('char_embedding');
  const [current] = layer.getWeights();
  const matrix = (current.dataSync() as Float32Array).slice();
  let set = 0;
  for (const [token, vector] of source.entries()) {
    if ([...token].length !== 1) continue;
    const id = vocabulary.id(token);
    if (id <= 1) continue; // PAD = 0, UNK = 1
    matrix.set(vector.subarray(0, charDim), id * charDim);
    set++;
  }
  tf.tidy(() => layer.setWeights([tf.tensor2d(matrix, current.shape as [number, number])]));
  return set;
}

/**
 * A relation classifier of any configured architecture (`config.arch`) over one schema: candidates in,
 * probabilities over `labels` (`'unknown'` first) out. Trains, predicts, saves and loads a directory.
 */
export class RelationModel implements RelationClassifier {
  private state: {
    config: ModelConfig;
    schema: Schema;
    vocabulary: CharVocabulary;
    labels: string[];
    network: tfl.LayersModel;
    temperature?: number;
  };

  /** Use `createRelationModel` or `loadRelationModel`. */
  constructor(parts: {
    config: ModelConfig;
    schema: Schema;
    vocabulary: CharVocabulary;
    labels: string[];
    network: tfl.LayersModel;
    temperature?: number;
  }) {
    this.state = { ...parts };
  }

  /** The temperature probabilities are scaled by (1 until `calibrate`; saved with the model). */
  get temperature(): number {
    return this.state.temperature ?? 1;
  }

  /**
   * Fits the temperature of the scores on labelled candidates (a dev set; Guo et al. 2017), so that a score is a
   * probability a user can threshold: the temperature minimising their negative log-likelihood. Returns the
   * calibration before and after (ECE over 10 bins of the top label's score, and the mean NLL of the gold labels).
   */
  async calibrate(dev: Candidate[]): Promise<CalibrationFit> {
    if (dev.length === 0) throw new RangeError('calibrate: no candidates');
    this.state.temperature = undefined;
    const raw = await this.predictProba(dev);
    const gold = dev.map((c) => {
      const k = this.labels.indexOf(c.label);
      if (k < 0) throw new RangeError(`calibrate: candidate label '${c.label}' is not one of the model's labels`);
      return k;
    });
    const temperature = fitTemperature(raw, gold);
    const scaled = raw.map((row) => applyTemperature(row, temperature));
    this.state.temperature = temperature;
    return {
      temperature,
      candidates: dev.length,
      before: calibrationOf(raw, gold),
      after: calibrationOf(scaled, gold),
    };
  }

  /** Output labels; `predictProba` rows follow this order. */
  get labels(): readonly string[] {
    return this.state.labels;
  }

  /** The validated configuration. */
  get config(): ModelConfig {
    return this.state.config;
  }

  /** The schema candidates are generated under. */
  get schema(): Schema {
    return this.state.schema;
  }

  /** The character vocabulary. */
  get vocabulary(): CharVocabulary {
    return this.state.vocabulary;
  }

  /** The underlying tfjs-layers network (for inspection; shapes `(batch, maxLength)` in, `(batch, labels)` out). */
  get network(): tfl.LayersModel {
    return this.state.network;
  }

  /** Feature inputs the network reads, in feed order. */
  get inputs(): readonly FeatureInput[] {
    return networkInputs(this.state.config);
  }

  /** The result of the last `calibrate` that `train` ran, if any. */
  lastCalibration?: CalibrationFit;

  /** The report of the last completed `fit`, if any. */
  lastFitReport?: FitReport;

  /** Trains on labelled candidates, continuing from the current weights. */
  async fit(train: Candidate[], options: TrainFitOptions = {}): Promise<FitReport> {
    this.lastFitReport = await fitNetwork(this, train, options);
    return this.lastFitReport;
  }

  /**
   * Per candidate, a probability row over `labels`, restricted to the labels the schema allows for the
   * candidate's entity-type pair (the others are 0) and renormalised.
   */
  async predictProba(batch: Candidate[]): Promise<Float32Array[]> {
    const rows: Float32Array[] = [];
    for (let s = 0; s < batch.length; s += INFERENCE_BATCH) {
      const chunk = batch.slice(s, s + INFERENCE_BATCH);
      const probabilities = tf.tidy(() => {
        const features = featureTensors(chunk, this.vocabulary, this.config, this.inputs, this.schema.entityTypes);
        return this.network.predict(features, { batchSize: chunk.length }) as tf.Tensor2D;
      });
      // Read outside tidy: tidy would walk a returned typed array element by element.
      const flat = (await probabilities.data()) as Float32Array;
      probabilities.dispose();
      const k = this.labels.length;
      const chunkRows: Float32Array[] = [];
      for (let i = 0; i < chunk.length; i++) chunkRows.push(flat.slice(i * k, (i + 1) * k));
      restrictRows(chunkRows, allowedLabelMask(chunk, this.schema, this.labels));
      const t = this.temperature;
      rows.push(...(t === 1 ? chunkRows : chunkRows.map((row) => applyTemperature(row, t))));
    }
    return rows;
  }

  /** The most probable label of each candidate with its probability. */
  async predict(candidates: Candidate[]): Promise<Prediction[]> {
    return topPredictions(candidates, await this.predictProba(candidates), this.labels);
  }

  /**
   * Streaming `predict`: reads candidates from any (async) iterable, classifies them in batches of
   * `batchSize` (default 256), and yields predictions in input order, so memory stays bounded.
   */
  async *predictStream(
    candidates: Iterable<Candidate> | AsyncIterable<Candidate>,
    options: { batchSize?: number } = {},
  ): AsyncIterable<Prediction> {
    const size = options.batchSize ?? INFERENCE_BATCH;
    let pending: Candidate[] = [];
    for await (const c of candidates) {
      pending.push(c);
      if (pending.length >= size) {
        yield* await this.predict(pending);
        pending = [];
      }
    }
    if (pending.length > 0) yield* await this.predict(pending);
  }

  /** Writes the model directory atomically (config, vocabulary, labels, schema, tfjs weights, manifest). */
  async save(dir: string): Promise<void> {
    await writeModelDirectory(dir, this.state);
  }

  /** Replaces this model's state with the one saved in `dir` (verified against its manifest). */
  async load(dir: string): Promise<void> {
    await ensureBackend();
    const loaded = await readModelDirectory(dir);
    this.state.network.dispose();
    this.state = loaded;
  }

  /** Frees the network's tensors. */
  dispose(): void {
    this.state.network.dispose();
  }
}

/**
 * A new, untrained model: builds the network of `config.arch` (weights seeded by `config.seed`) and, given
 * `embeddings`, initialises character vectors from them. The factory the bootstrap package uses.
 */
export async function createRelationModel(options: RelationModelOptions): Promise<RelationModel> {
  await ensureBackend();
  const config = validateConfig(options.config);
  const labels = schemaLabels(options.schema);
  const network = buildNetwork(config, {
    vocabularySize: options.vocabulary.size,
    labelCount: labels.length,
    entityTypeCount: options.schema.entityTypes.length + 1,
  });
  if (options.embeddings) initialiseCharEmbeddings(network, options.vocabulary, options.embeddings, config.charDim);
  return new RelationModel({ config, schema: options.schema, vocabulary: options.vocabulary, labels, network });
}

/** Loads a model directory written by `RelationModel.save`. @throws ModelFormatError when it is damaged or foreign. */
export async function loadRelationModel(dir: string): Promise<RelationModel> {
  await ensureBackend();
  return new RelationModel(await readModelDirectory(dir));
}
