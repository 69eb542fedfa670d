import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CharVocabulary, generateCandidates } from '@emr-re/tokenize';
import type { Candidate } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/engine';
import { ARCHITECTURES, validateConfig } from '../config';
import type { Architecture } from '../config';
import { createRelationModel, loadRelationModel } from '../model';
import { TOY_SCHEMA, syntheticRecords } from '../__tests__/synthetic';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';
import { maxPool } from './parts';
import { encoderFor, registerEncoder, registeredArchitectures } from './registry';

/**
 * A ninth architecture in one definition, as a user would add one: a per-character dense layer (no context at
 * all, so only the position embeddings can tell it where the cue sits) and masked max pooling.
 */
const dense: EncoderDefinition = {
  name: 'toy-dense',
  inputs: BASE_INPUTS,
  configKeys: [],
  description: 'a per-character dense layer and max pooling (test)',
  encode: (input) => {
    const h = tfl.layers
      .dense({
        units: 16,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: input.seed() }),
        name: 'toy_dense',
      })
      .apply(input.x) as tfl.SymbolicTensor;
    return maxPool(h, input, 'toy_pool');
  },
};

const candidates = (n: number, seed: number): Candidate[] =>
  syntheticRecords(n, seed).flatMap((r) => generateCandidates(r, TOY_SCHEMA));

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('the encoder registry', () => {
  it('holds the eight architectures of the paper, each one file with its inputs and config keys', () => {
    expect(registeredArchitectures().slice(0, 8)).toEqual([...ARCHITECTURES]);
    expect(encoderFor('pcnn').inputs).toEqual(['chars', 'headPosition', 'tailPosition', 'mask', 'segments']);
    expect(encoderFor('resgru-att').configKeys).toEqual(['cnn', 'rnn', 'attentionForm']);
    expect(() => validateConfig({ arch: 'toy-unregistered' })).toThrow(/arch.*must be one of cnn, cnn-att/);
  });

  it('refuses a second encoder of the same name and inputs out of order', () => {
    expect(() => registerEncoder({ ...dense, name: 'cnn' })).toThrow(/already registered/);
    expect(() => registerEncoder({ ...dense, name: 'toy-bad', inputs: ['mask', 'chars'] })).toThrow(/inputs must be/);
  });

  it('adding a file is adding an architecture: a ninth one trains on the toy task, saves and loads', async () => {
    registerEncoder(dense);
    expect(registeredArchitectures()).toContain('toy-dense');
    const config = validateConfig({
      arch: 'toy-dense',
      maxLength: 32,
      charDim: 16,
      positionDim: 8,
      maxDistance: 32,
      batchSize: 16,
      learningRate: 0.01,
      epochs: 15,
      seed: 2,
    });
    const train = candidates(120, 31);
    const dev = candidates(40, 32);
    const vocabulary = CharVocabulary.build(train.map((c) => c.sentence.text));
    const start = tf.memory().numTensors;
    const model = await createRelationModel({ config, schema: TOY_SCHEMA, vocabulary });
    expect(model.network.layers.map((l) => l.name)).toEqual(expect.arrayContaining(['toy_dense', 'toy_pool']));
    const report = await model.fit(train, { dev });
    expect(Math.max(...(report.devMacroF1 as number[]))).toBeGreaterThanOrEqual(0.9);

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-encoder-'));
    try {
      await model.save(path.join(dir, 'm'));
      const before = await model.predictProba(dev.slice(0, 8));
      const loaded = await loadRelationModel(path.join(dir, 'm'));
      const after = await loaded.predictProba(dev.slice(0, 8));
      expect(loaded.config.arch as string).toBe('toy-dense');
      after.forEach((row, i) => row.forEach((p, j) => expect(p).toBeCloseTo(before[i][j], 6)));
      loaded.dispose();
    } finally {
      model.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
    expect(tf.memory().numTensors).toBe(start);
  });
});

// The built-ins stay typed; a registered name is a string.
const _typed: Architecture = 'resgru-att';
void _typed;
