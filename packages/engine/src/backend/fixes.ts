import { registerFastGradients } from './gradients';
import { registerIm2ColKernels } from './im2col';
import { registerFastWasmCopyKernels } from './wasm-copy-kernels';
import { registerWasmKernels } from './wasm-kernels';

/**
 * Registers the engine's kernels and its `BatchMatMul` gradient with tfjs (idempotent): the wasm kernels tfjs lacks
 * or runs slowly (`registerWasmKernels`), the copying wasm `Slice`/`SplitV`/`Unpack`/`Reverse`/`Concat`/`Pack`, the
 * `EmrIm2Col1D` kernel, and the fast `BatchMatMul` gradient. Kernel and gradient registries are global to tfjs, so
 * this changes every later computation of this tfjs instance (with the same results, faster, and with gradients
 * wasm otherwise lacks). `selectBackend` calls it; call it yourself only when you start a backend with
 * `tf.setBackend` instead. Nothing calls it on import.
 */
export function installEngineFixes(): void {
  registerWasmKernels();
  registerFastWasmCopyKernels();
  registerIm2ColKernels();
  registerFastGradients();
}
