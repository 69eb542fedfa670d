import { makeCandidate } from './__tests__/char-ngram-logreg';
import { RecordingClassifier } from './__tests__/recording-classifier';
import { BootstrapOptions, resolveOptions } from './options';

// Each option's own checks are in bootstrap.test.ts ('option checks'), through runBootstrap.
const base: BootstrapOptions = {
  seed: [makeCandidate('a', 'A')],
  pool: [makeCandidate('x', 'unknown')],
  createClassifier: async () => new RecordingClassifier('c', []),
};

describe('resolveOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveOptions(base)).toEqual({
      lambda: 0.7,
      perIteration: 1000,
      maxIterations: Infinity,
      includeUnknown: true,
      warmStart: false,
      guardMetric: 'macro',
      devDropTolerance: undefined,
      predictBatchSize: 256,
      pseudoLabelWeight: 1,
    });
  });
  it('reports the first bad option in a fixed order', () => {
    expect(() => resolveOptions({ ...base, lambda: 2, pseudoLabelWeight: 0 })).toThrow('option pseudoLabelWeight');
    expect(() => resolveOptions({ ...base, predictBatchSize: 0 })).toThrow('option predictBatchSize');
    expect(() => resolveOptions({ ...base, guardMetric: 'weighted' as never })).toThrow('option guardMetric');
  });
});
