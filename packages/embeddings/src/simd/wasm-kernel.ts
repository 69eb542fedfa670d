/**
 * The WebAssembly SIMD word2vec kernel: the memory layout it trains in, loading the module (kernel.wat,
 * shipped as bytes in kernel-wasm.ts), and `WasmWord2VecKernel`, which runs `Word2VecKernel`'s loop
 * (reading, subsampling, learning-rate decay, counters) but trains each sentence with one wasm call.
 * Everything the wasm code reads lives in one shared WebAssembly.Memory: the sigmoid tables, `syn0`,
 * `syn1`, the noise table, and one scratch block per thread. Worker threads get the same memory and
 * instantiate the module on it (Hogwild, as the JS kernel on SharedArrayBuffers).
 */
import { MAX_SENTENCE, sigmoidTables, Word2VecKernel, type KernelArrays, type KernelConfig } from '../kernel';
import { KERNEL_WASM_BASE64 } from './kernel-wasm';

/*
 * The part of the WebAssembly JS API used here, typed locally: the package compiles without the DOM lib,
 * and ambient declarations would clash with consumers that have it.
 */
/** A WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
/** A compiled WebAssembly.Module (opaque; cloneable to worker threads). */
export type WasmModule = object;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** The exports of kernel.wat: train one sentence, return the new RNG state. Addresses are byte offsets. */
interface KernelExports {
  skipgram(
    sen: number,
    len: number,
    syn0: number,
    syn1: number,
    negTable: number,
    negLength: number,
    tables: number,
    scratch: number,
    grad: number,
    dim: number,
    window: number,
    negative: number,
    alpha: number,
    rng: number,
  ): number;
  cbow(
    sen: number,
    len: number,
    syn0: number,
    syn1: number,
    negTable: number,
    negLength: number,
    tables: number,
    scratch: number,
    grad: number,
    hidden: number,
    dim: number,
    window: number,
    negative: number,
    alpha: number,
    rng: number,
  ): number;
}

const PAGE_BYTES = 65536;
/** wasm32's limit: 65536 pages of 64 KiB (4 GiB). */
const MAX_PAGES = 65536;

/** Where everything lives in the kernel's memory (byte offsets), for a vocabulary, dimension and thread count. */
export interface WasmKernelLayout {
  vocab: number;
  dim: number;
  /** Largest `negative` the scratch blocks hold. */
  negative: number;
  threads: number;
  /** Entries of the noise table. */
  negLength: number;
  /** The three sigmoid tables (`sigmoidTables()`). */
  tables: number;
  /** First thread's scratch block; thread t's is at `scratch + t * scratchBytes`. */
  scratch: number;
  scratchBytes: number;
  /** `(vocab, dim)` f32 input vectors. */
  syn0: number;
  /** `(vocab, dim)` f32 output vectors. */
  syn1: number;
  /** `negLength` i32 token ids. */
  negTable: number;
  /** Memory size in 64 KiB pages. */
  pages: number;
}

/** One thread's scratch block: loss + noise targets, sentence, gradient and CBOW hidden vector. */
interface ThreadScratch {
  /** `[0, 16)` loss sum and terms (f64) of the last call, then `negative` i32 noise targets. */
  scratch: number;
  /** `MAX_SENTENCE` i32 token ids. */
  sen: number;
  /** `dim` f32. */
  grad: number;
  /** `dim` f32. */
  hidden: number;
}

/** Rounds up to a multiple of 64 bytes (a cache line; also keeps v128 accesses aligned). */
function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

function scratchParts(dim: number, negative: number): { sen: number; grad: number; hidden: number; bytes: number } {
  const sen = align(16 + 4 * negative);
  const grad = sen + align(4 * MAX_SENTENCE);
  const hidden = grad + align(4 * dim);
  return { sen, grad, hidden, bytes: hidden + align(4 * dim) };
}

/**
 * The memory layout for training `vocab` tokens of `dim` values on `threads` threads, or `undefined`
 * when it does not fit wasm32's 4 GiB.
 */
export function wasmKernelLayout(
  vocab: number,
  dim: number,
  negative: number,
  negLength: number,
  threads: number,
): WasmKernelLayout | undefined {
  const tables = 64;
  const scratch = align(tables + sigmoidTables().byteLength);
  const scratchBytes = scratchParts(dim, negative).bytes;
  const syn0 = scratch + threads * scratchBytes;
  const syn1 = syn0 + align(4 * vocab * dim);
  const negTable = syn1 + align(4 * vocab * dim);
  const pages = Math.ceil((negTable + 4 * negLength) / PAGE_BYTES);
  if (pages > MAX_PAGES) return undefined;
  return { vocab, dim, negative, threads, negLength, tables, scratch, scratchBytes, syn0, syn1, negTable, pages };
}

function threadScratch(layout: WasmKernelLayout, thread: number): ThreadScratch {
  const base = layout.scratch + thread * layout.scratchBytes;
  const parts = scratchParts(layout.dim, layout.negative);
  return { scratch: base, sen: base + parts.sen, grad: base + parts.grad, hidden: base + parts.hidden };
}

function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

let compiled: WasmModule | null | undefined;

/** The compiled kernel module, or `null` when this runtime has no WebAssembly SIMD or shared memory. */
export function wasmKernelModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const api = wasmApi();
  if (!api || typeof SharedArrayBuffer !== 'function') return compiled;
  try {
    const bytes = Buffer.from(KERNEL_WASM_BASE64, 'base64');
    if (!api.validate(bytes)) return compiled;
    const module = new api.Module(bytes);
    // a runtime may validate the module yet refuse shared memories
    if (!(new api.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer))
      return compiled;
    compiled = module;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** True when this runtime can run the WebAssembly SIMD kernel (what `kernel: 'auto'` picks it by). */
export function wasmSimdSupported(): boolean {
  return wasmKernelModule() !== null;
}

/** What a wasm kernel thread needs: the module, the shared memory, and where things are in it. */
export interface WasmKernelContext {
  module: WasmModule;
  memory: WasmMemory;
  layout: WasmKernelLayout;
}

/**
 * Allocates the shared memory for `layout` (zeroed, sigmoid tables written) and returns the context
 * with views of `syn0`, `syn1` and the noise table in it; `undefined` when the runtime lacks the wasm
 * kernel or the memory cannot be allocated.
 */
export function createWasmKernelContext(
  layout: WasmKernelLayout,
): { context: WasmKernelContext; syn0: Float32Array; syn1: Float32Array; negTable: Int32Array } | undefined {
  const module = wasmKernelModule();
  const api = wasmApi();
  if (!module || !api) return undefined;
  let memory: WasmMemory;
  try {
    memory = new api.Memory({ initial: layout.pages, maximum: layout.pages, shared: true });
  } catch (err) {
    if (err instanceof RangeError) return undefined; // out of (virtual) memory
    throw err;
  }
  const buffer = memory.buffer;
  const tables = sigmoidTables();
  new Float64Array(buffer, layout.tables, tables.length).set(tables);
  const rowsLength = layout.vocab * layout.dim;
  return {
    context: { module, memory, layout },
    syn0: new Float32Array(buffer, layout.syn0, rowsLength),
    syn1: new Float32Array(buffer, layout.syn1, rowsLength),
    negTable: new Int32Array(buffer, layout.negTable, layout.negLength),
  };
}

/**
 * `Word2VecKernel` with sentences trained by the wasm SIMD code: same reading, subsampling, RNG stream
 * and learning-rate schedule, so on one thread it gives the JS kernel's vectors up to float rounding
 * (f32 accumulation here, f64 there). `arrays.syn0`/`syn1`/`negTable` are not read: the kernel works on
 * `wasm.memory` at `wasm.layout`'s offsets.
 */
export class WasmWord2VecKernel extends Word2VecKernel {
  private readonly code: KernelExports;
  private readonly at: ThreadScratch;
  private readonly layout: WasmKernelLayout;
  /** Loss sum and terms of the last sentence, written by the wasm code. */
  private readonly sentenceLoss: Float64Array;

  constructor(arrays: KernelArrays, config: KernelConfig, wasm: WasmKernelContext) {
    const { layout, memory } = wasm;
    if (config.dim !== layout.dim || config.negative > layout.negative || config.thread >= layout.threads)
      throw new Error(
        `wasm kernel layout (dim ${layout.dim}, negative ${layout.negative}, threads ${layout.threads}) ` +
          `does not fit thread ${config.thread} (dim ${config.dim}, negative ${config.negative})`,
      );
    const at = threadScratch(layout, config.thread);
    super(arrays, config, new Int32Array(memory.buffer, at.sen, MAX_SENTENCE));
    const api = wasmApi();
    if (!api) throw new Error('this runtime has no WebAssembly');
    this.code = new api.Instance(wasm.module, { env: { memory } }).exports as unknown as KernelExports;
    this.at = at;
    this.layout = layout;
    this.sentenceLoss = new Float64Array(memory.buffer, at.scratch, 2);
  }

  protected override trainSentence(len: number): void {
    const { layout, at, c } = this;
    this.rng = c.cbow
      ? this.code.cbow(
          at.sen,
          len,
          layout.syn0,
          layout.syn1,
          layout.negTable,
          layout.negLength,
          layout.tables,
          at.scratch,
          at.grad,
          at.hidden,
          c.dim,
          c.window,
          c.negative,
          this.alpha,
          this.rng,
        )
      : this.code.skipgram(
          at.sen,
          len,
          layout.syn0,
          layout.syn1,
          layout.negTable,
          layout.negLength,
          layout.tables,
          at.scratch,
          at.grad,
          c.dim,
          c.window,
          c.negative,
          this.alpha,
          this.rng,
        );
    this.lossSum += this.sentenceLoss[0];
    this.lossTerms += this.sentenceLoss[1];
  }
}
