import { CharVocabulary, generateCandidates } from '@emr-re/tokenize';
import type { Candidate, EmbeddingSource, EmrRecord, ProgressListener, Schema } from '@emr-re/tokenize';
import { ModelConfig, validateConfig } from './config';
import { RelationModel, createRelationModel } from './model';

/** Options of `train`. */
export interface TrainOptions {
  /** The schema candidates are generated under; its labels are the model's outputs. */
  schema: Schema;
  /** Records or candidates to early-stop on (macro-F1, `config.patience`). */
  dev?: EmrRecord[] | Candidate[];
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Directory for the per-epoch checkpoint (written atomically). */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` if there is one. */
  resume?: boolean;
  /** Pretrained character vectors (dimension `config.charDim`). */
  embeddings?: EmbeddingSource;
  /** Use this vocabulary instead of building one from the training texts. */
  vocabulary?: CharVocabulary;
  /**
   * Fit the temperature of the scores on `dev` after training, so that scores are probabilities (default true when
   * there is a dev set; the fit is `model.lastCalibration`).
   */
  calibrate?: boolean;
}

function isCandidate(x: EmrRecord | Candidate): x is Candidate {
  return (x as Candidate).sentence !== undefined && (x as Candidate).head !== undefined;
}

/**
 * Candidate pairs of records (or candidates passed through) under a schema; windows are sentences, or whole
 * records with `crossSentence`.
 */
export function toCandidates(
  data: readonly (EmrRecord | Candidate)[],
  schema: Schema,
  crossSentence = false,
): Candidate[] {
  const out: Candidate[] = [];
  for (const item of data) {
    if (isCandidate(item)) out.push(item);
    else out.push(...generateCandidates(item, schema, { crossSentence }));
  }
  return out;
}

/**
 * Trains a relation model of `config.arch` from labelled records (or candidates): builds the character
 * vocabulary from the training windows (`config.minCount`), creates the network, and fits it. The fit
 * report is `model.lastFitReport`.
 * @example
 * const model = await train(records, configFor('resgru-att', 'small'), { schema: await loadSchema('cmeie') });
 * await model.save('out/model');
 */
export async function train(
  data: readonly (EmrRecord | Candidate)[],
  config: ModelConfig,
  options: TrainOptions,
): Promise<RelationModel> {
  const valid = validateConfig(config);
  const candidates = toCandidates(data, options.schema, valid.crossSentence ?? false);
  const texts = new Set<string>();
  for (const c of candidates) texts.add(c.sentence.text);
  const vocabulary = options.vocabulary ?? CharVocabulary.build(texts, { minCount: valid.minCount ?? 1 });
  const model = await createRelationModel({
    config: valid,
    schema: options.schema,
    vocabulary,
    embeddings: options.embeddings,
  });
  try {
    const dev = options.dev ? toCandidates(options.dev, options.schema, valid.crossSentence ?? false) : undefined;
    await model.fit(candidates, {
      dev,
      onProgress: options.onProgress,
      signal: options.signal,
      checkpointDir: options.checkpointDir,
      resume: options.resume,
    });
    if (dev && dev.length > 0 && options.calibrate !== false) model.lastCalibration = await model.calibrate(dev);
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}
