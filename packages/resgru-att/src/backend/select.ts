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
import { registerWasmKernels } from './wasm-kernels';
import { registerFastGradients } from './gradients';
import { registerFastWasmSliceKernels } from './wasm-slice-kernels';

/** A backend emr-re can train on. "tensorflow" is TensorFlow's native kernels via tfjs-node or tfjs-node-gpu. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Every `BackendName`, in order of preference. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** The environment variable that overrides the `auto` choice. */
export const BACKEND_ENV_VAR = 'EMR_RE_BACKEND';

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /** A backend, or "auto" (default): the `EMR_RE_BACKEND` variable if set, else the best installed one. */
  backend?: BackendName | 'auto';
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

/** Applies the kernel and gradient fixes (idempotent); selectBackend calls it before any backend starts. */
export function installEngineFixes(): void {
  registerWasmKernels();
  registerFastWasmSliceKernels();
  registerFastGradients();
}

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
      reasons.push(code === 'MODULE_NOT_FOUND' ? `${pkg} not installed` : `${pkg} failed to load (${(err as Error).message.split('\n')[0]})`);
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

async function activate(name: BackendName, reasons: string[]): Promise<string | undefined> {
  if (name === 'tensorflow') {
    const loaded = loadTensorflowBackend();
    reasons.push(...loaded.reasons);
    if (loaded.pkg === undefined) return undefined;
    return (await tf.setBackend('tensorflow')) ? loaded.pkg : undefined;
  }
  if (name === 'wasm') locateWasmBinaries();
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    reasons.push(`${name} failed to initialise (${(err as Error).message})`);
    return undefined;
  }
  if (!ok) reasons.push(`${name} failed to initialise`);
  // The cpu backend prints an advert for tfjs-node on its first write; a library must not print.
  if (ok && name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return ok ? `@tensorflow/tfjs-backend-${name}` : undefined;
}

let current: BackendName | undefined;
let queue: Promise<unknown> = Promise.resolve();

async function select(options: SelectBackendOptions): Promise<BackendName> {
  const requested = resolveRequest(options.backend);
  if (current !== undefined && tf.getBackend() === current && (requested === 'auto' || requested === current)) {
    return current;
  }
  installEngineFixes();
  const reasons: string[] = [];
  const candidates = requested === 'auto' ? BACKEND_NAMES : [requested];
  for (const name of candidates) {
    const pkg = await activate(name, reasons);
    if (pkg !== undefined) {
      current = name;
      const why = reasons.length > 0 ? `; ${reasons.join('; ')}` : '';
      options.log?.(`backend: ${name} (${pkg}${requested === 'auto' ? ', auto' : ''}${why})`);
      return name;
    }
  }
  if (requested === 'auto') throw new BackendUnavailableError('cpu', reasons.join('; '));
  throw new BackendUnavailableError(requested, reasons.join('; '));
}

/**
 * Selects and initialises the backend. Idempotent: while the chosen backend is active, a call asking for "auto"
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

/** The backend the last successful `selectBackend` chose, if any. */
export function selectedBackend(): BackendName | undefined {
  return current;
}
