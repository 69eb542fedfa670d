import { iterationEvent, seedTrainedEvent } from './events';
import type { BootstrapIteration } from './iteration-record';
import type { DevMetrics } from './predict';

const dev = { micro: { f1: 0.5 }, macro: { f1: 0.25 } } as unknown as DevMetrics;

describe('bootstrap progress events', () => {
  it('after the seed training: done 0, dev F1s, no total without maxIterations', () => {
    expect(seedTrainedEvent(dev, Infinity)).toEqual({
      phase: 'bootstrap',
      done: 0,
      total: undefined,
      values: { devMicroF1: 0.5, devMacroF1: 0.25 },
      message: 'seed classifier trained',
    });
    expect(seedTrainedEvent(undefined, 3)).toMatchObject({ total: 3, values: {} });
  });
  it('after an iteration: its sizes and dev F1s, and whether the guard rolled it back', () => {
    const record: BootstrapIteration = {
      iteration: 2,
      added: 4,
      poolLeft: 10,
      labelled: 20,
      addedByClass: { A: 4 },
      fit: { epochs: 1 },
      dev,
    };
    const settings = { maxIterations: 5, guardMetric: 'macro' as const };
    expect(iterationEvent(record, settings)).toEqual({
      phase: 'bootstrap',
      done: 2,
      total: 5,
      values: { added: 4, poolLeft: 10, labelled: 20, devMicroF1: 0.5, devMacroF1: 0.25 },
      message: 'iteration 2',
    });
    expect(iterationEvent({ ...record, rolledBack: true }, settings).message).toBe(
      'dev macro F1 dropped; iteration 2 rolled back',
    );
  });
});
