import * as tf from '@tensorflow/tfjs-core';
import { CharVocabulary, SchemaError, generateCandidates, positionId } from '@emr-re/tokenize';
import type { Candidate, Schema } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/engine';
import { allowedLabelMask, featureTensors, labelIndices, restrictRows } from './features';
import { TOY_LABELS, TOY_SCHEMA, syntheticRecords } from './__tests__/synthetic';

const record = syntheticRecords(1, 4)[0];
const candidates: Candidate[] = generateCandidates(record, TOY_SCHEMA);
const vocabulary = CharVocabulary.build([record.text]);

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('featureTensors', () => {
  it('gives (batch, maxLength) tensors in the order asked, with the dtypes the network expects', () => {
    const before = tf.memory().numTensors;
    const [chars, mask, segments, head] = featureTensors(candidates, vocabulary, { maxLength: 64, maxDistance: 10 }, [
      'chars',
      'mask',
      'segments',
      'headPosition',
    ]);
    expect(chars.shape).toEqual([2, 64]);
    expect(chars.dtype).toBe('int32');
    expect(mask.dtype).toBe('float32');
    expect(segments.dtype).toBe('float32');
    const n = record.text.length;
    expect(Array.from(mask.dataSync().slice(0, 64))).toEqual(Array.from({ length: 64 }, (_, i) => (i < n ? 1 : 0)));
    expect(chars.dataSync()[0]).toBe(vocabulary.id(record.text[0]));
    const d = record.entities[0];
    // the head (disease) of both candidates: distance 0 inside it, clipped at ±10 far away
    expect(head.dataSync()[d.start]).toBe(positionId(0, 10));
    expect(head.dataSync()[n - 1]).toBe(positionId(10, 10));
    tf.dispose([chars, mask, segments, head]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('labels', () => {
  it('labelIndices maps gold labels to output indices and rejects foreign labels naming the record', () => {
    expect(Array.from(labelIndices(candidates, TOY_LABELS))).toEqual(
      candidates.map((c) => TOY_LABELS.indexOf(c.label)),
    );
    const foreign = { ...candidates[0], label: '并发症' };
    expect(() => labelIndices([foreign], TOY_LABELS)).toThrow(SchemaError);
    expect(() => labelIndices([foreign], TOY_LABELS)).toThrow(`record ${record.id}: relation label "并发症"`);
  });

  it('allowedLabelMask keeps unknown, the pair’s labels and the gold label', () => {
    const schema: Schema = {
      ...TOY_SCHEMA,
      pairs: [
        { head: 'D', tail: 'S', labels: ['症状'] },
        { head: 'D', tail: 'M', labels: ['药物', '症状'] },
      ],
    };
    const [ds, dm] = candidates; // D→S, D→M
    expect(Array.from(allowedLabelMask([ds, dm], schema, TOY_LABELS))).toEqual([1, 1, 0, 1, 1, 1]);
    const odd = { ...ds, label: '药物' };
    expect(Array.from(allowedLabelMask([odd], schema, TOY_LABELS))).toEqual([1, 1, 1]);
  });

  it('restrictRows zeroes disallowed labels and renormalises', () => {
    const rows = [Float32Array.from([0.2, 0.3, 0.5]), Float32Array.from([0.5, 0.25, 0.25])];
    restrictRows(rows, Float32Array.from([1, 1, 0, 1, 0, 1]));
    expect(Array.from(rows[0])).toEqual([0.4, 0.6, 0].map(Math.fround));
    expect(Array.from(rows[1]).map((v) => +v.toFixed(6))).toEqual([0.666667, 0, 0.333333]);
  });
});
