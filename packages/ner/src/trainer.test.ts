import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, selectBackend } from '@emr-re/engine';
import type { NamedArray } from '@emr-re/engine';
import { EmbeddingTable } from '@emr-re/embeddings';
import { CharVocabulary } from '@emr-re/tokenize';
import type { ProgressEvent } from '@emr-re/tokenize';
import { readNerCheckpoint } from './checkpoint';
import { NerCheckpointError, NerDataError, NerTrainingCancelledError } from './errors';
import { NerModel, createNerModel } from './model';
import { CHAR_EMBEDDING_LAYER } from './network';
import { devStrictF1, trainNer } from './trainer';
import { networkWeightArrays } from './weights';
import { TOY_TYPES, syntheticNerRecords } from './__tests__/synthetic';
import { toyConfig } from './__tests__/toy-config';

const train = syntheticNerRecords(160, 1);
const dev = syntheticNerRecords(40, 2);
const test = syntheticNerRecords(60, 3);

let tmp: string;
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-ner-trainer-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function weightsOf(model: NerModel): NamedArray[] {
  return [...networkWeightArrays(model.network), ...model.crf.getWeights()];
}

function sameWeights(a: NamedArray[], b: NamedArray[]): boolean {
  return (
    a.length === b.length && a.every((x, i) => x.name === b[i].name && x.values.every((v, j) => v === b[i].values[j]))
  );
}

describe('trainNer', () => {
  it('learns the toy task to strict F1 ≥ 0.9 in a few seconds, with tensor memory flat across epochs', async () => {
    const tensorsAfterEpoch: number[] = [];
    const events: ProgressEvent[] = [];
    const started = Date.now();
    const model = await trainNer(train, toyConfig({ epochs: 4, patience: 4 }), {
      dev,
      onProgress: (e) => {
        events.push(e);
        if (e.phase === 'ner-epoch') tensorsAfterEpoch.push(tf.memory().numTensors);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    const report = model.lastTrainReport;
    expect(report?.epochs).toBe(4);
    expect(report?.loss).toHaveLength(4);
    expect((report?.loss as number[])[3]).toBeLessThan((report?.loss as number[])[0]);
    expect(report?.devF1).toHaveLength(4);
    expect(report?.data).toMatchObject({ records: 160, mentions: 480, tagged: 480, overlapping: 0, cutByWindow: 0 });
    expect(await devStrictF1(model, test)).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(30);
    expect(new Set(tensorsAfterEpoch).size).toBe(1);
    const steps = events.filter((e) => e.phase === 'ner-train');
    expect(steps).toHaveLength(4 * Math.ceil((report?.data.windows as number) / 16));
    expect(steps[steps.length - 1]).toMatchObject({ done: steps.length, total: steps.length });
    expect(events.filter((e) => e.phase === 'ner-epoch').map((e) => e.done)).toEqual([1, 2, 3, 4]);
    expect(model.types).toEqual(['D', 'M', 'S']);
    model.dispose();
  });

  it.each(['bilstm-crf', 'resgru-crf'])('%s learns the toy task too', async (arch) => {
    const model = await trainNer(train, toyConfig({ arch, epochs: 3 }), { types: TOY_TYPES });
    expect(model.types).toEqual(TOY_TYPES);
    expect(await devStrictF1(model, test)).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  });

  it('resumes after a cancel to exactly the weights of an uninterrupted run', async () => {
    const config = toyConfig({ epochs: 3, dropout: 0.3 });
    const straight = await trainNer(train, config, { dev, checkpointDir: path.join(tmp, 'straight') });

    const dir = path.join(tmp, 'cancelled');
    const controller = new AbortController();
    const stepsPerEpoch = Math.ceil((straight.lastTrainReport?.data.windows as number) / config.batchSize);
    await expect(
      trainNer(train, config, {
        dev,
        checkpointDir: dir,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.phase === 'ner-train' && e.done === stepsPerEpoch + 2) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(NerTrainingCancelledError);
    expect((await readNerCheckpoint(dir))?.state.epoch).toBe(1);

    const resumed = await trainNer(train, config, { dev, checkpointDir: dir, resume: true });
    expect(resumed.lastTrainReport?.epochs).toBe(3);
    expect(resumed.lastTrainReport?.loss).toEqual(straight.lastTrainReport?.loss);
    expect(resumed.lastTrainReport?.devF1).toEqual(straight.lastTrainReport?.devF1);
    expect(sameWeights(weightsOf(straight), weightsOf(resumed))).toBe(true);
    straight.dispose();
    resumed.dispose();
  });

  it('refuses a checkpoint of another run', async () => {
    const dir = path.join(tmp, 'other');
    const m = await trainNer(train, toyConfig({ epochs: 1 }), { checkpointDir: dir });
    m.dispose();
    await expect(
      trainNer(train.slice(0, 50), toyConfig({ epochs: 2 }), { checkpointDir: dir, resume: true }),
    ).rejects.toBeInstanceOf(NerCheckpointError);
  });

  it('stops early after `patience` epochs without dev improvement and keeps the best epoch', async () => {
    const model = await trainNer(train.slice(0, 32), toyConfig({ learningRate: 1e-9, patience: 1, epochs: 5 }), {
      dev,
    });
    expect(model.lastTrainReport?.epochs).toBe(2);
    expect(model.lastTrainReport?.bestEpoch).toBe(1);
    model.dispose();
  });

  it('refuses data without records or entity types', async () => {
    await expect(trainNer([], toyConfig())).rejects.toBeInstanceOf(NerDataError);
    const plain = [{ id: 'a', text: '无实体。', entities: [], relations: [] }];
    await expect(trainNer(plain, toyConfig())).rejects.toThrow(/no entity types/);
  });
});

describe('createNerModel with pretrained embeddings', () => {
  it('starts the characters the source has from its vectors and checks the dimension', async () => {
    const vocabulary = CharVocabulary.build(['糖尿病', '头痛']);
    const vectors = new Float32Array(2 * 32);
    vectors.fill(0.5, 0, 32);
    vectors.fill(-0.25, 32, 64);
    const source = new EmbeddingTable(['糖', '𠮷'], vectors, 32);
    const before = tf.memory().numTensors;
    const model = await createNerModel({ config: toyConfig(), types: TOY_TYPES, vocabulary, embeddings: source });
    const matrix = model.network.getLayer(CHAR_EMBEDDING_LAYER).getWeights()[0].arraySync() as number[][];
    expect(matrix[vocabulary.id('糖')]).toEqual(new Array(32).fill(0.5));
    expect(matrix[vocabulary.id('尿')].some((v) => v !== 0.5)).toBe(true);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const wrong = new EmbeddingTable(['糖'], new Float32Array(8), 8);
    await expect(
      createNerModel({ config: toyConfig(), types: TOY_TYPES, vocabulary, embeddings: wrong }),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
