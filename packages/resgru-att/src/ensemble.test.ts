import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { generateCandidates, isUserError } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/engine';
import { RelationEnsemble, loadRelationEnsemble } from './ensemble';
import { loadRelationModel } from './model';
import { TOY_SCHEMA, syntheticRecords } from './__tests__/synthetic';

// Two models saved by release 0.1.0 with the probabilities they predict (see saved-models.test.ts).
const FIXTURES = path.join(__dirname, '__fixtures__', 'v0.1.0');
const probe = syntheticRecords(6, 77).flatMap((r) => generateCandidates(r, TOY_SCHEMA));
const expected = async (arch: string): Promise<number[][]> =>
  (JSON.parse(await fs.readFile(path.join(FIXTURES, `${arch}.expected.json`), 'utf8')) as { probabilities: number[][] })
    .probabilities;

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('RelationEnsemble', () => {
  it('averages the members’ probability rows and predicts the argmax of the average, leaking no tensor', async () => {
    const before = tf.memory().numTensors;
    const ensemble = await loadRelationEnsemble([path.join(FIXTURES, 'cnn'), path.join(FIXTURES, 'pcnn')]);
    const [a, b] = [await expected('cnn'), await expected('pcnn')];
    const rows = await ensemble.predictProba(probe);
    expect(rows).toHaveLength(probe.length);
    rows.forEach((row, i) => row.forEach((p, j) => expect(p).toBeCloseTo((a[i][j] + b[i][j]) / 2, 5)));
    const predictions = await ensemble.predict(probe);
    predictions.forEach((p, i) => {
      const mean = a[i].map((x, j) => (x + b[i][j]) / 2);
      const best = mean.indexOf(Math.max(...mean));
      expect(p.label).toBe(ensemble.labels[best]);
      expect(p.score).toBeCloseTo(mean[best], 5);
      expect(p.candidate).toBe(probe[i]);
    });
    ensemble.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('one member predicts what that model predicts', async () => {
    const model = await loadRelationModel(path.join(FIXTURES, 'bigru-att'));
    const alone = await model.predictProba(probe);
    const ensemble = new RelationEnsemble([model]);
    expect((await ensemble.predictProba(probe)).map((r) => Array.from(r))).toEqual(alone.map((r) => Array.from(r)));
    ensemble.dispose();
  });

  it('refuses no members and members with other labels, as user errors, and frees what it loaded', async () => {
    expect(() => new RelationEnsemble([])).toThrow(/at least one/);
    const model = await loadRelationModel(path.join(FIXTURES, 'cnn'));
    const other = { ...model, labels: [...model.labels, 'extra'], schema: model.schema } as unknown as typeof model;
    let err: unknown;
    try {
      new RelationEnsemble([model, other]);
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect(String(err)).toMatch(/member 2 has other labels/);
    model.dispose();
    const before = tf.memory().numTensors;
    await expect(loadRelationEnsemble([path.join(FIXTURES, 'cnn'), path.join(FIXTURES, 'missing')])).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
