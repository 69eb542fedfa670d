import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scorePairs } from '@emr-re/metrics';
import type { Candidate, ProgressEvent, RelationClassifier } from '@emr-re/tokenize';
import { BootstrapOptions, BootstrapResult, runBootstrap } from './bootstrap';
import { BootstrapOptionError, RunDirectoryError } from './errors';
import { topPredictions } from './select';
import { CharNgramLogReg, LabelBlindLogReg, makeCandidate } from './__tests__/char-ngram-logreg';
import { chainTask, poisonTask, TOY_LABELS } from './__tests__/tasks';

const logreg = async (): Promise<RelationClassifier> => new CharNgramLogReg(TOY_LABELS);

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-bootstrap-test-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function readJsonl(file: string): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function devMicroF1(classifier: RelationClassifier, dev: Candidate[]): Promise<number> {
  const top = topPredictions(classifier.labels, await classifier.predictProba(dev));
  return scorePairs(dev.map((c, i) => ({ gold: c.label, pred: top[i].label }))).micro.f1;
}

/** Everything a run wrote except the classifiers' own files, as text by relative path. */
async function runFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) await walk(rel);
      else if (entry.name !== 'run.json') out[rel] = await fs.readFile(path.join(dir, rel), 'utf8');
    }
  };
  await walk('');
  return out;
}

function release(result: BootstrapResult): void {
  result.classifier?.dispose();
}

describe('runBootstrap on the chain task', () => {
  it('labels the pool link by link, without wrong labels, and beats the seed-only classifier on dev', async () => {
    const task = chainTask();
    const created: CharNgramLogReg[] = [];
    const events: ProgressEvent[] = [];
    const outDir = path.join(tmp, 'run');
    const result = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      poolGold: task.poolGold,
      dev: task.dev,
      perIteration: 100,
      outDir,
      onProgress: (e) => events.push(e),
      createClassifier: async () => {
        const c = new CharNgramLogReg(TOY_LABELS);
        created.push(c);
        return c;
      },
    });
    expect(result.stopReason).toBe('pool-empty');
    expect(result.poolLeft).toBe(0);
    expect(result.labelled).toBe(task.seed.length + task.pool.length);
    expect(result.iterations.reduce((n, it) => n + it.added, 0)).toBe(task.pool.length);
    // The first link (t0 t1) is the only one the seed classifier can read: exactly its 5 items per class move first.
    expect(result.iterations[0]).toMatchObject({
      iteration: 1,
      added: 15,
      poolLeft: 30,
      labelled: 27,
      addedByClass: { unknown: 5, A: 5, B: 5 },
      wrongAdded: 0,
    });
    expect(result.iterations.every((it) => it.wrongAdded === 0)).toBe(true);
    const seedF1 = result.seedDev?.micro.f1 as number;
    const finalF1 = result.iterations[result.iterations.length - 1].dev?.micro.f1 as number;
    expect(seedF1).toBeCloseTo(0.4, 6); // the seed classifier knows one trigger of four per class
    expect(finalF1).toBe(1);
    expect(await devMicroF1(result.classifier as RelationClassifier, task.dev)).toBe(1);
    // every classifier but the returned one is disposed
    expect(created.filter((c) => !c.disposed)).toEqual([result.classifier]);
    expect(created).toHaveLength(result.iterations.length + 1);
    // one bootstrap event per iteration (plus the seed's), fit events passed through
    expect(events.filter((e) => e.phase === 'bootstrap').map((e) => e.done)).toEqual([
      0,
      ...result.iterations.map((it) => it.iteration),
    ]);
    expect(events.some((e) => e.phase === 'epoch')).toBe(true);

    // The run directory: run.json, state.json, iteration-0..K with added.jsonl / metrics.json / classifier/, the accepted model/.
    const entries = (await fs.readdir(outDir)).sort();
    const k = result.iterations.length;
    expect(entries).toEqual(
      ['model', ...Array.from({ length: k + 1 }, (_, i) => `iteration-${i}`), 'run.json', 'state.json'].sort(),
    );
    const runJson = JSON.parse(await fs.readFile(path.join(outDir, 'run.json'), 'utf8'));
    expect(runJson).toMatchObject({
      version: 1,
      options: { lambda: 0.7, perIteration: 100, includeUnknown: true, warmStart: false, maxIterations: null },
    });
    const added1 = await readJsonl(path.join(outDir, 'iteration-1', 'added.jsonl'));
    expect(added1).toHaveLength(15);
    expect(Object.keys(added1[0]).sort()).toEqual(['gold', 'head', 'key', 'label', 'probability', 'recordId', 'tail']);
    expect(added1[0].head).toEqual({ id: 'T1', type: '疾病', start: 0, end: 1 });
    const probabilities = added1.map((a) => a.probability as number);
    expect(probabilities.every((p) => p > 0.7)).toBe(true);
    expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
    const metrics1 = JSON.parse(await fs.readFile(path.join(outDir, 'iteration-1', 'metrics.json'), 'utf8'));
    expect(metrics1).toEqual(JSON.parse(JSON.stringify(result.iterations[0])));
    await expect(fs.stat(path.join(outDir, `iteration-${k}`, 'classifier', 'logreg.json'))).resolves.toBeDefined();
    const final = new CharNgramLogReg(TOY_LABELS);
    await final.load(path.join(outDir, 'model'));
    expect(await devMicroF1(final, task.dev)).toBe(1);
    const state = JSON.parse(await fs.readFile(path.join(outDir, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ completedIteration: k, acceptedIteration: k, stopReason: 'pool-empty' });
    expect(new Set(state.moved.map((m: { key: string }) => m.key)).size).toBe(task.pool.length);
    release(result);
  });

  it('moves at most N of the most probable items per iteration and stops at maxIterations', async () => {
    const task = chainTask();
    const outDir = path.join(tmp, 'run');
    const result = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      perIteration: 4,
      maxIterations: 2,
      outDir,
      createClassifier: logreg,
    });
    expect(result.stopReason).toBe('max-iterations');
    expect(result.iterations.map((it) => [it.added, it.poolLeft, it.labelled])).toEqual([
      [4, 41, 16],
      [4, 37, 20],
    ]);
    expect(result.labelled).toBe(task.seed.length + 8);
    expect(result.iterations[0].wrongAdded).toBeUndefined();
    // the 4 chosen are the most probable of all pool items under the seed classifier
    const seedModel = new CharNgramLogReg(TOY_LABELS);
    await seedModel.load(path.join(outDir, 'iteration-0', 'classifier'));
    const top = topPredictions(TOY_LABELS, await seedModel.predictProba(task.pool));
    const chosen = (await readJsonl(path.join(outDir, 'iteration-1', 'added.jsonl'))).map(
      (a) => a.probability as number,
    );
    const best4 = top
      .map((t) => t.probability)
      .sort((a, b) => b - a)
      .slice(0, 4);
    expect(chosen).toEqual(best4);
    const fourth = chosen[3];
    expect(fourth).toBeGreaterThan(0.7);
    release(result);
  });

  it('stops with nothing-passed when no item clears λ, keeping the seed classifier', async () => {
    const task = chainTask();
    const result = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      dev: task.dev,
      lambda: 0.9999,
      createClassifier: logreg,
    });
    expect(result).toMatchObject({
      stopReason: 'nothing-passed',
      iterations: [],
      acceptedIteration: 0,
      labelled: 12,
      poolLeft: 45,
    });
    expect(await devMicroF1(result.classifier as RelationClassifier, task.dev)).toBeCloseTo(
      result.seedDev?.micro.f1 as number,
      10,
    );
    release(result);
  });

  it('maxIterations 0 trains on the seed set only', async () => {
    const task = chainTask();
    const result = await runBootstrap({ seed: task.seed, pool: task.pool, maxIterations: 0, createClassifier: logreg });
    expect(result).toMatchObject({ stopReason: 'max-iterations', iterations: [], labelled: 12 });
    release(result);
  });

  it('respects per-class quotas and can leave negatives in the pool', async () => {
    const task = chainTask();
    const result = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      perIteration: 100,
      maxIterations: 2,
      classQuotas: { A: 2, '*': 0 },
      createClassifier: logreg,
    });
    expect(result.iterations.map((it) => it.addedByClass)).toEqual([{ A: 2 }, { A: 2 }]);
    release(result);
    const noNegatives = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      perIteration: 100,
      maxIterations: 1,
      includeUnknown: false,
      createClassifier: logreg,
    });
    expect(noNegatives.iterations[0].addedByClass).toEqual({ A: 5, B: 5 });
    release(noNegatives);
  });

  it('proportional quotas follow the seed set class shares', async () => {
    // seed: 8 unknown, 2 A, 2 B; N = 6 → caps unknown ceil(4) = 4, A ceil(1) = 1, B 1
    const task = chainTask({ seedPerClass: { unknown: 8, A: 2, B: 2 } });
    const result = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      perIteration: 6,
      maxIterations: 1,
      classQuotas: 'proportional',
      createClassifier: logreg,
    });
    expect(result.iterations[0].addedByClass).toEqual({ unknown: 4, A: 1, B: 1 });
    release(result);
  });

  it('continues from the previous weights with warmStart and from scratch without', async () => {
    const task = chainTask();
    const firstLosses = async (warmStart: boolean, outDir?: string): Promise<number[]> => {
      const losses: number[] = [];
      const r = await runBootstrap({
        seed: task.seed,
        pool: task.pool,
        perIteration: 100,
        maxIterations: 2,
        warmStart,
        outDir,
        onProgress: (e) => {
          if (e.phase === 'epoch' && e.done === 1) losses.push(e.values?.loss as number);
        },
        createClassifier: logreg,
      });
      release(r);
      return losses;
    };
    // zero weights give uniform probabilities, so a fresh fit starts at loss ln 3
    expect((await firstLosses(false)).map((l) => l.toFixed(6))).toEqual(Array(3).fill(Math.log(3).toFixed(6)));
    for (const outDir of [undefined, path.join(tmp, 'warm')]) {
      const warm = await firstLosses(true, outDir);
      expect(warm[0]).toBeCloseTo(Math.log(3), 6);
      expect(warm.slice(1).every((l) => l < Math.log(3) - 0.1)).toBe(true);
    }
  });
});

describe('the dev-drop guard', () => {
  it('rolls back an iteration whose moved items lower dev F1, and reports the drift', async () => {
    const task = poisonTask();
    const outDir = path.join(tmp, 'run');
    const result = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      poolGold: task.poolGold,
      dev: task.dev,
      devDropTolerance: 0.05,
      outDir,
      createClassifier: logreg,
    });
    expect(result.stopReason).toBe('dev-dropped');
    expect(result.seedDev?.macro.f1).toBe(1);
    expect(result.iterations).toHaveLength(1);
    expect(result.iterations[0]).toMatchObject({
      added: 12,
      addedByClass: { A: 12 },
      wrongAdded: 12,
      rolledBack: true,
    });
    expect(result.iterations[0].dev?.macro.f1).toBeLessThan(0.5);
    // L and U are back to the seed set and the whole pool, and the returned classifier is the seed one
    expect(result).toMatchObject({ labelled: task.seed.length, poolLeft: task.pool.length, acceptedIteration: 0 });
    expect(await devMicroF1(result.classifier as RelationClassifier, task.dev)).toBe(1);
    const state = JSON.parse(await fs.readFile(path.join(outDir, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ moved: [], acceptedIteration: 0, completedIteration: 1, stopReason: 'dev-dropped' });
    release(result);
    // resuming a rolled-back run changes nothing
    const again = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      poolGold: task.poolGold,
      dev: task.dev,
      devDropTolerance: 0.05,
      outDir,
      resume: true,
      createClassifier: logreg,
    });
    expect(again).toMatchObject({ stopReason: 'dev-dropped', labelled: task.seed.length, acceptedIteration: 0 });
    expect(await devMicroF1(again.classifier as RelationClassifier, task.dev)).toBe(1);
    release(again);
    // without the guard the same items stay in L
    const unguarded = await runBootstrap({ seed: task.seed, pool: task.pool, dev: task.dev, createClassifier: logreg });
    expect(unguarded).toMatchObject({ stopReason: 'pool-empty', labelled: task.seed.length + 12 });
    release(unguarded);
  });
});

describe('resuming a killed run', () => {
  const task = chainTask();
  const base = (outDir: string): BootstrapOptions => ({
    seed: task.seed,
    pool: task.pool,
    poolGold: task.poolGold,
    dev: task.dev,
    perIteration: 7,
    outDir,
    createClassifier: logreg,
  });

  /** A classifier factory whose `method` throws on the `failAt`-th call across all classifiers it made. */
  function failing(method: 'fit' | 'predictProba', failAt: number): () => Promise<RelationClassifier> {
    let calls = 0;
    return async () => {
      const c = new CharNgramLogReg(TOY_LABELS);
      const original = c[method].bind(c) as (...args: unknown[]) => Promise<unknown>;
      (c as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        if (++calls === failAt) throw new Error(`injected failure in ${method}`);
        return original(...args);
      };
      return c;
    };
  }

  it.each([
    // fit calls: seed, iteration 1, iteration 2 → the 3rd fails after iteration 2 chose its items
    ['fit', 3],
    // predictProba calls: seed dev, it. 1 pool, it. 1 dev, it. 2 pool → the 4th fails while predicting U
    ['predictProba', 4],
  ] as const)(
    'after a throw in %s (call %d) it resumes to the same result as an uninterrupted run',
    async (method, failAt) => {
      const reference = await runBootstrap(base(path.join(tmp, 'reference')));
      const outDir = path.join(tmp, 'killed');
      await expect(runBootstrap({ ...base(outDir), createClassifier: failing(method, failAt) })).rejects.toThrow(
        `injected failure in ${method}`,
      );
      const committed = JSON.parse(await fs.readFile(path.join(outDir, 'state.json'), 'utf8'));
      expect(committed.completedIteration).toBe(1);
      expect((await fs.readdir(outDir)).filter((e) => e.startsWith('iteration-')).sort()).toEqual([
        'iteration-0',
        'iteration-1',
      ]);
      // leftovers of a crash between writing iteration-2/ and committing state.json are cleared on resume
      await fs.mkdir(path.join(outDir, 'iteration-2'));
      await fs.writeFile(path.join(outDir, 'iteration-2', 'added.jsonl'), '{"key":"stale"}\n');
      await fs.mkdir(path.join(outDir, 'iteration-3.tmp-1234-abcd0123'));
      await expect(runBootstrap(base(outDir))).rejects.toThrow(RunDirectoryError);
      const resumed = await runBootstrap({ ...base(outDir), resume: true });

      const strip = (r: BootstrapResult): unknown => ({ ...r, classifier: undefined });
      expect(strip(resumed)).toEqual(strip(reference));
      expect(await runFiles(outDir)).toEqual(await runFiles(path.join(tmp, 'reference')));
      const keys: string[] = [];
      for (const it of resumed.iterations) {
        keys.push(
          ...(await readJsonl(path.join(outDir, `iteration-${it.iteration}`, 'added.jsonl'))).map(
            (a) => a.key as string,
          ),
        );
      }
      expect(keys).toHaveLength(task.pool.length - resumed.poolLeft);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBeGreaterThan(20);
      release(reference);
      release(resumed);
    },
  );

  it('stops with aborted when the signal fires and resumes to the uninterrupted result', async () => {
    const reference = await runBootstrap(base(path.join(tmp, 'reference')));
    const outDir = path.join(tmp, 'aborted');
    const controller = new AbortController();
    const aborted = await runBootstrap({
      ...base(outDir),
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'bootstrap' && e.done === 2) controller.abort();
      },
    });
    expect(aborted.stopReason).toBe('aborted');
    expect(aborted.iterations).toEqual(reference.iterations.slice(0, 2));
    const resumed = await runBootstrap({ ...base(outDir), resume: true });
    expect({ ...resumed, classifier: undefined }).toEqual({ ...reference, classifier: undefined });
    expect(await runFiles(outDir)).toEqual(await runFiles(path.join(tmp, 'reference')));
    // a finished run resumed again returns its result without training
    let fits = 0;
    const done = await runBootstrap({
      ...base(outDir),
      resume: true,
      createClassifier: async () => {
        const c = new CharNgramLogReg(TOY_LABELS);
        c.fit = async () => {
          fits++;
          return { epochs: 0, loss: [] };
        };
        return c;
      },
    });
    expect(fits).toBe(0);
    expect(done.iterations).toEqual(reference.iterations);
    for (const r of [reference, aborted, resumed, done]) release(r);
  });

  it('an abort during seed training returns no classifier', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runBootstrap({ ...base(path.join(tmp, 'run')), signal: controller.signal });
    expect(result).toMatchObject({ stopReason: 'aborted', iterations: [], classifier: undefined });
  });

  it('refuses to resume with another pool or other options, and allows a larger maxIterations', async () => {
    const outDir = path.join(tmp, 'run');
    release(await runBootstrap({ ...base(outDir), maxIterations: 1 }));
    await expect(runBootstrap({ ...base(outDir), resume: true, lambda: 0.8 })).rejects.toThrow(
      'option lambda is 0.8 but the run was started with 0.7',
    );
    await expect(
      runBootstrap({ ...base(outDir), resume: true, pool: task.pool.slice(1), poolGold: task.poolGold.slice(1) }),
    ).rejects.toThrow('the pool set differs from the one this run was started with (45 vs 44 items)');
    const longer = await runBootstrap({ ...base(outDir), resume: true, maxIterations: 2 });
    expect(longer.iterations.map((it) => it.iteration)).toEqual([1, 2]);
    expect(longer.stopReason).toBe('max-iterations');
    release(longer);
  });

  it('refuses a non-empty directory that holds no run', async () => {
    await fs.writeFile(path.join(tmp, 'notes.txt'), 'x');
    await expect(runBootstrap(base(tmp))).rejects.toThrow('is not empty and holds no bootstrap run');
  });
});

describe('fit summaries', () => {
  it('record the epochs, the last loss and the early-stopping epoch a classifier reports', async () => {
    const task = chainTask();
    const result = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      perIteration: 100,
      maxIterations: 1,
      createClassifier: async () => {
        const c = new CharNgramLogReg(TOY_LABELS);
        const fit = c.fit.bind(c);
        c.fit = async (train, options) => ({ ...(await fit(train, options)), bestEpoch: 120 });
        return c;
      },
    });
    const fit = result.iterations[0].fit;
    expect(fit).toEqual({ epochs: 150, finalLoss: fit.finalLoss, bestEpoch: 120 });
    expect(fit.finalLoss).toBeLessThan(Math.log(3));
    release(result);
  });
});

describe('pseudo-label weights', () => {
  /** Runs two iterations on the chain task and returns the classifiers in creation order (seed-only first). */
  async function weightedRun(pseudoLabelWeight: BootstrapOptions['pseudoLabelWeight'], outDir?: string) {
    const task = chainTask();
    const created: CharNgramLogReg[] = [];
    const result = await runBootstrap({
      seed: task.seed,
      pool: task.pool,
      perIteration: 100,
      maxIterations: 2,
      outDir,
      pseudoLabelWeight,
      createClassifier: async () => {
        const c = new CharNgramLogReg(TOY_LABELS);
        created.push(c);
        return c;
      },
    });
    release(result);
    return { task, created, result };
  }

  it("weigh seed items 1 and moved items by their probability when they moved ('probability')", async () => {
    const outDir = path.join(tmp, 'run');
    const { task, created, result } = await weightedRun('probability', outDir);
    expect(result.iterations).toHaveLength(2);
    expect(created[0].lastExampleWeights).toEqual(task.seed.map(() => 1));
    const added = [
      ...(await readJsonl(path.join(outDir, 'iteration-1', 'added.jsonl'))),
      ...(await readJsonl(path.join(outDir, 'iteration-2', 'added.jsonl'))),
    ].map((item) => item.probability as number);
    expect(added.every((p) => p > 0.7 && p <= 1)).toBe(true);
    const n1 = result.iterations[0].added;
    expect(created[1].lastExampleWeights).toEqual([...task.seed.map(() => 1), ...added.slice(0, n1)]);
    expect(created[2].lastExampleWeights).toEqual([...task.seed.map(() => 1), ...added]);
    const runJson = JSON.parse(await fs.readFile(path.join(outDir, 'run.json'), 'utf8'));
    expect(runJson.options.pseudoLabelWeight).toBe('probability');
    // a resume with another weighting is refused
    await expect(
      runBootstrap({
        seed: task.seed,
        pool: task.pool,
        perIteration: 100,
        maxIterations: 2,
        outDir,
        resume: true,
        pseudoLabelWeight: 0.5,
        createClassifier: logreg,
      }),
    ).rejects.toThrow(RunDirectoryError);
  });

  it('weigh moved items by a fixed weight, and pass no weights by default (the paper)', async () => {
    const fixed = await weightedRun(0.25);
    const n1 = fixed.result.iterations[0].added;
    expect(fixed.created[1].lastExampleWeights).toEqual([
      ...fixed.task.seed.map(() => 1),
      ...Array.from({ length: n1 }, () => 0.25),
    ]);
    const plain = await weightedRun(undefined);
    expect(plain.created.every((c) => c.lastExampleWeights === undefined)).toBe(true);
    // the weighting changes what is learned: the first iteration's classifier differs from the paper's
    const probe = fixed.task.pool.slice(0, 5);
    const [a, b] = [await fixed.created[1].predictProba(probe), await plain.created[1].predictProba(probe)];
    expect(a.some((row, i) => row.some((p, j) => Math.abs(p - b[i][j]) > 1e-6))).toBe(true);
  });
});

describe('calibrated per-class thresholds', () => {
  /**
   * The chain task's dev sentences, each A one doubled by a copy of the same text labelled unknown: whatever
   * probability the classifier gives an A prediction, only half of the held-out items at or above it are
   * right, so A can never reach a precision of 0.9.
   */
  function calibrationSet(dev: Candidate[]): Candidate[] {
    return dev.flatMap((c) =>
      c.label === 'A' ? [c, makeCandidate(c.sentence.text.slice(1, -1), 'unknown', `${c.recordId}-copy`)] : [c],
    );
  }
  /** The lowest held-out probability with precision ≥ target over ≥ minSupport items, by brute force. */
  function bruteForceThreshold(
    label: string,
    top: { label: string; probability: number }[],
    gold: string[],
    target: number,
    minSupport: number,
  ): number | null {
    let best: number | null = null;
    for (const t of top.filter((p) => p.label === label).map((p) => p.probability)) {
      const kept = top.map((p, i) => i).filter((i) => top[i].label === label && top[i].probability >= t);
      const right = kept.filter((i) => gold[i] === label).length;
      if (kept.length >= minSupport && right / kept.length >= target && (best === null || t < best)) best = t;
    }
    return best;
  }

  it('moves no item of a class that misses the target precision on held-out data, and records the thresholds', async () => {
    const task = chainTask();
    const held = calibrationSet(task.dev);
    const outDir = path.join(tmp, 'run');
    const options: BootstrapOptions = {
      seed: task.seed,
      pool: task.pool,
      poolGold: task.poolGold,
      dev: task.dev,
      perIteration: 100,
      maxIterations: 1,
      calibration: { targetPrecision: 0.9, minSupport: 2 },
      calibrationSet: held,
      outDir,
      createClassifier: logreg,
    };
    const result = await runBootstrap(options);
    const it1 = result.iterations[0];
    // without calibration the same iteration moves 5 items of each class (first test above)
    expect(it1.addedByClass).toEqual({ unknown: 5, B: 5 });
    expect(it1.wrongAdded).toBe(0);

    const seedModel = new CharNgramLogReg(TOY_LABELS);
    await seedModel.load(path.join(outDir, 'iteration-0', 'classifier'));
    const top = topPredictions(TOY_LABELS, await seedModel.predictProba(held));
    const gold = held.map((c) => c.label);
    const expected = Object.fromEntries(TOY_LABELS.map((l) => [l, bruteForceThreshold(l, top, gold, 0.9, 2)]));
    expect(expected.A).toBeNull();
    expect(expected.B).toBeGreaterThan(0.7);
    expect(it1.thresholds).toEqual(expected);
    // passed = pool items above λ and at or above their class threshold
    const poolTop = topPredictions(TOY_LABELS, await seedModel.predictProba(task.pool));
    const passing = poolTop.filter((p) => {
      const t = expected[p.label];
      return p.probability > 0.7 && t !== null && p.probability >= t;
    });
    expect(it1.passed).toBe(passing.length);
    const added = await readJsonl(path.join(outDir, 'iteration-1', 'added.jsonl'));
    expect(added.every((a) => (a.probability as number) >= (expected[a.label as string] as number))).toBe(true);
    const metrics = JSON.parse(await fs.readFile(path.join(outDir, 'iteration-1', 'metrics.json'), 'utf8'));
    expect(metrics.thresholds).toEqual(expected);
    release(result);

    // run.json records the calibration; a resume with other settings or another calibration set is refused
    const runJson = JSON.parse(await fs.readFile(path.join(outDir, 'run.json'), 'utf8'));
    expect(runJson.options).toMatchObject({ calibration: { targetPrecision: 0.9, minSupport: 2 }, agreement: null });
    expect(runJson.calibration.size).toBe(held.length);
    await expect(
      runBootstrap({ ...options, resume: true, calibration: { targetPrecision: 0.8, minSupport: 2 } }),
    ).rejects.toThrow(
      'option calibration is {"targetPrecision":0.8,"minSupport":2} but the run was started with {"targetPrecision":0.9,"minSupport":2}',
    );
    await expect(runBootstrap({ ...options, resume: true, calibrationSet: task.dev })).rejects.toThrow(
      `the calibration set differs from the one this run was started with (${held.length} vs ${task.dev.length} items)`,
    );
    await expect(
      runBootstrap({ ...options, resume: true, calibration: undefined, calibrationSet: undefined }),
    ).rejects.toThrow(`the calibration set differs from the one this run was started with (${held.length} vs 0 items)`);
  });

  it('calibrates on dev when no calibration set is given (hand-computed thresholds)', async () => {
    // The seed classifier gives each class's two dev sentences with the seed's trigger p ≈ 0.975 (all right) and
    // the 18 dev sentences with unseen triggers unknown at p ≈ 1/3 (6 of 18 right). So for unknown: ≥ 0.975 is
    // 2/2, ≥ 1/3 is 8/20 = 0.4; for A and B: ≥ 0.975 is 2/2.
    const task = chainTask();
    const run = (targetPrecision: number, minSupport: number): Promise<BootstrapResult> =>
      runBootstrap({
        seed: task.seed,
        pool: task.pool,
        dev: task.dev,
        lambda: 0,
        perIteration: 100,
        maxIterations: 1,
        calibration: { targetPrecision, minSupport },
        createClassifier: logreg,
      });
    const loose = await run(0.4, 2);
    const t = loose.iterations[0].thresholds as Record<string, number>;
    expect(t.unknown).toBeCloseTo(1 / 3, 3);
    expect(t.A).toBeCloseTo(0.975, 3);
    expect(t.B).toBe(t.A);
    // λ = 0: every pool item predicted unknown passes (p ≥ 1/3 always holds for a top label of 3)
    expect(loose.iterations[0].addedByClass).toMatchObject({ A: 5, B: 5 });
    expect(loose.iterations[0].addedByClass.unknown).toBeGreaterThan(5);
    release(loose);
    const strict = await run(0.9, 2);
    expect(strict.iterations[0].thresholds).toEqual({ unknown: t.A, A: t.A, B: t.A });
    expect(strict.iterations[0].addedByClass).toEqual({ unknown: 5, A: 5, B: 5 });
    release(strict);
    // three right items are needed, but only two per class are confident: never, so nothing moves
    const none = await run(0.9, 3);
    expect(none).toMatchObject({ stopReason: 'nothing-passed', iterations: [] });
    release(none);
  });
});

describe('agreement with a partner classifier', () => {
  const blindToA = async (): Promise<RelationClassifier> => new LabelBlindLogReg(TOY_LABELS, 'A');

  it('moves only items both classifiers label alike, saves the partner and returns it', async () => {
    const task = chainTask();
    const outDir = path.join(tmp, 'run');
    const partners: CharNgramLogReg[] = [];
    const options: BootstrapOptions = {
      seed: task.seed,
      pool: task.pool,
      poolGold: task.poolGold,
      dev: task.dev,
      perIteration: 100,
      maxIterations: 2,
      agreement: {
        name: 'blind-to-A',
        createClassifier: async () => {
          const c = new LabelBlindLogReg(TOY_LABELS, 'A');
          partners.push(c);
          return c;
        },
      },
      outDir,
      createClassifier: logreg,
    };
    const result = await runBootstrap(options);
    // alone, the first classifier passes the 15 first-link items; the partner never says A
    expect(result.iterations[0]).toMatchObject({ passedAlone: 15, passed: 10, added: 10, wrongAdded: 0 });
    expect(result.iterations.map((it) => it.addedByClass.A ?? 0)).toEqual([0, 0]);
    expect(result.iterations[0].partnerDev?.micro.f1).toBeLessThan(result.iterations[0].dev?.micro.f1 as number);
    expect(result.seedPartnerDev).toBeDefined();
    for (const k of [0, 1, 2]) {
      await expect(fs.stat(path.join(outDir, `iteration-${k}`, 'partner', 'logreg.json'))).resolves.toBeDefined();
    }
    expect(result.partner).toBe(partners[partners.length - 1]);
    expect(partners.filter((c) => !c.disposed)).toEqual([result.partner]);
    const runJson = JSON.parse(await fs.readFile(path.join(outDir, 'run.json'), 'utf8'));
    expect(runJson.options.agreement).toBe('blind-to-A');
    release(result);
    result.partner?.dispose();
    await expect(
      runBootstrap({ ...options, resume: true, agreement: { name: 'another', createClassifier: blindToA } }),
    ).rejects.toThrow('option agreement is "another" but the run was started with "blind-to-A"');
  });

  it('a run killed in the partner training resumes to the uninterrupted result', async () => {
    const task = chainTask();
    const base = (outDir: string): BootstrapOptions => ({
      seed: task.seed,
      pool: task.pool,
      poolGold: task.poolGold,
      dev: task.dev,
      perIteration: 7,
      calibration: { targetPrecision: 0.9, minSupport: 2 },
      agreement: { name: 'blind-to-A', createClassifier: blindToA },
      outDir,
      createClassifier: logreg,
    });
    const reference = await runBootstrap(base(path.join(tmp, 'reference')));
    expect(reference.iterations.length).toBeGreaterThan(2);
    let fits = 0;
    const failing = async (): Promise<RelationClassifier> => {
      const c = new LabelBlindLogReg(TOY_LABELS, 'A');
      const fit = c.fit.bind(c);
      c.fit = async (...args) => {
        // partner fits: seed, iteration 1, iteration 2 → the 3rd fails after iteration 2 chose its items
        if (++fits === 3) throw new Error('injected failure in the partner');
        return fit(...args);
      };
      return c;
    };
    const outDir = path.join(tmp, 'killed');
    await expect(
      runBootstrap({ ...base(outDir), agreement: { name: 'blind-to-A', createClassifier: failing } }),
    ).rejects.toThrow('injected failure in the partner');
    const resumed = await runBootstrap({ ...base(outDir), resume: true });
    const strip = (r: BootstrapResult): unknown => ({ ...r, classifier: undefined, partner: undefined });
    expect(strip(resumed)).toEqual(strip(reference));
    expect(await runFiles(outDir)).toEqual(await runFiles(path.join(tmp, 'reference')));
    for (const r of [reference, resumed]) {
      release(r);
      r.partner?.dispose();
    }
  });
});

describe('option checks', () => {
  const task = chainTask();
  it.each([
    [{ lambda: 1 }, 'bootstrap option lambda: 1 is not in [0, 1)'],
    [{ perIteration: 0 }, 'bootstrap option perIteration: 0 is not a whole number ≥ 1'],
    [{ maxIterations: 1.5 }, 'bootstrap option maxIterations: 1.5 is not a whole number ≥ 0'],
    [{ devDropTolerance: 0.1 }, 'bootstrap option devDropTolerance: the drop guard needs a non-empty dev set'],
    [{ poolGold: ['A'] }, 'bootstrap option poolGold: has 1 labels for 45 pool items'],
    [{ seed: [] }, 'bootstrap option seed: the seed set is empty'],
    [{ resume: true }, 'bootstrap option resume: needs outDir'],
    [
      { calibration: { targetPrecision: 0.9 } },
      'bootstrap option calibration: needs a non-empty calibrationSet or dev set',
    ],
    [
      { calibration: { targetPrecision: 1.5 }, dev: task.dev },
      'bootstrap option calibration.targetPrecision: 1.5 is not in (0, 1]',
    ],
    [{ calibrationSet: task.dev }, 'bootstrap option calibrationSet: is only used with calibration'],
    [{ agreement: { name: '', createClassifier: logreg } }, 'bootstrap option agreement.name: must name the partner'],
    [{ pseudoLabelWeight: 0 }, "bootstrap option pseudoLabelWeight: 0 is neither a number in (0, 1] nor 'probability'"],
    [{ pseudoLabelWeight: 1.5 }, 'bootstrap option pseudoLabelWeight: 1.5 is neither'],
    [{ pseudoLabelWeight: 'mean' }, 'bootstrap option pseudoLabelWeight: mean is neither'],
  ] as [Partial<BootstrapOptions>, string][])('rejects %j', async (bad, message) => {
    const run = runBootstrap({ seed: task.seed, pool: task.pool, createClassifier: logreg, ...bad });
    await expect(run).rejects.toThrow(BootstrapOptionError);
    await expect(runBootstrap({ seed: task.seed, pool: task.pool, createClassifier: logreg, ...bad })).rejects.toThrow(
      message,
    );
  });
});
