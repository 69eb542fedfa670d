import { AbortedRun } from './aborted-run';
import { ClassifierPair, disposePair, loadPair, mapPair, trainIterationPair, trainSeedPair } from './agreement';
import { devDropped } from './drop-guard';
import { iterationEvent, seedTrainedEvent } from './events';
import { iterationRecord, seedRecord } from './iteration-record';
import { goldLabelsOf, keyedPool, labelledSet, movedItems, unlabelledIndices } from './labelled-set';
import { BootstrapOptions, resolveOptions } from './options';
import { bootstrapResult, BootstrapResult } from './result';
import { commitIteration, commitStop } from './run-commit';
import { RunContext, runContext } from './run-context';
import { iterationPairDirs, openRunDirectory } from './run-dir';
import { runInfo } from './run-info';
import type { BootstrapRun, CommittedState } from './run-state';
import {
  acceptedDev,
  acceptTraining,
  discardTraining,
  newRun,
  resumedRun,
  stateAfterIteration,
  stateAfterSeed,
} from './run-state';
import { selectForIteration } from './select';
import { closeWarmStart, openWarmStart } from './warm-start';

// The types of `runBootstrap`'s signature, beside it.
export type { BootstrapOptions } from './options';
export type { BootstrapResult } from './result';

/**
 * Runs bootstrapping self-training (the paper's Algorithm 1): train a classifier on L, predict U, move the at
 * most N items whose top probability exceeds λ into L with their predicted labels, retrain, score dev, and
 * repeat until U is empty, nothing passes λ, `maxIterations` is reached, dev F1 drops (guard) or the signal
 * aborts. Iteration 0 trains on the seed set alone. With `outDir`, each iteration is committed atomically and
 * `resume` continues a killed run from its last finished iteration.
 */
export async function runBootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const settings = resolveOptions(options);
  const pool = keyedPool(options.pool);
  const { outDir } = options;
  const stored =
    outDir === undefined
      ? undefined
      : ((await openRunDirectory(outDir, runInfo(options, settings, pool.keys), options.resume === true)) as
          CommittedState | undefined);
  const warmStart = settings.warmStart ? await openWarmStart(outDir) : undefined;
  const ctx = runContext(options, settings, pool, warmStart);
  let run = newRun();
  try {
    if (stored !== undefined) {
      run = resumedRun(stored, pool, outDir as string);
      run.accepted = await loadPair(ctx.factories, iterationPairDirs(outDir as string, stored.acceptedIteration));
    } else {
      await trainSeed(run, ctx);
    }
    while (run.stopReason === undefined) await runIteration(run, ctx);
  } catch (err) {
    discardTraining(run);
    if (!(err instanceof AbortedRun) && !options.signal?.aborted) {
      disposePair(run.accepted);
      throw err;
    }
    run.stopReason = 'aborted';
  } finally {
    if (warmStart !== undefined) await closeWarmStart(warmStart);
  }
  if (run.stopReason !== 'aborted' && outDir !== undefined && run.accepted !== undefined) {
    await commitStop(outDir, run.committed, run.stopReason, run.accepted.classifier);
  }
  const withPartner = options.agreement !== undefined;
  return bootstrapResult(run, { seedSize: options.seed.length, poolSize: pool.items.length, withPartner });
}

/** Iteration 0: trains the pair on the seed set alone, scores it on dev and commits it. */
async function trainSeed(run: BootstrapRun, ctx: RunContext): Promise<void> {
  ctx.checkAbort();
  const labelled = () => labelledSet(ctx.seed, ctx.pool, run.moved);
  const training = { fitOptions: ctx.fitOptionsFor(run.moved), checkAbort: ctx.checkAbort };
  const { pair, report } = await trainSeedPair(ctx.factories, labelled, training);
  run.training = pair;
  run.seedDev = await ctx.score(pair.classifier);
  run.seedPartnerDev = await ctx.score(pair.partner);
  run.committed = stateAfterSeed(run);
  const { seedDev, seedPartnerDev } = run;
  const sizes = { poolSize: ctx.pool.items.length, seedSize: ctx.seed.length };
  const record = seedRecord({ ...sizes, fit: report, dev: seedDev, partnerDev: seedPartnerDev });
  if (ctx.outDir !== undefined)
    await commitIteration(ctx.outDir, { record, added: [], pair, state: run.committed, pool: ctx.pool });
  acceptTraining(run);
  ctx.onProgress?.(seedTrainedEvent(seedDev, ctx.settings.maxIterations));
}

/**
 * One iteration K ≥ 1 (or the reason none can run): predict U with the accepted pair, choose the items to move,
 * move them into L, train a new pair on L, score it on dev, let the drop guard keep or roll back the iteration,
 * and commit it.
 */
async function runIteration(run: BootstrapRun, ctx: RunContext): Promise<void> {
  ctx.checkAbort();
  const unlabelled = unlabelledIndices(ctx.pool, run.moved);
  const k = run.committed.completedIteration + 1;
  if (unlabelled.length === 0 || k > ctx.settings.maxIterations) {
    run.stopReason = unlabelled.length === 0 ? 'pool-empty' : 'max-iterations';
    return;
  }
  const accepted = run.accepted as ClassifierPair;
  const items = unlabelled.map((i) => ctx.pool.items[i]);
  const top = await mapPair(accepted, (c) => ctx.predictPool(c, items));
  const thresholds = await mapPair(accepted, ctx.calibrate);
  const rule = ctx.selectionRule(accepted.classifier.labels, top.partner, thresholds);
  const selection = selectForIteration(top.classifier, rule);
  if (selection.chosen.length === 0) {
    run.stopReason = 'nothing-passed';
    return;
  }
  const added = movedItems(ctx.pool, unlabelled, selection.chosen, top.classifier, k);
  const previousMoved = run.moved;
  run.moved = [...run.moved, ...added];
  const train = labelledSet(ctx.seed, ctx.pool, run.moved);
  const acceptedIteration = run.committed.acceptedIteration;
  const { pair, report } = await trainIterationPair(ctx.factories, train, {
    fitOptions: ctx.fitOptionsFor(run.moved),
    checkAbort: ctx.checkAbort,
    warmStart: ctx.warmStartFrom(accepted, acceptedIteration),
  });
  run.training = pair;
  const dev = await mapPair(pair, ctx.score);
  ctx.checkAbort();
  const record = iterationRecord({
    iteration: k,
    added,
    poolLeft: unlabelled.length - added.length,
    labelled: train.length,
    fit: report,
    selection,
    thresholds: thresholds.classifier,
    partnerThresholds: thresholds.partner,
    addedGold: goldLabelsOf(ctx.pool, added, ctx.poolGold),
    dev: dev.classifier,
    partnerDev: dev.partner,
  });
  const dropped = devDropped(record.dev, acceptedDev(run.committed), ctx.settings);
  if (dropped) {
    record.rolledBack = true;
    run.moved = previousMoved;
    run.stopReason = 'dev-dropped';
  }
  run.committed = stateAfterIteration(run, record, dropped ? acceptedIteration : k);
  const { outDir, pool, poolGold } = ctx;
  if (outDir !== undefined)
    await commitIteration(outDir, { record, added, pair, state: run.committed, pool, poolGold });
  if (dropped) discardTraining(run);
  else acceptTraining(run);
  ctx.onProgress?.(iterationEvent(record, ctx.settings));
}
