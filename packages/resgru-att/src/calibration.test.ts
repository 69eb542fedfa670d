import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { generateCandidates } from '@emr-re/tokenize';
import type { Candidate } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/engine';
import { validateConfig } from './config';
import { ModelFormatError } from './manifest';
import { RelationModel, loadRelationModel } from './model';
import { applyTemperature, fitTemperature } from './temperature';
import { train } from './train';
import { TOY_SCHEMA, syntheticRecords } from './__tests__/synthetic';

const config = validateConfig({
  arch: 'cnn',
  maxLength: 32,
  charDim: 8,
  positionDim: 4,
  maxDistance: 32,
  cnn: { filters: 8, windows: [3], blocks: 1 },
  dropout: 0,
  batchSize: 16,
  learningRate: 0.02,
  epochs: 6,
  seed: 3,
});
const dev: Candidate[] = syntheticRecords(40, 32).flatMap((r) => generateCandidates(r, TOY_SCHEMA));

let tmp: string;
let model: RelationModel;
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-calibration-'));
  model = await train(syntheticRecords(80, 31), config, { schema: TOY_SCHEMA, dev, calibrate: false });
});
afterAll(async () => {
  model.dispose();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('RelationModel.calibrate', () => {
  it('fits the NLL-minimising temperature on dev, scales every score by it and keeps every label', async () => {
    expect(model.temperature).toBe(1);
    expect(model.lastCalibration).toBeUndefined();
    const raw = await model.predictProba(dev);
    const before = await model.predict(dev);
    const tensors = tf.memory().numTensors;
    const fit = await model.calibrate(dev);
    expect(tf.memory().numTensors).toBe(tensors);
    const gold = dev.map((c) => model.labels.indexOf(c.label));
    expect(fit.temperature).toBeCloseTo(fitTemperature(raw, gold), 10);
    expect(model.temperature).toBe(fit.temperature);
    expect(fit.candidates).toBe(dev.length);
    expect(fit.after.nll).toBeLessThanOrEqual(fit.before.nll + 1e-12);
    const scaled = await model.predictProba(dev);
    scaled.forEach((row, i) => {
      const want = applyTemperature(raw[i], fit.temperature);
      for (let k = 0; k < row.length; k++) expect(row[k]).toBeCloseTo(want[k], 6);
    });
    expect((await model.predict(dev)).map((p) => p.label)).toEqual(before.map((p) => p.label));
  });

  it('saves the temperature in a checked calibration.json and loads it back; a changed one is refused', async () => {
    const dir = path.join(tmp, 'calibrated');
    await model.save(dir);
    const saved = JSON.parse(await fs.readFile(path.join(dir, 'calibration.json'), 'utf8'));
    expect(saved).toEqual({ version: 1, temperature: model.temperature });
    const loaded = await loadRelationModel(dir);
    try {
      expect(loaded.temperature).toBe(model.temperature);
      expect(await loaded.predictProba(dev.slice(0, 5))).toEqual(await model.predictProba(dev.slice(0, 5)));
    } finally {
      loaded.dispose();
    }
    await fs.writeFile(path.join(dir, 'calibration.json'), JSON.stringify({ version: 1, temperature: 9 }));
    await expect(loadRelationModel(dir)).rejects.toBeInstanceOf(ModelFormatError);
  });

  it('writes no calibration.json for an uncalibrated model, and train calibrates on dev by default', async () => {
    const plain = await train(syntheticRecords(20, 33), { ...config, epochs: 1 }, { schema: TOY_SCHEMA });
    const calibrated = await train(syntheticRecords(20, 33), { ...config, epochs: 1 }, { schema: TOY_SCHEMA, dev });
    try {
      const dir = path.join(tmp, 'plain');
      await plain.save(dir);
      await expect(fs.access(path.join(dir, 'calibration.json'))).rejects.toThrow();
      expect(plain.temperature).toBe(1);
      expect(calibrated.lastCalibration?.temperature).toBe(calibrated.temperature);
    } finally {
      plain.dispose();
      calibrated.dispose();
    }
  });
});
