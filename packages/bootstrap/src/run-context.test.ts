import { makeCandidate } from './__tests__/char-ngram-logreg';
import { RecordingClassifier } from './__tests__/recording-classifier';
import { keyedPool } from './labelled-set';
import { BootstrapOptions, resolveOptions } from './options';
import { runContext } from './run-context';

const seed = ['A', 'A', 'A', 'B'].map((label, i) => makeCandidate('t', label, `s${i}`));
const pool = keyedPool([makeCandidate('x', 'unknown', 'p0')]);
const dev = [makeCandidate('a', 'A', 'd0')];
const create = async (): Promise<RecordingClassifier> => new RecordingClassifier('c', []);
const contextOf = (extra: Partial<BootstrapOptions> = {}) => {
  const options: BootstrapOptions = { seed, pool: [...pool.items], createClassifier: create, ...extra };
  return runContext(options, resolveOptions(options), pool, undefined);
};

describe('runContext', () => {
  it('builds the selection rule from λ, N, unknowns, the quotas of the seed shares and the thresholds', () => {
    const ctx = contextOf({ lambda: 0.6, perIteration: 8, includeUnknown: false, classQuotas: 'proportional' });
    const partnerTop = [{ label: 'A', probability: 0.9 }];
    const thresholds = { classifier: new Map([['A', 0.7]]), partner: new Map([['A', 0.8]]) };
    expect(ctx.selectionRule(['unknown', 'A', 'B'], partnerTop, thresholds)).toEqual({
      lambda: 0.6,
      perIteration: 8,
      includeUnknown: false,
      limits: new Map([
        ['unknown', 0],
        ['A', 6],
        ['B', 2],
      ]),
      thresholds: thresholds.classifier,
      partner: partnerTop,
      partnerThresholds: thresholds.partner,
    });
  });
  it('passes the run’s fit options, signal and listener with the pseudo-label weights of L', () => {
    const controller = new AbortController();
    const onProgress = (): void => {};
    const ctx = contextOf({ fitOptions: { epochs: 3 }, signal: controller.signal, onProgress, pseudoLabelWeight: 0.5 });
    const moved = [{ key: pool.keys[0], label: 'A', probability: 0.9, iteration: 1 }];
    expect(ctx.fitOptionsFor(moved)).toEqual({
      epochs: 3,
      onProgress,
      signal: controller.signal,
      exampleWeights: [1, 1, 1, 1, 0.5],
    });
    controller.abort();
    expect(() => ctx.checkAbort()).toThrow();
  });
  it('scores and calibrates only with a dev set and calibration; warm-starts only with a source', async () => {
    const plain = contextOf();
    const classifier = await create();
    expect(await plain.score(classifier)).toBeUndefined();
    expect(await plain.calibrate(classifier)).toBeUndefined();
    expect(plain.warmStartFrom({ classifier }, 1)).toBeUndefined();
    const full = contextOf({ dev, calibration: { targetPrecision: 0.5, minSupport: 1 } });
    expect(await full.score(undefined)).toBeUndefined();
    expect((await full.score(classifier))?.micro.f1).toBe(0);
    // the fake classifier says unknown with probability 1; the calibration set (dev) is gold A
    expect(await full.calibrate(classifier)).toEqual(
      new Map([
        ['unknown', Infinity],
        ['A', Infinity],
        ['B', Infinity],
      ]),
    );
  });
});
