/**
 * Picks the tfjs backend at run time: tfjs-node-gpu > tfjs-node (both optional peer dependencies, backend name
 * "tensorflow") > wasm > cpu, overridable by option or the `EMR_RE_BACKEND` environment variable.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { EmrReError, UsageError } from '@emr-re/tokenize';
import { installEngineFixes } from './fixes';
import {
  initWasmBackend,
  resetWasmBackend,
  resolveWasmThreads,
  wasmBackendInitialised,
  wasmThreadsInUse,
} from './wasm-threads';

/** A backend emr-re can train on. "tensorflow" is TensorFlow's native kernels via tfjs-node or tfjs-node-gpu. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Every `BackendName`, in order of preference. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** The environment variable that overrides the `auto` choice. */
export const BACKEND_ENV_VAR = 'EMR_RE_BACKEND';

/** The environment variable that sets the wasm thread count when the `threads` option is not given. */
export const WASM_THREADS_ENV_VAR = 'EMR_RE_WASM_THREADS';

/** Threads the wasm backend uses when neither the `threads` option nor `EMR_RE_WASM_THREADS` says otherwise. */
export const DEFAULT_WASM_THREADS: number | 'auto' = 'auto';

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /** A backend, or "auto" (default): the `EMR_RE_BACKEND` variable if set, else the best installed one. */
  backend?: BackendName | 'auto';
  /**
   * wasm only: threads for XNNPACK's thread pool (matMuls, convolutions, most element-wise ops), 1 to 8, or
   * "auto" (the available cores). Default: `EMR_RE_WASM_THREADS` if set, else `DEFAULT_WASM_THREADS` ("auto").
   * Fixed when the wasm backend starts; a later call that names another count restarts the wasm backend, which
   * loses the tensors on it. Other backends ignore it.
   */
  threads?: number | 'auto';
  /** Receives one line naming the backend chosen (and why others were not), once per change. */
  log?: (message: string) => void;
}

/** A requested backend that cannot run here (not installed, or failed to initialise). */
export class BackendUnavailableError extends EmrReError {
  readonly backend: BackendName;
  constructor(backend: BackendName, reason: string) {
    super('BACKEND_UNAVAILABLE', `backend "${backend}" is not available: ${reason}`);
    this.backend = backend;
  }
}

/** The npm packages that provide the "tensorflow" backend, best first. */
const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

function parseBackend(value: string, source: string): BackendName | 'auto' {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || (BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName | 'auto';
  throw new UsageError(`${source}: unknown backend "${value}" (expected auto, ${BACKEND_NAMES.join(', ')})`);
}

/** The request after option and environment: explicit option > `EMR_RE_BACKEND` > auto. */
function resolveRequest(option: string | undefined): BackendName | 'auto' {
  if (option !== undefined) {
    const fromOption = parseBackend(option, 'backend option');
    if (fromOption !== 'auto') return fromOption;
  }
  const fromEnv = process.env[BACKEND_ENV_VAR];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseBackend(fromEnv, BACKEND_ENV_VAR);
  return 'auto';
}

function parseThreads(value: unknown, source: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1) return n;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'auto') return 'auto';
  throw new UsageError(`${source}: threads must be "auto" or an integer >= 1, got ${JSON.stringify(value)}`);
}

/** The wasm thread count asked for: option > `EMR_RE_WASM_THREADS` > default; `explicit` when the option gave it. */
function resolveThreads(option: SelectBackendOptions['threads']): { threads: number; explicit: boolean } {
  if (option !== undefined)
    return { threads: resolveWasmThreads(parseThreads(option, 'threads option')), explicit: true };
  const fromEnv = process.env[WASM_THREADS_ENV_VAR];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { threads: resolveWasmThreads(parseThreads(fromEnv, WASM_THREADS_ENV_VAR)), explicit: false };
  }
  return { threads: resolveWasmThreads(DEFAULT_WASM_THREADS), explicit: false };
}

/** Loads tfjs-node-gpu or tfjs-node; returns the package that registered "tensorflow", or the reasons none did. */
function loadTensorflowBackend(): { pkg?: string; reasons: string[] } {
  const reasons: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    try {
      // A computed name keeps bundlers and tsc from requiring these optional peers at build time.
      const load: (id: string) => unknown = require;
      load(pkg);
      if (tf.findBackendFactory('tensorflow') != null) return { pkg, reasons };
      reasons.push(`${pkg} loaded but registered no "tensorflow" backend`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      reasons.push(
        code === 'MODULE_NOT_FOUND'
          ? `${pkg} not installed`
          : `${pkg} failed to load (${(err as Error).message.split('\n')[0]})`,
      );
    }
  }
  return { reasons };
}

/** Points the wasm backend at the .wasm files beside the installed package's main script (jest, dist, bundles). */
function locateWasmBinaries(): void {
  try {
    const main = require.resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(path.dirname(main) + path.sep);
  } catch {
    // Not resolvable (e.g. bundled): the backend's default, the directory of its own script, applies.
  }
}

async function activate(name: BackendName, reasons: string[], threads: number): Promise<string | undefined> {
  if (name === 'tensorflow') {
    const loaded = loadTensorflowBackend();
    reasons.push(...loaded.reasons);
    if (loaded.pkg === undefined) return undefined;
    return (await tf.setBackend('tensorflow')) ? loaded.pkg : undefined;
  }
  if (name === 'wasm') locateWasmBinaries();
  let ok = false;
  try {
    if (name === 'wasm' && !wasmBackendInitialised())
      ok = await initWasmBackend(
        threads,
        (why) => reasons.push(why),
        (note) => reasons.push(note),
      );
    else ok = await tf.setBackend(name);
  } catch (err) {
    reasons.push(`${name} failed to initialise (${(err as Error).message})`);
    return undefined;
  }
  if (!ok) reasons.push(`${name} failed to initialise`);
  // The cpu backend prints an advert for tfjs-node on its first write; a library must not print.
  if (ok && name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  if (!ok) return undefined;
  const inUse = name === 'wasm' ? (wasmThreadsInUse() ?? 1) : 1;
  return `@tensorflow/tfjs-backend-${name}${inUse > 1 ? `, ${inUse} threads` : ''}`;
}

let current: BackendName | undefined;
/** Threads of the wasm backend this module started (undefined before that). */
let wasmThreads: number | undefined;
let queue: Promise<unknown> = Promise.resolve();

async function select(options: SelectBackendOptions): Promise<BackendName> {
  const requested = resolveRequest(options.backend);
  const { threads, explicit } = resolveThreads(options.threads);
  // Another thread count, asked for explicitly, restarts an initialised wasm backend.
  const restartWasm = explicit && wasmBackendInitialised() && threadsOf() !== threads;
  if (
    current !== undefined &&
    tf.getBackend() === current &&
    (requested === 'auto' || requested === current) &&
    !(current === 'wasm' && restartWasm)
  ) {
    return current;
  }
  installEngineFixes();
  if (restartWasm && (requested === 'wasm' || (requested === 'auto' && current === 'wasm'))) {
    resetWasmBackend();
    wasmThreads = undefined;
  }
  const reasons: string[] = [];
  const candidates = requested === 'auto' ? BACKEND_NAMES : [requested];
  for (const name of candidates) {
    const pkg = await activate(name, reasons, threads);
    if (pkg !== undefined) {
      current = name;
      if (name === 'wasm') wasmThreads = wasmThreadsInUse() ?? 1;
      const why = reasons.length > 0 ? `; ${reasons.join('; ')}` : '';
      options.log?.(`backend: ${name} (${pkg}${requested === 'auto' ? ', auto' : ''}${why})`);
      return name;
    }
  }
  if (requested === 'auto') throw new BackendUnavailableError('cpu', reasons.join('; '));
  throw new BackendUnavailableError(requested, reasons.join('; '));
}

/**
 * Selects and initialises the backend: the one explicit call that readies the engine. It installs the engine's
 * kernels and gradient (`installEngineFixes`) before any backend starts, and only during a threaded wasm start
 * replaces `worker_threads.Worker` and `os.cpus` (restored in a `finally`, see `wasm-threads.ts`). Idempotent: while the chosen backend is active, a call asking for "auto"
 * or for that same backend returns it without logging; a call naming another backend switches to it. Concurrent
 * calls run one after another. Throws `UsageError` for an unknown name (option or `EMR_RE_BACKEND`) and
 * `BackendUnavailableError` when the named backend cannot start.
 *
 * @example
 * const backend = await selectBackend({ log: (line) => console.error(line) }); // 'wasm' here
 */
export function selectBackend(options: SelectBackendOptions = {}): Promise<BackendName> {
  const run = queue.then(() => select(options));
  queue = run.catch(() => undefined);
  return run;
}

/** Threads of the initialised wasm backend: the ones it uses when active, else the count it was started with. */
function threadsOf(): number | undefined {
  return wasmThreadsInUse() ?? wasmThreads;
}

/** The backend the last successful `selectBackend` chose, if any. */
export function selectedBackend(): BackendName | undefined {
  return current;
}
