/*
 * Models saved by release 0.1.0 (the code of the commit that added these fixtures, before the engine moved to its
 * own package) must keep
 * loading and predicting the same probabilities. The fixtures under `__fixtures__/v0.1.0/` were made by this file
 * with `EMR_RE_WRITE_FIXTURES=1 npx jest packages/resgru-att/src/saved-models.test.ts` and are never rewritten
 * by a normal run: a difference is a compatibility break, not a fixture to refresh.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { generateCandidates } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/engine';
import { ARCHITECTURES } from './config';
import { validateConfig } from './config';
import { loadRelationModel } from './model';
import { train } from './train';
import { TOY_SCHEMA, syntheticRecords } from './__tests__/synthetic';

const FIXTURES = path.join(__dirname, '__fixtures__', 'v0.1.0');
const WRITE = process.env.EMR_RE_WRITE_FIXTURES === '1';
const probe = syntheticRecords(6, 77).flatMap((r) => generateCandidates(r, TOY_SCHEMA));

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe.each([...ARCHITECTURES])('a %s model saved by release 0.1.0', (arch) => {
  const dir = path.join(FIXTURES, arch);

  if (WRITE) {
    it('is written (fixture generation)', async () => {
      const config = validateConfig({
        arch,
        maxLength: 32,
        charDim: 6,
        positionDim: 3,
        maxDistance: 32,
        cnn: { filters: 4, windows: [3], blocks: 1 },
        rnn: { units: 4, layers: 1 },
        dropout: 0.1,
        batchSize: 16,
        learningRate: 0.01,
        epochs: 2,
        seed: 5,
      });
      const model = await train(syntheticRecords(40, 5), config, { schema: TOY_SCHEMA });
      await fs.rm(dir, { recursive: true, force: true });
      await model.save(dir);
      const rows = await model.predictProba(probe);
      await fs.writeFile(
        path.join(FIXTURES, `${arch}.expected.json`),
        JSON.stringify({ probabilities: rows.map((r) => Array.from(r)) }) + '\n',
      );
      model.dispose();
    });
    return;
  }

  it('loads and predicts the probabilities it predicted when it was saved', async () => {
    expect(existsSync(dir)).toBe(true);
    const expected = JSON.parse(await fs.readFile(path.join(FIXTURES, `${arch}.expected.json`), 'utf8')) as {
      probabilities: number[][];
    };
    const before = tf.memory().numTensors;
    const model = await loadRelationModel(dir);
    const rows = await model.predictProba(probe);
    model.dispose();
    expect(rows).toHaveLength(expected.probabilities.length);
    let worst = 0;
    rows.forEach((row, i) =>
      row.forEach((p, j) => (worst = Math.max(worst, Math.abs(p - expected.probabilities[i][j])))),
    );
    expect(worst).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
