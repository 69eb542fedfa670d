/**
 * The entry of a model worker thread (run by piscina from `dist/worker.js`): loads its models once, on its own tfjs
 * backend, then answers `BatchTask`s. Importing this file starts nothing; the first task does.
 */
import { workerData } from 'node:worker_threads';
import { isUserError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { loadModel, selectBackend, selectedBackend } from '@emr-re/resgru-att';
import type { RecordInput } from '@emr-re/resgru-att';
import { loadPipeline } from './pipeline';
import type { BatchReply, BatchTask, SerializedError, WorkerSetup } from './task';

type Runner = (task: BatchTask) => Promise<EmrRecord[]>;

let runner: Promise<Runner> | undefined;

async function loadRunner(setup: WorkerSetup): Promise<Runner> {
  // One thread of XNNPACK per worker: the pool, not the backend, spreads the work over the cores.
  await selectBackend({ backend: setup.backend, threads: 1 });
  const models = setup.models;
  if (models.kind === 'extract') {
    const pipeline = await loadPipeline({ ner: models.ner, relations: models.relations });
    return (task) => pipeline.extract(task.records as Array<{ id?: string; text: string }>, task.options);
  }
  const extractor = await loadModel(models.model);
  return (task) => extractor.predict(task.records as RecordInput[], { minScore: task.options.minRelationScore });
}

/** `err` as plain data that keeps whether the user caused it. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error)
    return {
      name: err.name,
      message: err.message,
      stack: err.stack,
      ...(isUserError(err) ? { userCode: err.code } : {}),
    };
  return { name: 'Error', message: String(err) };
}

/** Runs one batch on this thread's models (loaded by the first call). */
export default async function runBatch(task: BatchTask): Promise<BatchReply> {
  try {
    runner ??= loadRunner(workerData as WorkerSetup);
    const run = await runner;
    return { ok: true, records: await run(task), backend: selectedBackend() ?? 'unknown' };
  } catch (err) {
    return { ok: false, error: serializeError(err) };
  }
}
