import type { Candidate, RelationClassifier } from '@emr-re/tokenize';
import { CallLog, RecordingClassifier } from './__tests__/recording-classifier';
import { makeCandidate } from './__tests__/char-ngram-logreg';
import {
  disposePair,
  loadPair,
  mapPair,
  PairFactories,
  trainIterationPair,
  trainSeedPair,
  validateAgreement,
} from './agreement';
import { BootstrapOptionError } from './errors';

/** Factories of recording classifiers named c1, c2, ... and p1, p2, ...; `failIn` applies to every one made. */
function factories(log: CallLog, withPartner: boolean, fail: { c?: string; p?: string } = {}): PairFactories {
  let n = 0;
  let m = 0;
  const made = (name: string, failIn?: string): RelationClassifier => {
    log.push(`make ${name}`);
    return new RecordingClassifier(name, log, undefined, { failIn });
  };
  return {
    createClassifier: async () => made(`c${++n}`, fail.c),
    agreement: withPartner ? { name: 'partner', createClassifier: async () => made(`p${++m}`, fail.p) } : undefined,
  };
}

const train: Candidate[] = [makeCandidate('a', 'A')];
const checkAbort = (log: CallLog) => () => void log.push('check');

describe('trainSeedPair', () => {
  it('makes and trains the classifier, then the partner, each on its own copy of L', async () => {
    const log: CallLog = [];
    const { pair, report } = await trainSeedPair(factories(log, true), () => [...train], {
      fitOptions: { epochs: 2 },
      checkAbort: checkAbort(log),
    });
    expect(log).toEqual(['make c1', 'c1.fit', 'check', 'make p1', 'p1.fit', 'check']);
    expect(report).toEqual({ epochs: 2, loss: [0.9, 0.4] });
    const [c, p] = [pair.classifier, pair.partner] as RecordingClassifier[];
    expect(c.lastFit?.train).toEqual(train);
    expect(c.lastFit?.train).not.toBe(p.lastFit?.train);
    expect(p.lastFit?.options).toEqual({ epochs: 2 });
  });
  it('has no partner without agreement', async () => {
    const log: CallLog = [];
    const { pair } = await trainSeedPair(factories(log, false), () => train, { fitOptions: {}, checkAbort: () => {} });
    expect(pair.partner).toBeUndefined();
    expect(log).toEqual(['make c1', 'c1.fit']);
  });
  it('disposes what it made when a fit fails or the run aborts', async () => {
    const log: CallLog = [];
    await expect(
      trainSeedPair(factories(log, true, { p: 'fit' }), () => train, { fitOptions: {}, checkAbort: () => {} }),
    ).rejects.toThrow('p1.fit failed');
    expect(log).toEqual(['make c1', 'c1.fit', 'make p1', 'p1.fit', 'c1.dispose', 'p1.dispose']);
    const aborting: CallLog = [];
    const abort = (): void => {
      throw new Error('aborted');
    };
    await expect(
      trainSeedPair(factories(aborting, true), () => train, { fitOptions: {}, checkAbort: abort }),
    ).rejects.toThrow('aborted');
    expect(aborting).toEqual(['make c1', 'c1.fit', 'c1.dispose']);
  });
});

describe('trainIterationPair', () => {
  it('makes both, warm-starts them, then trains both on the same L', async () => {
    const log: CallLog = [];
    const { pair } = await trainIterationPair(factories(log, true), train, {
      fitOptions: {},
      checkAbort: checkAbort(log),
      warmStart: async (p) => void log.push(`warm ${(p.classifier as RecordingClassifier).name}`),
    });
    expect(log).toEqual(['make c1', 'make p1', 'warm c1', 'check', 'c1.fit', 'check', 'p1.fit', 'check']);
    const [c, p] = [pair.classifier, pair.partner] as RecordingClassifier[];
    expect(c.lastFit?.train).toBe(train);
    expect(p.lastFit?.train).toBe(train);
  });
  it('disposes both when the partner cannot be made or a fit fails', async () => {
    const log: CallLog = [];
    const failing: PairFactories = {
      ...factories(log, false),
      agreement: {
        name: 'broken',
        createClassifier: async () => {
          throw new Error('no partner');
        },
      },
    };
    await expect(trainIterationPair(failing, train, { fitOptions: {}, checkAbort: () => {} })).rejects.toThrow(
      'no partner',
    );
    expect(log).toEqual(['make c1', 'c1.dispose']);
    const failingFit: CallLog = [];
    await expect(
      trainIterationPair(factories(failingFit, true, { c: 'fit' }), train, { fitOptions: {}, checkAbort: () => {} }),
    ).rejects.toThrow('c1.fit failed');
    expect(failingFit.slice(-2)).toEqual(['c1.dispose', 'p1.dispose']);
  });
});

describe('loadPair', () => {
  it('loads the classifier, then the partner, from their directories', async () => {
    const log: CallLog = [];
    const pair = await loadPair(factories(log, true), { classifier: '/run/c', partner: '/run/p' });
    expect(log).toEqual(['make c1', 'c1.load', 'make p1', 'p1.load']);
    expect((pair.classifier as RecordingClassifier).loaded).toEqual(['/run/c']);
    expect((pair.partner as RecordingClassifier).loaded).toEqual(['/run/p']);
  });
  it('disposes what it made when a load fails', async () => {
    const log: CallLog = [];
    await expect(loadPair(factories(log, true, { p: 'load' }), { classifier: 'c', partner: 'p' })).rejects.toThrow(
      'p1.load failed',
    );
    expect(log.slice(-2)).toEqual(['c1.dispose', 'p1.dispose']);
  });
});

describe('mapPair and disposePair', () => {
  it('asks the classifier first, the partner second, and only a partner that exists', async () => {
    const log: CallLog = [];
    const c = new RecordingClassifier('c', log);
    const p = new RecordingClassifier('p', log);
    const names = await mapPair({ classifier: c, partner: p }, async (x) => (x as RecordingClassifier).name);
    expect(names).toEqual({ classifier: 'c', partner: 'p' });
    expect(await mapPair({ classifier: c }, async () => 1)).toEqual({ classifier: 1 });
    disposePair({ classifier: c, partner: p });
    disposePair(undefined);
    expect(log).toEqual(['c.dispose', 'p.dispose']);
  });
});

describe('validateAgreement', () => {
  it('needs a name and a factory', () => {
    expect(() => validateAgreement(undefined)).not.toThrow();
    const create = async (): Promise<RelationClassifier> => new RecordingClassifier('p', []);
    expect(() => validateAgreement({ name: 'cnn', createClassifier: create })).not.toThrow();
    expect(() => validateAgreement({ name: '', createClassifier: create })).toThrow(BootstrapOptionError);
    expect(() => validateAgreement({ name: 'cnn', createClassifier: 'x' as never })).toThrow(
      'agreement.createClassifier: must be a function',
    );
  });
});
