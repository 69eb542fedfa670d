import { recordDevScore } from './early-stopping';
import type { EarlyStoppingState } from './early-stopping';

describe('recordDevScore', () => {
  it('keeps the strictly best epoch and stops after `patience` epochs without one', () => {
    const state: EarlyStoppingState = { bestF1: null, bestEpoch: null, sinceBest: 0, stopped: false };
    const kept = [0.5, 0.6, 0.6, 0.55, 0.7, 0.69, 0.68].map((f1, i) => recordDevScore(state, f1, i + 1, 2));
    expect(kept).toEqual([true, true, false, false, true, false, false]);
    expect(state).toEqual({ bestF1: 0.7, bestEpoch: 5, sinceBest: 2, stopped: true });
  });

  it('never stops without a patience', () => {
    const state: EarlyStoppingState = { bestF1: 0.9, bestEpoch: 1, sinceBest: 0, stopped: false };
    for (let e = 2; e < 50; e++) recordDevScore(state, 0.1, e, undefined);
    expect(state).toEqual({ bestF1: 0.9, bestEpoch: 1, sinceBest: 48, stopped: false });
  });
});
