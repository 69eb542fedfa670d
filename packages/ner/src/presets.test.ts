import { selectBackend } from '@emr-re/engine';
import { nerConfigFor } from './presets';
import { devStrictF1, trainNer } from './trainer';
import { syntheticNerRecords } from './__tests__/synthetic';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('the small preset on little data', () => {
  // 120 short records are 120 windows: 8 steps an epoch at the preset's batch of 16. With the earlier defaults
  // (batch 32, Adam 0.005: 4 steps an epoch) the same two epochs found no entity at all (strict F1 0).
  it("learns the toy task in 2 epochs from 120 records with the preset's own batch and learning rate", async () => {
    const config = nerConfigFor('bigru-crf', 'small', { epochs: 2 });
    expect(config).toMatchObject({ batchSize: 16, learningRate: 0.01, charDim: 64, rnn: { units: 64, layers: 1 } });
    const model = await trainNer(syntheticNerRecords(120, 1), config);
    expect(model.lastTrainReport?.data.windows).toBe(120);
    expect(await devStrictF1(model, syntheticNerRecords(60, 3))).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  });
});
