import { makeCandidate } from './__tests__/char-ngram-logreg';
import { RecordingClassifier } from './__tests__/recording-classifier';
import { keyedPool } from './labelled-set';
import { BootstrapOptions, resolveOptions } from './options';
import { LIBRARY_VERSION } from './run-dir';
import { runInfo } from './run-info';

const seed = [makeCandidate('a', 'A', 's1'), makeCandidate('b', 'B', 's2')];
const pool = [makeCandidate('x', 'unknown', 'p1')];
const base: BootstrapOptions = { seed, pool, createClassifier: async () => new RecordingClassifier('c', []) };
const infoOf = (options: BootstrapOptions) => runInfo(options, resolveOptions(options), keyedPool(options.pool).keys);

describe('runInfo', () => {
  it('records the resolved options, with null for the unset ones', () => {
    const info = infoOf(base);
    expect(info).toMatchObject({ version: 1, library: LIBRARY_VERSION, seed: { size: 2 }, pool: { size: 1 } });
    expect(info.options).toEqual({
      lambda: 0.7,
      perIteration: 1000,
      maxIterations: null,
      includeUnknown: true,
      warmStart: false,
      classQuotas: null,
      devDropTolerance: null,
      guardMetric: 'macro',
      fitOptions: { epochs: null, seed: null },
      calibration: null,
      agreement: null,
    });
    expect(info).not.toHaveProperty('dev');
    expect(info).not.toHaveProperty('calibration');
  });
  it('records pseudoLabelWeight only when set, so that older run directories still resume', () => {
    expect(infoOf({ ...base, pseudoLabelWeight: 'probability' }).options.pseudoLabelWeight).toBe('probability');
    expect(infoOf({ ...base, pseudoLabelWeight: 1 }).options).not.toHaveProperty('pseudoLabelWeight');
  });
  it('fingerprints the labelled sets with their labels', () => {
    const relabelled = infoOf({ ...base, seed: [seed[0], { ...seed[1], label: 'A' }] });
    expect(relabelled.seed.fingerprint).not.toBe(infoOf(base).seed.fingerprint);
    const withDev = infoOf({ ...base, dev: seed, calibration: { targetPrecision: 0.9 }, calibrationSet: seed });
    expect(withDev.dev).toEqual(infoOf(base).seed);
    expect(withDev.calibration).toEqual(infoOf(base).seed);
    expect(withDev.options.calibration).toEqual({ targetPrecision: 0.9, minSupport: 5 });
  });
});
