import { RecordingClassifier } from './__tests__/recording-classifier';
import { makeCandidate } from './__tests__/char-ngram-logreg';
import { RunDirectoryError } from './errors';
import type { BootstrapIteration } from './iteration-record';
import { keyedPool } from './labelled-set';
import type { DevMetrics } from './predict';
import {
  acceptedDev,
  acceptTraining,
  CommittedState,
  committedState,
  discardTraining,
  newRun,
  resumedRun,
  stateAfterIteration,
  stateAfterSeed,
} from './run-state';

const devOf = (f1: number): DevMetrics => ({ micro: { f1 }, macro: { f1 } }) as unknown as DevMetrics;
const recordOf = (iteration: number, f1: number): BootstrapIteration => ({
  iteration,
  added: 1,
  poolLeft: 1,
  labelled: 1,
  addedByClass: {},
  fit: { epochs: 1 },
  dev: devOf(f1),
});
const pool = keyedPool([makeCandidate('a', 'unknown', 'p0'), makeCandidate('b', 'unknown', 'p1')]);

describe('committedState', () => {
  it("keeps state.json's key order and leaves out an absent partner or stop reason", () => {
    const state = committedState({ completedIteration: 2, acceptedIteration: 1, moved: [], iterations: [] });
    expect(Object.keys(state)).toEqual([
      'version',
      'completedIteration',
      'acceptedIteration',
      'moved',
      'iterations',
      'seedDev',
    ]);
    const full = committedState({
      completedIteration: 2,
      acceptedIteration: 1,
      moved: [],
      iterations: [],
      seedDev: devOf(1),
      seedPartnerDev: devOf(0.5),
      stopReason: 'dev-dropped',
    });
    expect(Object.keys(full).slice(-3)).toEqual(['seedDev', 'seedPartnerDev', 'stopReason']);
  });
  it('after the seed: iteration 0 done and accepted; after iteration K: its record appended', () => {
    const run = { ...newRun(), seedDev: devOf(0.4) };
    run.committed = stateAfterSeed(run);
    expect(run.committed).toMatchObject({
      completedIteration: 0,
      acceptedIteration: 0,
      moved: [],
      seedDev: devOf(0.4),
    });
    run.moved = [{ key: pool.keys[0], label: 'A', probability: 0.9, iteration: 1 }];
    const next = stateAfterIteration(run, recordOf(1, 0.5), 1);
    expect(next).toMatchObject({ completedIteration: 1, acceptedIteration: 1, moved: run.moved });
    expect(next.iterations.map((it) => it.iteration)).toEqual([1]);
    expect(next).not.toHaveProperty('stopReason');
  });
});

describe('resumedRun', () => {
  const stored = (extra: Partial<CommittedState> = {}): CommittedState => ({
    ...committedState({
      completedIteration: 1,
      acceptedIteration: 1,
      moved: [{ key: pool.keys[1], label: 'B', probability: 0.8, iteration: 1 }],
      iterations: [recordOf(1, 0.7)],
      seedDev: devOf(0.5),
    }),
    ...extra,
  });
  it('rebuilds L from state.json and goes on after maxIterations', () => {
    const run = resumedRun(stored({ stopReason: 'max-iterations' }), pool, '/runs/r');
    expect(run.moved).toEqual(stored().moved);
    expect(run.moved).not.toBe(stored().moved);
    expect(run.seedDev).toEqual(devOf(0.5));
    expect([run.stopReason, run.accepted]).toEqual([undefined, undefined]);
  });
  it('stays stopped for any other stop reason', () => {
    expect(resumedRun(stored({ stopReason: 'pool-empty' }), pool, '/runs/r').stopReason).toBe('pool-empty');
  });
  it('refuses a state.json that names an item the pool lacks', () => {
    const bad = stored({ moved: [{ key: 'gone', label: 'A', probability: 1, iteration: 1 }] });
    expect(() => resumedRun(bad, pool, '/runs/r')).toThrow(RunDirectoryError);
    expect(() => resumedRun(bad, pool, '/runs/r')).toThrow('state.json names pool item gone, which the pool lacks');
  });
});

describe('acceptedDev', () => {
  it("is the seed's dev metrics at iteration 0, otherwise the accepted iteration's", () => {
    const iterations = [recordOf(1, 0.7), recordOf(2, 0.2)];
    const base = { completedIteration: 2, moved: [], iterations, seedDev: devOf(0.5) };
    expect(acceptedDev(committedState({ ...base, acceptedIteration: 0 }))).toEqual(devOf(0.5));
    expect(acceptedDev(committedState({ ...base, acceptedIteration: 1 }))).toEqual(devOf(0.7));
  });
});

describe('accepting and discarding the trained pair', () => {
  it('accepting disposes the previous pair; discarding disposes the trained one', () => {
    const log: string[] = [];
    const run = newRun();
    run.accepted = { classifier: new RecordingClassifier('old', log), partner: new RecordingClassifier('oldP', log) };
    const trained = { classifier: new RecordingClassifier('new', log) };
    run.training = trained;
    acceptTraining(run);
    expect(log).toEqual(['old.dispose', 'oldP.dispose']);
    expect(run).toMatchObject({ accepted: trained, training: undefined });
    run.training = { classifier: new RecordingClassifier('dropped', log) };
    discardTraining(run);
    discardTraining(run);
    expect(log).toEqual(['old.dispose', 'oldP.dispose', 'dropped.dispose']);
    expect(run.accepted).toBe(trained);
  });
});
