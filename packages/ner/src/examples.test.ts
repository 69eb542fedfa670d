import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@emr-re/engine';
import { CharVocabulary } from '@emr-re/tokenize';
import { clearCutMentions, trainingWindows, windowBatch } from './examples';
import { tagSchemeFor } from './tagging/scheme';

const scheme = tagSchemeFor(['D']); // O 0, B 1, I 2, E 3, S 4

describe('clearCutMentions', () => {
  it('clears mentions that run over either edge and counts them', () => {
    const tags = Int32Array.from([2, 3, 0, 4, 0, 1, 2]); // I E | O S O | B I
    expect(clearCutMentions(tags)).toBe(2);
    expect(Array.from(tags)).toEqual([0, 0, 0, 4, 0, 0, 0]);
    const whole = Int32Array.from([1, 3, 4]);
    expect(clearCutMentions(whole)).toBe(0);
    expect(Array.from(whole)).toEqual([1, 3, 4]);
  });
});

describe('trainingWindows', () => {
  it('cuts records as recognize does and tags each window, less the mentions its edges cut', () => {
    const text = '患糖尿病。0123456789糖尿病9'; // second sentence is 14 long: windows of 8 overlapping by 3
    const record = {
      id: 'r',
      text,
      relations: [],
      entities: [
        { id: 'e0', type: 'D', start: 1, end: 4, text: '糖尿病' },
        { id: 'e1', type: 'D', start: 15, end: 18, text: '糖尿病' },
      ],
    };
    const vocabulary = CharVocabulary.build([text]);
    const { windows, stats } = trainingWindows([record], scheme, vocabulary, { maxLength: 8, overlap: 3 });
    // windows: [0,5) 患糖尿病。 | [5,13) | [10,18) | [11,19)
    expect(windows.map((w) => Array.from(w.tags).join(''))).toEqual(['01230', '00000000', '00000123', '00001230']);
    expect(Array.from(windows[0].chars)).toEqual(Array.from(vocabulary.encode('患糖尿病。')));
    expect(stats).toMatchObject({ records: 1, windows: 4, mentions: 2, tagged: 2, cutByWindow: 0 });

    const cut = trainingWindows([record], scheme, vocabulary, { maxLength: 6, overlap: 1 });
    // [5,11) [10,16) [15,19)...: the mention at 15-18 is cut by the edge of [10,16)
    expect(cut.stats.cutByWindow).toBeGreaterThan(0);
    expect(cut.windows.some((w) => Array.from(w.tags).join('').includes('123'))).toBe(true);
  });
});

describe('windowBatch', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('pads to the longest window and masks the padding', () => {
    const before = tf.memory().numTensors;
    const batch = windowBatch([
      { chars: Int32Array.from([5, 6, 7]), tags: Int32Array.from([1, 2, 3]) },
      { chars: Int32Array.from([8]), tags: Int32Array.from([4]) },
    ]);
    expect(batch.lengths).toEqual([3, 1]);
    expect(batch.chars.arraySync()).toEqual([
      [5, 6, 7],
      [8, 0, 0],
    ]);
    expect(batch.mask.arraySync()).toEqual([
      [1, 1, 1],
      [1, 0, 0],
    ]);
    expect(batch.tags?.arraySync()).toEqual([
      [1, 2, 3],
      [4, 0, 0],
    ]);
    tf.dispose([batch.chars, batch.mask, batch.tags as tf.Tensor]);
    expect(tf.memory().numTensors).toBe(before);
    const untagged = windowBatch([{ chars: Int32Array.from([1]) }]);
    expect(untagged.tags).toBeUndefined();
    tf.dispose([untagged.chars, untagged.mask]);
  });
});
