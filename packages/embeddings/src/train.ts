/** `trainWord2Vec`: character word2vec (skip-gram or CBOW with negative sampling) on one or more threads. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { UsageError, type ProgressListener } from '@emr-re/tokenize';
import { encodeCorpus } from './corpus';
import { EmbeddingCorpusError } from './errors';
import { initInputVectors, STATS_PER_THREAD, Word2VecKernel, type KernelArrays, type KernelConfig } from './kernel';
import {
  createWasmKernelContext,
  wasmKernelLayout,
  wasmSimdSupported,
  WasmWord2VecKernel,
  type WasmKernelContext,
} from './simd/wasm-kernel';
import { EmbeddingTable } from './table';

/** Which training kernel runs: plain typed-array JS, WebAssembly SIMD, or wasm when the runtime has it. */
export type Word2VecKernelChoice = 'js' | 'wasm' | 'auto';

/** Training settings; defaults follow word2vec.c except `minCount` (1: every character is kept). */
export interface Word2VecOptions {
  /** Vector dimension (default 100; the paper uses 300). */
  dim?: number;
  /** Maximum distance between a token and its context (default 5). */
  window?: number;
  /** Noise tokens per positive example (default 5). */
  negative?: number;
  /** Passes over the corpus (default 5). */
  epochs?: number;
  /** Tokens seen fewer times are dropped (default 1). */
  minCount?: number;
  /** Subsampling threshold of frequent tokens; 0 disables it (default 1e-4, as fastText; word2vec.c uses 1e-3). */
  sample?: number;
  /** Starting learning rate, decayed linearly (default 0.025 skip-gram, 0.05 CBOW). */
  learningRate?: number;
  /** Architecture (default 'skipgram'). */
  model?: 'skipgram' | 'cbow';
  /** Training threads (default 2). With 1 the result is determined by `seed`; with more, updates race (Hogwild). */
  threads?: number;
  /** RNG seed (default 1). */
  seed?: number;
  /**
   * Training kernel (default 'auto': 'wasm' when the runtime has WebAssembly SIMD and shared memory, else
   * 'js'). Both compute the same algorithm from the same RNG stream; on one thread their vectors agree
   * to float rounding. 'wasm' is about four times as fast.
   */
  kernel?: Word2VecKernelChoice;
}

/** Progress reporting and cancellation of a training run. */
export interface TrainWord2VecControl {
  /** Receives `{ phase: 'embeddings', done: words, total, values: { 'words/s', lr, loss } }`. */
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

const PROGRESS_MS = 250;

function positiveInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new UsageError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** Validated options with defaults filled in. */
export function resolveWord2VecOptions(options: Word2VecOptions = {}): Required<Word2VecOptions> {
  const model = options.model ?? 'skipgram';
  if (model !== 'skipgram' && model !== 'cbow')
    throw new UsageError(`model must be 'skipgram' or 'cbow', got '${String(model)}'`);
  const sample = options.sample ?? 1e-4;
  if (!(sample >= 0) || !Number.isFinite(sample)) throw new UsageError(`sample must be a number >= 0, got ${sample}`);
  const learningRate = options.learningRate ?? (model === 'cbow' ? 0.05 : 0.025);
  if (!(learningRate > 0) || !Number.isFinite(learningRate))
    throw new UsageError(`learningRate must be > 0, got ${learningRate}`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new UsageError(`seed must be an integer, got ${seed}`);
  const kernel = options.kernel ?? 'auto';
  if (kernel !== 'js' && kernel !== 'wasm' && kernel !== 'auto')
    throw new UsageError(`kernel must be 'js', 'wasm' or 'auto', got '${String(kernel)}'`);
  return {
    dim: positiveInt('dim', options.dim ?? 100),
    window: positiveInt('window', options.window ?? 5),
    negative: positiveInt('negative', options.negative ?? 5, 0),
    epochs: positiveInt('epochs', options.epochs ?? 5),
    minCount: positiveInt('minCount', options.minCount ?? 1),
    sample,
    learningRate,
    model,
    threads: positiveInt('threads', options.threads ?? 2),
    seed,
    kernel,
  };
}

/**
 * word2vec's table for drawing noise tokens: token i fills a share of the slots proportional to count^0.75.
 * Its size grows with the vocabulary (1,000 slots a token, between 1e5 and 1e7).
 */
export function negativeSamplingTable(counts: ArrayLike<number>, shared = false): Int32Array {
  const size = negativeSamplingTableSize(counts.length);
  const table = shared ? new Int32Array(new SharedArrayBuffer(size * 4)) : new Int32Array(size);
  fillNegativeSamplingTable(counts, table);
  return table;
}

/** Slots of the noise table for a vocabulary of `vocab` tokens. */
function negativeSamplingTableSize(vocab: number): number {
  return Math.min(1e7, Math.max(1e5, vocab * 1000));
}

/** Fills `table` (any length) as `negativeSamplingTable` does. */
function fillNegativeSamplingTable(counts: ArrayLike<number>, table: Int32Array): void {
  const n = counts.length;
  const size = table.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.pow(counts[i], 0.75);
  let i = 0;
  let cumulative = Math.pow(counts[0], 0.75) / total;
  for (let a = 0; a < size; a++) {
    table[a] = i;
    if (a / size > cumulative && i < n - 1) {
      i++;
      cumulative += Math.pow(counts[i], 0.75) / total;
    }
  }
}

/**
 * Per token, the probability of keeping an occurrence under word2vec.c's subsampling:
 * `(sqrt(count / (sample * total)) + 1) * (sample * total) / count`, capped at 1; all 1 when `sample` is 0.
 */
export function keepProbabilities(counts: ArrayLike<number>, sample: number, shared = false): Float32Array {
  const n = counts.length;
  const keep = shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i];
  const threshold = sample * total;
  for (let i = 0; i < n; i++)
    keep[i] = sample > 0 ? Math.min(1, (Math.sqrt(counts[i] / threshold) + 1) * (threshold / counts[i])) : 1;
  return keep;
}

function floats(length: number, shared: boolean): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
}

/**
 * Starts a training thread. Built code runs `dist/worker.js`; run from TypeScript sources (jest, ts-node)
 * the worker compiles the `.ts` files it loads with the `typescript` package, which must then be installed.
 */
function startWorker(arrays: KernelArrays, config: KernelConfig, wasm: WasmKernelContext | undefined): Worker {
  const workerData = { arrays, config, wasm };
  const built = join(__dirname, 'worker.js');
  if (!__filename.endsWith('.ts') && existsSync(built)) return new Worker(built, { workerData });
  let typescript: string;
  try {
    typescript = require.resolve('typescript');
  } catch {
    throw new Error(
      'training threads from TypeScript sources need the typescript package; build the package or use threads: 1',
    );
  }
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    const ts = require(workerData.typescript);
    const fs = require('node:fs');
    require.extensions['.ts'] = (module, filename) => {
      const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
        fileName: filename,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      module._compile(out.outputText, filename);
    };
    require(workerData.entry);`;
  return new Worker(bootstrap, {
    eval: true,
    workerData: { ...workerData, typescript, entry: join(__dirname, 'worker.ts') },
  });
}

/**
 * Trains character embeddings with word2vec (skip-gram or CBOW, negative sampling, subsampling, linear
 * learning-rate decay). Each string of `corpus` is a sentence; its tokens are its characters (code points),
 * whitespace ignored. Returns the input vectors, tokens by descending frequency.
 */
export async function trainWord2Vec(
  corpus: Iterable<string> | AsyncIterable<string>,
  options: Word2VecOptions = {},
  control: TrainWord2VecControl = {},
): Promise<EmbeddingTable> {
  const o = resolveWord2VecOptions(options);
  const { signal, onProgress } = control;
  signal?.throwIfAborted();
  const shared = o.threads > 1;
  const encoded = await encodeCorpus(corpus, o.minCount, shared);
  signal?.throwIfAborted();
  const vocab = encoded.tokens.length;
  if (vocab === 0) throw new EmbeddingCorpusError(`the corpus has no token seen at least ${o.minCount} times`);
  const threads = Math.min(o.threads, Math.max(1, Math.floor(encoded.ids.length / 1000)));
  // The wasm kernel trains in one shared WebAssembly.Memory that holds the weights and the noise table.
  let wasm: ReturnType<typeof createWasmKernelContext>;
  if (o.kernel === 'wasm' || (o.kernel === 'auto' && wasmSimdSupported())) {
    if (o.kernel === 'wasm' && !wasmSimdSupported())
      throw new UsageError("kernel 'wasm' needs WebAssembly SIMD and shared memory, which this runtime lacks");
    const layout = wasmKernelLayout(vocab, o.dim, o.negative, negativeSamplingTableSize(vocab), threads);
    wasm = layout && createWasmKernelContext(layout);
    if (!wasm && o.kernel === 'wasm')
      throw new UsageError(
        `kernel 'wasm' cannot allocate a WebAssembly memory for ${vocab} tokens x ${o.dim} dimensions; use kernel 'js'`,
      );
    if (wasm) fillNegativeSamplingTable(encoded.counts, wasm.negTable);
  }
  const arrays: KernelArrays = {
    syn0: wasm ? wasm.syn0 : floats(vocab * o.dim, shared),
    syn1: wasm ? wasm.syn1 : floats(vocab * o.dim, shared),
    ids: encoded.ids,
    negTable: wasm ? wasm.negTable : negativeSamplingTable(encoded.counts, shared),
    keep: keepProbabilities(encoded.counts, o.sample, shared),
    stats: shared
      ? new Float64Array(new SharedArrayBuffer(threads * STATS_PER_THREAD * 8))
      : new Float64Array(threads * STATS_PER_THREAD),
    control: shared ? new Int32Array(new SharedArrayBuffer(4)) : new Int32Array(1),
  };
  initInputVectors(arrays.syn0, o.dim, o.seed);
  const totalWords = o.epochs * encoded.trainWords;
  const configs: KernelConfig[] = [];
  for (let t = 0; t < threads; t++) {
    configs.push({
      dim: o.dim,
      window: o.window,
      negative: o.negative,
      cbow: o.model === 'cbow',
      learningRate: o.learningRate,
      epochs: o.epochs,
      totalWords,
      threads,
      thread: t,
      from: Math.floor((encoded.ids.length * t) / threads),
      to: Math.floor((encoded.ids.length * (t + 1)) / threads),
      seed: o.seed,
    });
  }

  const started = Date.now();
  let lastLoss = 0;
  let lastTerms = 0;
  let recentLoss = 0;
  const report = (learningRate: number): void => {
    if (!onProgress) return;
    let done = 0;
    let loss = 0;
    let terms = 0;
    for (let t = 0; t < threads; t++) {
      done += arrays.stats[t * STATS_PER_THREAD];
      loss += arrays.stats[t * STATS_PER_THREAD + 1];
      terms += arrays.stats[t * STATS_PER_THREAD + 2];
    }
    const seconds = Math.max(1e-3, (Date.now() - started) / 1000);
    // Mean loss per (input, output) pair since the previous report.
    if (terms > lastTerms) recentLoss = (loss - lastLoss) / (terms - lastTerms);
    lastLoss = loss;
    lastTerms = terms;
    onProgress({
      phase: 'embeddings',
      done: Math.min(done, totalWords),
      total: totalWords,
      values: { 'words/s': Math.round(done / seconds), lr: learningRate, loss: recentLoss },
    });
  };
  const currentLearningRate = (): number => {
    let done = 0;
    for (let t = 0; t < threads; t++) done += arrays.stats[t * STATS_PER_THREAD];
    return Math.max(o.learningRate * (1 - done / (totalWords + 1)), o.learningRate * 1e-4);
  };

  if (threads === 1) {
    // In-process, in slices, so that progress is reported and `signal` can fire between them.
    const kernel = wasm
      ? new WasmWord2VecKernel(arrays, configs[0], wasm.context)
      : new Word2VecKernel(arrays, configs[0]);
    let lastReport = Date.now();
    while (!kernel.finished) {
      kernel.run(20000);
      if (Date.now() - lastReport >= PROGRESS_MS) {
        report(kernel.learningRate);
        lastReport = Date.now();
      }
      await yieldToEventLoop();
      signal?.throwIfAborted();
    }
  } else {
    const stop = (): void => {
      Atomics.store(arrays.control, 0, 1);
    };
    const workers: Worker[] = [];
    try {
      for (const config of configs) workers.push(startWorker(arrays, config, wasm?.context));
    } catch (err) {
      stop();
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    const timer = setInterval(() => report(currentLearningRate()), PROGRESS_MS);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const outcomes = await Promise.allSettled(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once('error', reject);
              w.once('exit', (code) =>
                code === 0 ? resolve() : reject(new Error(`training thread exited with code ${code}`)),
              );
            }),
        ),
      );
      const failed = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (err) {
      stop();
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    } finally {
      clearInterval(timer);
      signal?.removeEventListener('abort', stop);
    }
    signal?.throwIfAborted();
  }
  report(currentLearningRate());
  // Copy off the SharedArrayBuffer (or the wasm memory): the table owns ordinary memory.
  return new EmbeddingTable(encoded.tokens, Float32Array.from(arrays.syn0), o.dim);
}
