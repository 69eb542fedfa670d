import * as tf from '@tensorflow/tfjs-core';
import { Adam, SeededRandom, StepDropout, recordDevScore } from '@emr-re/engine';
import type { NamedArray } from '@emr-re/engine';
import { scoreEntities } from '@emr-re/metrics';
import { CharVocabulary } from '@emr-re/tokenize';
import type { EmbeddingSource, EmrRecord, ProgressListener, Schema } from '@emr-re/tokenize';
import { NerCheckpoint, NerTrainingState, readNerCheckpoint, writeNerCheckpoint } from './checkpoint';
import { NerConfig, validateNerConfig } from './config';
import { NerCheckpointError, NerDataError, NerTrainingCancelledError, NerTrainingDivergedError } from './errors';
import { TaggedWindow, TrainingDataStats, trainingWindows, windowBatch } from './examples';
import { NerModel, createNerModel } from './model';
import { nerTypes } from './types';
import { networkWeightArrays, setNetworkWeightArrays, sha256 } from './weights';

/** Options of `trainNer` and `fitNerModel`. */
export interface NerTrainOptions {
  /** Records to early-stop on (strict micro-F1 of `recognize` against their entities, `config.patience`). */
  dev?: readonly EmrRecord[];
  /** Entity types to tag (default: `nerTypes(records, schema)`). */
  types?: readonly string[];
  /** A schema whose entity types come first in the tag scheme (see `nerTypes`). */
  schema?: Schema;
  /** Pretrained character vectors (dimension `config.charDim`). */
  embeddings?: EmbeddingSource;
  /** Use this vocabulary instead of building one from the training texts (`config.minCount`). */
  vocabulary?: CharVocabulary;
  /** Progress: phase `ner-train` after every step, `ner-epoch` after every epoch. */
  onProgress?: ProgressListener;
  /** Cancels training between steps (`NerTrainingCancelledError`); the last epoch's checkpoint stays. */
  signal?: AbortSignal;
  /** Directory for the per-epoch checkpoint (written atomically). */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` when there is one. */
  resume?: boolean;
}

/** What a training run did. */
export interface NerTrainReport {
  /** Completed epochs. */
  epochs: number;
  /** Mean CRF negative log-likelihood per window, per epoch. */
  loss: number[];
  /** Dev strict micro-F1 per epoch, with a dev set. */
  devF1?: number[];
  /** The epoch whose weights were kept, with a dev set. */
  bestEpoch?: number;
  /** How the training records became tagged windows (mentions dropped as overlapping, cut by windows, …). */
  data: TrainingDataStats;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Strict micro-F1 (same record, start, end and type) of the model's entities on `dev`. */
export async function devStrictF1(model: NerModel, dev: readonly EmrRecord[]): Promise<number> {
  const predicted = await model.recognize(dev.map((r) => ({ id: r.id, text: r.text })));
  return scoreEntities([...dev], predicted).micro.f1;
}

function fingerprintOf(model: NerModel, windows: readonly TaggedWindow[]): string {
  const { epochs: _epochs, patience: _patience, ...config } = model.config;
  const data = sha256(
    windows
      .map(
        (w) =>
          `${Buffer.from(w.chars.buffer, w.chars.byteOffset, w.chars.byteLength).toString('base64')}:` +
          Buffer.from(w.tags.buffer, w.tags.byteOffset, w.tags.byteLength).toString('base64'),
      )
      .join('\n'),
  );
  return sha256(
    JSON.stringify({ config, tags: model.scheme.tags, vocabulary: sha256(model.vocabulary.tokens.join('\n')), data }),
  );
}

/** Network then CRF weights, as a checkpoint holds them. */
function modelWeights(model: NerModel): NamedArray[] {
  return [...networkWeightArrays(model.network), ...model.crf.getWeights()];
}

function setModelWeights(model: NerModel, arrays: readonly NamedArray[]): void {
  setNetworkWeightArrays(model.network, arrays);
  model.crf.setWeights([...arrays]);
}

/**
 * Trains `model` (network and CRF together) on the windows of `records`, continuing from its current weights:
 * Adam at `config.learningRate` on the CRF's mean negative log-likelihood, mini-batches of `config.batchSize` windows
 * shuffled by a generator seeded with `config.seed`, dropout masks indexed by step, early stopping on dev strict
 * micro-F1 (`config.patience`; the best epoch's weights are restored at the end), progress events, cancellation by
 * `signal`, and an atomic checkpoint after each epoch from which `resume` continues bit for bit (weights, Adam
 * moments, generator, epoch). Tensor memory is the same after every epoch.
 * @throws NerTrainingCancelledError, NerTrainingDivergedError, NerCheckpointError (a checkpoint of another run).
 */
export async function fitNerModel(
  model: NerModel,
  records: readonly EmrRecord[],
  options: NerTrainOptions = {},
): Promise<NerTrainReport> {
  const { config, network, crf } = model;
  const { windows, stats } = trainingWindows(records, model.scheme, model.vocabulary, config);
  const dev = options.dev && options.dev.length > 0 ? options.dev : undefined;
  const variables = [...network.trainableWeights.map((w) => w.read() as tf.Variable), ...crf.variables];
  const dropouts = network.layers.filter((l): l is StepDropout => l instanceof StepDropout);
  const optimizer = new Adam(variables, { learningRate: config.learningRate });
  const rng = new SeededRandom(config.seed);
  const fingerprint = fingerprintOf(model, windows);
  let state: NerTrainingState = {
    epoch: 0,
    step: 0,
    rngState: rng.state,
    loss: [],
    devF1: [],
    bestF1: null,
    bestEpoch: null,
    sinceBest: 0,
    stopped: false,
  };
  let best: NamedArray[] | undefined;
  try {
    if (options.resume && options.checkpointDir) {
      const checkpoint = await readNerCheckpoint(options.checkpointDir);
      if (checkpoint) {
        if (checkpoint.fingerprint !== fingerprint) {
          throw new NerCheckpointError(
            options.checkpointDir,
            'checkpoint was made for another configuration, tag set, vocabulary or training set; delete it or train without resume',
          );
        }
        setModelWeights(model, checkpoint.weights);
        optimizer.restore(checkpoint.optimizer);
        state = checkpoint.state;
        rng.state = state.rngState;
        best = checkpoint.best;
      }
    }
    const { batchSize, epochs } = config;
    const stepsPerEpoch = Math.ceil(windows.length / batchSize);
    const order = Array.from({ length: windows.length }, (_, i) => i);
    while (state.epoch < epochs && !state.stopped && windows.length > 0) {
      const epoch = state.epoch + 1;
      order.sort((a, b) => a - b);
      rng.shuffle(order);
      const started = Date.now();
      let lossSum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (options.signal?.aborted) throw new NerTrainingCancelledError(epoch, state.step);
        const batch = windowBatch(order.slice(s * batchSize, (s + 1) * batchSize).map((i) => windows[i]));
        for (const d of dropouts) d.step = Math.imul(config.seed, 1000003) + state.step;
        const { value, grads } = tf.variableGrads(() => {
          const emissions = network.apply([batch.chars, batch.mask], { training: true }) as tf.Tensor3D;
          return crf.negativeLogLikelihood(emissions, batch.tags as tf.Tensor2D, batch.mask);
        }, variables);
        optimizer.apply(variables.map((v) => grads[v.name]));
        const loss = (await value.data())[0];
        tf.dispose([value, ...Object.values(grads), batch.chars, batch.mask, batch.tags as tf.Tensor2D]);
        state.step += 1;
        if (!Number.isFinite(loss)) throw new NerTrainingDivergedError(epoch, state.step);
        const n = batch.lengths.length;
        lossSum += loss * n;
        const seconds = (Date.now() - started) / 1000;
        const done = Math.min((s + 1) * batchSize, windows.length);
        options.onProgress?.({
          phase: 'ner-train',
          done: (epoch - 1) * stepsPerEpoch + s + 1,
          total: stepsPerEpoch * epochs,
          values: { epoch, loss, windowsPerSecond: seconds > 0 ? Math.round((done / seconds) * 10) / 10 : 0 },
        });
        await nextTick();
      }
      state.loss.push(lossSum / windows.length);
      const values: Record<string, number> = { loss: state.loss[state.loss.length - 1] };
      if (dev) {
        const f1 = await devStrictF1(model, dev);
        state.devF1.push(f1);
        values.devF1 = f1;
        if (recordDevScore(state, f1, epoch, config.patience)) best = modelWeights(model);
      }
      state.epoch = epoch;
      state.rngState = rng.state;
      if (options.checkpointDir) {
        const checkpoint: NerCheckpoint = {
          fingerprint,
          state,
          weights: modelWeights(model),
          best,
          optimizer: optimizer.snapshot(),
        };
        await writeNerCheckpoint(options.checkpointDir, checkpoint);
      }
      options.onProgress?.({
        phase: 'ner-epoch',
        done: epoch,
        total: epochs,
        values,
        message: state.stopped ? `early stop: no dev improvement for ${config.patience} epochs` : undefined,
      });
    }
    if (best && state.bestEpoch !== null && state.bestEpoch !== state.epoch) setModelWeights(model, best);
  } finally {
    optimizer.dispose();
  }
  const report: NerTrainReport = { epochs: state.epoch, loss: state.loss, data: stats };
  if (dev) {
    report.devF1 = state.devF1;
    if (state.bestEpoch !== null) report.bestEpoch = state.bestEpoch;
  }
  return report;
}

/**
 * Trains an entity recogniser from records with entity mentions (any reader's output: ccks2017, cmeie, brat, jsonl):
 * entity types from the data (`options.types`, or `nerTypes(records, options.schema)`), a character vocabulary from
 * the training texts (`config.minCount`), a new model of `config.arch` (`createNerModel`), then `fitNerModel`. The
 * run's report is `model.lastTrainReport`.
 * @throws NerDataError when there are no records or no entity types; the errors of `fitNerModel`.
 * @example
 * const model = await trainNer(records, nerConfigFor('bigru-crf', 'small'), { dev });
 * await model.save('out/ner');
 */
export async function trainNer(
  records: readonly EmrRecord[],
  config: NerConfig,
  options: NerTrainOptions = {},
): Promise<NerModel> {
  const valid = validateNerConfig(config);
  if (records.length === 0) throw new NerDataError('no training records');
  const types = options.types ?? nerTypes(records, options.schema);
  const vocabulary =
    options.vocabulary ??
    CharVocabulary.build(
      records.map((r) => r.text),
      { minCount: valid.minCount ?? 1 },
    );
  const model = await createNerModel({ config: valid, types, vocabulary, embeddings: options.embeddings });
  try {
    model.lastTrainReport = await fitNerModel(model, records, options);
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}
