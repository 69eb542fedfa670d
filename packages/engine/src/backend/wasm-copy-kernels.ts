/**
 * Data-movement kernels for tfjs-backend-wasm 4.22 that copy memory instead of computing indices:
 * `Slice`, `SplitV`, `Unpack`, `Reverse` (outer axis), `Concat` and `Pack`, one per file under `kernels/`.
 *
 * Why: the stock wasm `Slice` reads its input with `backend.readSync`, which copies the WHOLE input tensor out of
 * the wasm heap on every call, and `SplitV` / `Unpack` call it once per output: unstacking a `(T, B, C)` tensor
 * into T steps copied the full tensor T times (2.5 s for T=100, B=64, C=768; one 64-row slice of a 6400×384
 * matrix: 2.2 ms, here 0.05 ms). The stock `Reverse` walks every element with index arithmetic (0.58 s for the
 * same tensor), and `Concat` builds a typed-array view per copied row (3 × (6400, 128) along axis 1: 6.9 ms, here
 * 3.4 ms). Here every copy is a `copyWithin` on one view of the whole heap (all tensors live in the same wasm
 * memory), a row at a time. (wasm's C++ `Transpose` is kept: a tiled JS transpose measured no faster.)
 * Views are taken after the last `makeOutput`, because an allocation can grow (and so replace) the heap buffer.
 * String tensors and forms not handled here go to the stock kernels, kept for that.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { concatWasm } from './kernels/concat';
import type { StockKernel } from './kernels/copy-heap';
import { packWasm } from './kernels/pack';
import { reverseWasm } from './kernels/reverse';
import { sliceWasm } from './kernels/slice';
import { splitVWasm } from './kernels/split-v';
import { unpackWasm } from './kernels/unpack';

/** Kernel funcs by kernel name; each falls back to the stock kernel for string tensors or other cases. */
function fastKernels(stock: Map<string, tf.KernelFunc>): Array<[string, tf.KernelFunc]> {
  const of = (name: string) => stock.get(name) as unknown as StockKernel;
  return [
    ['Slice', sliceWasm(of('Slice'))],
    ['SplitV', splitVWasm(of('SplitV'))],
    ['Unpack', unpackWasm(of('Unpack'))],
    ['Reverse', reverseWasm(of('Reverse'))],
    ['Concat', concatWasm(of('Concat'))],
    ['Pack', packWasm(of('Pack'))],
  ];
}

/** The kernels replaced by `registerFastWasmCopyKernels`. */
export const COPY_KERNELS = ['Slice', 'SplitV', 'Unpack', 'Reverse', 'Concat', 'Pack'] as const;

/** The stock wasm kernels, kept before they are replaced (for fallbacks, tests and benchmarks). */
const stockConfigs = new Map<string, tf.KernelConfig>();
let copyKernelsRegistered = false;

/**
 * Replaces wasm's `Slice`, `SplitV`, `Unpack`, `Reverse`, `Concat` and `Pack` kernels by the
 * copying versions above (same results). Idempotent; part of `installEngineFixes()` (which `selectBackend` calls;
 * nothing runs on import). Safe before or after `setBackend('wasm')`: the stock kernels' setup functions are kept.
 */
export function registerFastWasmCopyKernels(): void {
  if (copyKernelsRegistered) return;
  const stock = new Map<string, tf.KernelFunc>();
  for (const name of COPY_KERNELS) {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) return; // tfjs-backend-wasm not loaded: nothing to replace
    stockConfigs.set(name, config);
    stock.set(name, config.kernelFunc);
  }
  copyKernelsRegistered = true;
  for (const [name, kernelFunc] of fastKernels(stock)) {
    const config = stockConfigs.get(name) as tf.KernelConfig;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc });
  }
}

/** Former name of `registerFastWasmCopyKernels` (it covered `Slice`, `SplitV`, `Unpack` and `Reverse`). */
export const registerFastWasmSliceKernels = registerFastWasmCopyKernels;

/** A kernel replaced by `registerFastWasmCopyKernels` as tfjs ships it, for comparisons. */
export function stockWasmCopyKernel(name: (typeof COPY_KERNELS)[number]): tf.KernelConfig | undefined {
  return stockConfigs.get(name) ?? tf.getKernel(name, 'wasm');
}
