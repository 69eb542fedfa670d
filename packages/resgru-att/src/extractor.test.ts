import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CorpusFormatError, generateCandidates } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/engine';
import { loadRelationEnsemble } from './ensemble';
import { checkedEntities, loadModel } from './extractor';
import { TOY_SCHEMA, syntheticRecords } from './__tests__/synthetic';

describe('checkedEntities', () => {
  const record = {
    id: 'r1',
    text: '否认高血压病史',
    entities: [
      { id: 'e0', type: '疾病', start: 2, end: 5, score: 0.93, assertion: 'absent' },
      { id: 'e1', type: '疾病', start: 2, end: 5, assertion: 'maybe' },
    ],
  };

  it("keeps a recogniser's score and a known assertion, fills the text, and drops an unknown assertion", () => {
    expect(checkedEntities(record, 0)).toEqual([
      { id: 'e0', type: '疾病', start: 2, end: 5, text: '高血压', score: 0.93, assertion: 'absent' },
      { id: 'e1', type: '疾病', start: 2, end: 5, text: '高血压' },
    ]);
  });

  it('names the record and field of bad offsets, never the text', () => {
    const bad = { ...record, entities: [{ id: 'e0', type: '疾病', start: 2, end: 99 }] };
    expect(() => checkedEntities(bad, 0)).toThrow(CorpusFormatError);
    expect(() => checkedEntities(bad, 0)).toThrow(/r1.*entities\[0\]\.end/);
    expect(() => checkedEntities(bad, 0)).not.toThrow(/高血压/);
  });
});

describe('loadModel with several directories', () => {
  const FIXTURES = path.join(__dirname, '__fixtures__', 'v0.1.0');
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('extracts with the average of the models: the relations whose averaged argmax is a relation', async () => {
    const records = syntheticRecords(6, 77);
    const dirs = [path.join(FIXTURES, 'cnn'), path.join(FIXTURES, 'pcnn')];
    const before = tf.memory().numTensors;
    const extractor = await loadModel(dirs);
    const ensemble = await loadRelationEnsemble(dirs);
    const out = await extractor.predict(records);
    const candidates = records.map((r) => generateCandidates({ ...r, relations: [] }, TOY_SCHEMA));
    const predictions = await ensemble.predict(candidates.flat());
    let k = 0;
    let relations = 0;
    out.forEach((record, i) => {
      const expected = candidates[i]
        .map(() => predictions[k++])
        .filter((p) => p.label !== 'unknown')
        .map((p) => ({ head: p.candidate.head.id, tail: p.candidate.tail.id, label: p.label, score: p.score }));
      expect(record.relations).toEqual(expected);
      relations += expected.length;
    });
    expect(relations).toBeGreaterThan(0);
    extractor.dispose();
    ensemble.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // One directory in a list is that model alone.
    const single = await loadModel([dirs[0]]);
    const alone = await loadModel(dirs[0]);
    expect(await single.predict(records)).toEqual(await alone.predict(records));
    single.dispose();
    alone.dispose();
  });
});
