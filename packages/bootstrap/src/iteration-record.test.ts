import { fitSummary, iterationRecord, seedRecord, thresholdRecord } from './iteration-record';
import type { DevMetrics } from './predict';
import type { MovedItem } from './run-dir';

const dev = { micro: { f1: 0.5 }, macro: { f1: 0.4 } } as unknown as DevMetrics;
const added: MovedItem[] = [
  { key: 'k1', label: 'A', probability: 0.9, iteration: 3 },
  { key: 'k2', label: 'unknown', probability: 0.8, iteration: 3 },
  { key: 'k3', label: 'A', probability: 0.75, iteration: 3 },
];
const fit = { epochs: 4, loss: [1, 0.5, 0.3, 0.2] };

describe('iterationRecord', () => {
  it('records sizes, classes and counts, with only the fields that apply', () => {
    const record = iterationRecord({ iteration: 3, added, poolLeft: 7, labelled: 20, fit, selection: { passed: 5 } });
    expect(record).toEqual({
      iteration: 3,
      added: 3,
      poolLeft: 7,
      labelled: 20,
      addedByClass: { A: 2, unknown: 1 },
      fit: { epochs: 4, finalLoss: 0.2 },
      passed: 5,
    });
  });
  it('adds agreement counts, thresholds (never = null), wrongly moved labels and dev metrics in a fixed order', () => {
    const record = iterationRecord({
      iteration: 3,
      added,
      poolLeft: 7,
      labelled: 20,
      fit,
      selection: { passed: 3, passedAlone: 6 },
      thresholds: new Map([
        ['A', 0.8],
        ['B', Infinity],
      ]),
      partnerThresholds: new Map([['A', 0.9]]),
      addedGold: ['A', 'B', 'B'],
      dev,
      partnerDev: dev,
    });
    expect(Object.keys(record)).toEqual([
      'iteration',
      'added',
      'poolLeft',
      'labelled',
      'addedByClass',
      'fit',
      'passed',
      'passedAlone',
      'thresholds',
      'partnerThresholds',
      'wrongAdded',
      'dev',
      'partnerDev',
    ]);
    expect(record).toMatchObject({
      passedAlone: 6,
      thresholds: { A: 0.8, B: null },
      partnerThresholds: { A: 0.9 },
      wrongAdded: 2,
    });
  });
});

describe('seedRecord', () => {
  it('records the seed training: nothing moved, the whole pool left', () => {
    const record = seedRecord({ poolSize: 9, seedSize: 4, fit, dev, partnerDev: dev });
    expect(record).toEqual({
      iteration: 0,
      added: 0,
      poolLeft: 9,
      labelled: 4,
      addedByClass: {},
      dev,
      fit: { epochs: 4, finalLoss: 0.2 },
      partnerDev: dev,
    });
    expect(JSON.parse(JSON.stringify(seedRecord({ poolSize: 9, seedSize: 4, fit })))).not.toHaveProperty('dev');
  });
});

describe('fitSummary and thresholdRecord', () => {
  it('keeps epochs, the last loss and the early-stopping epoch', () => {
    expect(fitSummary({ epochs: 0, loss: [] })).toEqual({ epochs: 0 });
    expect(fitSummary({ epochs: 2, loss: [2, 1], bestEpoch: 1 })).toEqual({ epochs: 2, finalLoss: 1, bestEpoch: 1 });
  });
  it('writes Infinity as null', () => {
    expect(thresholdRecord(new Map([['A', Infinity]]))).toEqual({ A: null });
  });
});
