import type { ProgressEvent } from '@emr-re/tokenize';
import { makeCandidate } from './__tests__/char-ngram-logreg';
import { RecordingClassifier } from './__tests__/recording-classifier';
import { AbortedRun } from './aborted-run';
import { calibrateOn, predictProbabilities, predictTop, scoreDev } from './predict';

// The fake classifier reads its answer from the text: "a" → A at 0.9, "b" → B at 0.6, otherwise unknown.
const rowOf = (text: string): number[] =>
  text.includes('a') ? [0.05, 0.9, 0.05] : text.includes('b') ? [0.2, 0.2, 0.6] : [1, 0, 0];
const classifier = (log: string[] = []): RecordingClassifier =>
  new RecordingClassifier('c', log, undefined, { rowOf: (c) => rowOf(c.sentence.text) });
const items = ['a', 'b', 'x', 'a', 'b'].map((t, i) => makeCandidate(t, i < 3 ? 'A' : 'B'));

describe('predictProbabilities', () => {
  it('asks in batches and reports predict progress after each', async () => {
    const log: string[] = [];
    const events: ProgressEvent[] = [];
    const rows = await predictProbabilities(classifier(log), items, {
      batchSize: 2,
      onProgress: (e) => events.push(e),
    });
    expect(rows).toHaveLength(5);
    expect(log).toEqual(['c.predictProba', 'c.predictProba', 'c.predictProba']);
    expect(events.map((e) => [e.phase, e.done, e.total])).toEqual([
      ['predict', 2, 5],
      ['predict', 4, 5],
      ['predict', 5, 5],
    ]);
  });
  it('stops with AbortedRun before a batch once the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const log: string[] = [];
    await expect(
      predictProbabilities(classifier(log), items, { batchSize: 2, signal: controller.signal }),
    ).rejects.toThrow(AbortedRun);
    expect(log).toEqual([]);
  });
  it('rejects a classifier that returns the wrong number of rows', async () => {
    const short = classifier();
    short.predictProba = async () => [Float32Array.from([1, 0, 0])];
    await expect(predictProbabilities(short, items, { batchSize: 2 })).rejects.toThrow(
      'predictProba returned 1 rows for 2 candidates',
    );
  });
});

describe('predictTop, scoreDev and calibrateOn', () => {
  it('give top predictions, dev metrics and held-out thresholds', async () => {
    const top = await predictTop(classifier(), items, { batchSize: 10 });
    expect(top.map((t) => t.label)).toEqual(['A', 'B', 'unknown', 'A', 'B']);
    expect(top[0].probability).toBeCloseTo(0.9, 6);
    const dev = await scoreDev(classifier(), items, { batchSize: 10 });
    // gold A A A B B, predicted A B unknown A B: 2 of 4 predicted relations right, 2 of 5 found → F1 4/9
    expect(dev.micro.f1).toBeCloseTo(4 / 9, 6);
    const thresholds = await calibrateOn(
      classifier(),
      items,
      { targetPrecision: 0.5, minSupport: 1 },
      { batchSize: 3 },
    );
    expect(thresholds.get('A')).toBeCloseTo(0.9, 6); // A: 1 of 2 right at 0.9
    expect(thresholds.get('B')).toBeCloseTo(0.6, 6); // B: 1 of 2 right at 0.6
    expect(thresholds.get('unknown')).toBe(Infinity); // its one item is wrong
  });
});
