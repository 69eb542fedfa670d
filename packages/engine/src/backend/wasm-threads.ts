/**
 * Multi-threaded XNNPACK for tfjs' wasm backend in Node.
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD build (`tfjs-backend-wasm-threaded-simd.wasm`: XNNPACK's
 * pthreadpool splits every matMul, convolution and most element-wise ops across threads) but never uses it in
 * Node, for three reasons, each worked around here for the duration of `tf.setBackend('wasm')` only:
 * 1. `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false in Node (tensorflow/tfjs#3830): the flag is set.
 * 2. The pthread workers are started from Blob URLs, which Node's `worker_threads` cannot load: while the backend
 *    initialises, `worker_threads.Worker` is replaced by a subclass that starts a `blob:` URL as the worker source
 *    tfjs embeds (`wasmWorkerContents`), evaluated in place, and points the worker's `importScripts` of the main
 *    script (also a Blob) at the threaded build's file on disk.
 * 3. The C++ side caps the pool at half the logical cores (`emscripten_num_logical_cores() / 2`, i.e. 1 on a
 *    2-core machine), read from `os.cpus()`: during initialisation `os.cpus()` reports `2 × threads` entries.
 * After initialisation the patches are undone, the pool's workers are unref'd (the process exits normally) and
 * the 7 or so pre-spawned workers the pool does not use are terminated (~9 MB each).
 * Everything else (kernels, memory layout, the 4 GiB heap limit) is the same module as the single-threaded build.
 *
 * Per-op gating. tfjs hands its one thread pool to every XNNPACK op. A pool pays a hand-off per op (the workers
 * must wake and check in), which small ops cannot earn back: an RNN step loop of ~1,000 small products and
 * element-wise ops ran 2x slower in wall time and 2.3x in CPU time on a loaded 2-core machine. So the pool pointer
 * (the C++ global `tfjs::backend::threadpool`, whose address is read from the body of the exported
 * `get_threads_count` function in the .wasm file and checked by nulling it: `get_threads_count()` must then
 * answer -1) is kept NULL — XNNPACK then runs every op on the calling thread — and set only around products of
 * at least `threadedOpMinFlops()` FLOPs (`withThreadPool`, used by the `BatchMatMul`, `_FusedMatMul`, `Conv2D` and
 * `Conv2DBackpropInput` wrappers). If the address cannot be found or checked, the pool stays on for every op.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
// `import x = require()` binds the module objects themselves (not interop copies), which is what must be patched:
// the emscripten code requires the same built-in objects.
import os = require('node:os');
import workerThreads = require('node:worker_threads');

/** Most threads the threaded build can use (it pre-spawns a pool of 8 pthread workers). */
export const MAX_WASM_THREADS = 8;

/** The emscripten module fields used here. */
interface PthreadModule {
  PThread?: { runningWorkers: workerThreads.Worker[]; unusedWorkers: workerThreads.Worker[] };
  tfjs?: { getThreadsCount(): number };
  HEAP32: Int32Array;
}

/** Products below this many FLOPs (2·m·k·n) run on the calling thread only; see the file comment. */
const DEFAULT_THREADED_OP_MIN_FLOPS = 32e6;
let minFlops = DEFAULT_THREADED_OP_MIN_FLOPS;

/** The thread-pool gate of the active threaded module: where the pool pointer lives and its value. */
interface PoolGate {
  module: PthreadModule;
  /** Index into HEAP32 of `tfjs::backend::threadpool`. */
  index: number;
  pool: number;
}
let gate: PoolGate | undefined;

/** Smallest product (FLOPs) that runs on the thread pool. */
export function threadedOpMinFlops(): number {
  return minFlops;
}

/** Sets the smallest product (FLOPs) that runs on the thread pool (0: every gated op); returns the previous value. */
export function setThreadedOpMinFlops(flops: number): number {
  const previous = minFlops;
  minFlops = Math.max(0, flops);
  return previous;
}

/**
 * Runs `fn` (one wasm kernel call) with XNNPACK's thread pool enabled when `flops` reaches `threadedOpMinFlops()`
 * and the active backend is the gated threaded build; otherwise just runs it. Re-entrant.
 */
export function withThreadPool<T>(flops: number, fn: () => T): T {
  const g = gate;
  if (g === undefined || flops < minFlops || (tf.backend() as unknown as { wasm?: unknown }).wasm !== g.module)
    return fn();
  const heap = g.module.HEAP32;
  const before = heap[g.index];
  heap[g.index] = g.pool;
  try {
    return fn();
  } finally {
    // The heap may have grown (a new view) during fn.
    g.module.HEAP32[g.index] = before;
  }
}

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
function uleb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/**
 * The linear-memory address that `get_threads_count` loads the pool pointer from: its body starts, after the
 * local declarations, with `i32.const ADDR; i32.load`. Undefined if the binary does not look like that.
 */
export function threadPoolPointerAddress(wasm: Uint8Array): number | undefined {
  let at = 8;
  let importedFunctions = 0;
  let exported: number | undefined;
  let code: [number, number] | undefined;
  while (at < wasm.length) {
    const id = wasm[at++];
    let size: number;
    [size, at] = uleb(wasm, at);
    const start = at;
    if (id === 2) {
      let count: number;
      [count, at] = uleb(wasm, at);
      for (let i = 0; i < count; i++) {
        for (let name = 0; name < 2; name++) {
          let length: number;
          [length, at] = uleb(wasm, at);
          at += length;
        }
        const kind = wasm[at++];
        if (kind === 0) {
          importedFunctions++;
          [, at] = uleb(wasm, at);
        } else if (kind === 1) {
          at++; // element type
          const flags = wasm[at++];
          [, at] = uleb(wasm, at);
          if (flags & 1) [, at] = uleb(wasm, at);
        } else if (kind === 2) {
          const flags = wasm[at++];
          [, at] = uleb(wasm, at);
          if (flags & 1) [, at] = uleb(wasm, at);
        } else if (kind === 3) {
          at += 2;
        } else {
          return undefined;
        }
      }
    } else if (id === 7) {
      let count: number;
      [count, at] = uleb(wasm, at);
      for (let i = 0; i < count; i++) {
        let length: number;
        [length, at] = uleb(wasm, at);
        const name = Buffer.from(wasm.subarray(at, at + length)).toString('utf8');
        at += length;
        const kind = wasm[at++];
        let index: number;
        [index, at] = uleb(wasm, at);
        if (kind === 0 && name === 'get_threads_count') exported = index;
      }
    } else if (id === 10) {
      code = [start, start + size];
    }
    at = start + size;
  }
  if (exported === undefined || code === undefined || exported < importedFunctions) return undefined;
  at = code[0];
  const [bodies, afterCount] = uleb(wasm, at);
  at = afterCount;
  const wanted = exported - importedFunctions;
  if (wanted >= bodies) return undefined;
  for (let i = 0; i < wanted; i++) {
    let size: number;
    [size, at] = uleb(wasm, at);
    at += size;
  }
  [, at] = uleb(wasm, at); // body size
  const [groups, afterGroups] = uleb(wasm, at);
  at = afterGroups;
  for (let i = 0; i < groups; i++) {
    [, at] = uleb(wasm, at);
    at++; // value type
  }
  if (wasm[at++] !== 0x41) return undefined; // i32.const (signed LEB128; addresses here are small positives)
  let address = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = wasm[at++];
    address |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80 && shift < 35);
  if (shift < 32 && byte & 0x40) return undefined; // negative
  if (wasm[at++] !== 0x28) return undefined; // i32.load
  const [align, afterAlign] = uleb(wasm, at);
  const [offset] = uleb(wasm, afterAlign);
  if (align !== 2) return undefined;
  return address + offset;
}

/** Finds and checks the pool pointer of the threaded module just started; nulls it (ops serial by default). */
function installPoolGate(module: PthreadModule, wasmFile: string): string | undefined {
  let address: number | undefined;
  try {
    address = threadPoolPointerAddress(fs.readFileSync(wasmFile));
  } catch (err) {
    return `cannot read ${wasmFile} (${(err as Error).message})`;
  }
  if (address === undefined || address % 4 !== 0) return 'thread pool pointer not found in the wasm binary';
  const index = address / 4;
  const pool = module.HEAP32[index];
  const count = module.tfjs?.getThreadsCount();
  if (pool === 0 || count === undefined || count < 2) return 'thread pool pointer check failed (no pool)';
  module.HEAP32[index] = 0;
  if (module.tfjs?.getThreadsCount() !== -1) {
    module.HEAP32[index] = pool;
    return 'thread pool pointer check failed (nulling it did not disable the pool)';
  }
  gate = { module, index, pool };
  return undefined;
}

/** Directory of tfjs-backend-wasm's package root, or undefined when it cannot be resolved (bundles). */
function wasmPackageRoot(): string | undefined {
  try {
    // main is dist/tf-backend-wasm.node.js
    return path.resolve(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..');
  } catch {
    return undefined;
  }
}

/** The pieces of the threaded build needed to start its workers in Node, or the reason they are missing. */
function threadedBuild(): { mainScript: string; workerSource: string; wasmFile: string } | string {
  const root = wasmPackageRoot();
  if (root === undefined) return '@tensorflow/tfjs-backend-wasm cannot be resolved';
  const mainScript = path.join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  let contents: unknown;
  try {
    const load: (id: string) => unknown = require;
    contents = (
      load(path.join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents?: unknown }
    ).wasmWorkerContents;
  } catch (err) {
    return `threaded wasm worker script not found (${(err as Error).message.split('\n')[0]})`;
  }
  if (typeof contents !== 'string') return 'threaded wasm worker script has no wasmWorkerContents';
  // tfjs escapes newlines the same way before making its Blob: the source has "\n" inside string literals.
  const escaped = contents.replace(/\n/g, '\\n');
  // Runs after the worker's own setup: the "load" message names the main script as a Blob; use the file instead.
  const redirect =
    `;(function(){var handle=self.onmessage;self.onmessage=function(e){` +
    `if(e.data&&e.data.cmd==="load"&&typeof e.data.urlOrBlob!=="string")e.data.urlOrBlob=${JSON.stringify(mainScript)};` +
    `return handle(e);};})();`;
  const wasmFile = path.join(root, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  return { mainScript, workerSource: escaped + redirect, wasmFile };
}

/** The emscripten module of the active wasm backend. */
function wasmModule(): PthreadModule | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  return (tf.backend() as unknown as { wasm?: PthreadModule }).wasm;
}

/** Threads XNNPACK uses in the active wasm backend (1 for the single-threaded build), or undefined if not on wasm. */
export function wasmThreadsInUse(): number | undefined {
  const module = wasmModule();
  if (module === undefined) return undefined;
  if (gate !== undefined && gate.module === module) return poolThreads(gate);
  const count = module.tfjs?.getThreadsCount() ?? 1;
  return count > 0 ? count : 1;
}

/** The gated pool's thread count (read with the pool pointer set: nulled, the module answers -1). */
function poolThreads(g: PoolGate): number {
  const before = g.module.HEAP32[g.index];
  g.module.HEAP32[g.index] = g.pool;
  const count = g.module.tfjs?.getThreadsCount() ?? 1;
  g.module.HEAP32[g.index] = before;
  return count;
}

/** Resolves a thread request: 'auto' = available cores (capped at `MAX_WASM_THREADS`), numbers rounded into [1, 8]. */
export function resolveWasmThreads(threads: number | 'auto'): number {
  const n = threads === 'auto' ? (os.availableParallelism?.() ?? os.cpus().length) : threads;
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(n)));
}

/**
 * Initialises the wasm backend (`tf.setBackend('wasm')`) with XNNPACK on `threads` threads (1 = the single-threaded
 * SIMD build tfjs uses in Node by default). Resolves to true when the backend started; a threaded start that fails
 * is retried single-threaded and `onFallback` receives the reason. The wasm backend must not be initialised yet
 * (see `resetWasmBackend`).
 */
export async function initWasmBackend(
  threads: number,
  onFallback?: (reason: string) => void,
  onNote?: (note: string) => void,
): Promise<boolean> {
  gate = undefined;
  if (threads <= 1) return startSingleThreaded();
  const build = threadedBuild();
  if (typeof build === 'string') {
    onFallback?.(build);
    return startSingleThreaded();
  }
  const { workerSource } = build;
  const NodeWorker = workerThreads.Worker;
  const nodeCpus = os.cpus;
  // Starts tfjs' Blob-URL pthread workers from their source text; any other worker as usual.
  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: workerThreads.WorkerOptions) {
      if (typeof url === 'string' && url.startsWith('blob:')) super(workerSource, { ...options, eval: true });
      else super(url, options);
    }
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  tfWasm.setThreadsCount(threads);
  let ok = false;
  let reason = '';
  try {
    (workerThreads as { Worker: typeof NodeWorker }).Worker = PthreadWorker;
    (os as { cpus: typeof os.cpus }).cpus = () => {
      const cpus = nodeCpus();
      const model = cpus[0];
      return Array.from({ length: 2 * threads }, (_, i) => cpus[i] ?? model);
    };
    ok = await tf.setBackend('wasm');
    if (!ok) reason = 'threaded wasm build failed to initialise';
  } catch (err) {
    reason = `threaded wasm build failed to initialise (${(err as Error).message})`;
  } finally {
    (workerThreads as { Worker: typeof NodeWorker }).Worker = NodeWorker;
    (os as { cpus: typeof os.cpus }).cpus = nodeCpus;
  }
  if (ok) {
    const module = wasmModule();
    const pool = module?.PThread;
    if (pool !== undefined) {
      // The pool's workers sit in Atomics.wait between ops: they must not keep the process alive.
      for (const worker of pool.runningWorkers) worker.unref();
      for (const worker of pool.unusedWorkers.splice(0)) void worker.terminate();
    }
    const inUse = wasmThreadsInUse() ?? 1;
    if (inUse === threads && module !== undefined) {
      const problem = installPoolGate(module, build.wasmFile);
      if (problem !== undefined) onNote?.(`${problem}: the thread pool runs every op`);
      return true;
    }
    reason = `threaded wasm build started ${inUse} thread(s) instead of ${threads}`;
    resetWasmBackend();
  }
  onFallback?.(reason);
  return startSingleThreaded();
}

async function startSingleThreaded(): Promise<boolean> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tfWasm.setThreadsCount(-1);
  return tf.setBackend('wasm');
}

/**
 * Disposes the wasm backend (its tensors are lost) and registers its factory again, so that the next
 * `tf.setBackend('wasm')` starts a fresh module, e.g. with another thread count. Kernels stay registered.
 */
export function resetWasmBackend(): void {
  gate = undefined;
  const factory = tf.findBackendFactory('wasm');
  if (factory === null || factory === undefined) return;
  const engine = tf.engine() as unknown as { registryFactory: Record<string, { priority: number }> };
  const priority = engine.registryFactory.wasm?.priority ?? 2;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, priority);
}

/** Whether the wasm backend has been initialised in this process (its thread count is then fixed). */
export function wasmBackendInitialised(): boolean {
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  return engine.registry.wasm !== undefined;
}
