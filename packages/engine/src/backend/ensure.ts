import * as tf from '@tensorflow/tfjs-core';
import { installEngineFixes } from './fixes';
import { selectBackend } from './select';

/**
 * Makes sure the engine is ready before a network is built or loaded: keeps a backend the caller already chose
 * (`selectBackend`, or `tf.setBackend`, in which case the engine's kernels and gradient are installed here, since
 * nothing installs them on import), otherwise selects the best available (`'auto'`). The model packages' builders,
 * trainers and loaders call it, so their users need no setup call.
 * @example const backend = await ensureBackend(); // 'wasm' where nothing was chosen before
 */
export async function ensureBackend(): Promise<string> {
  const engine = tf.engine();
  if (engine.backendName) {
    installEngineFixes();
    await tf.ready();
    return engine.backendName;
  }
  return selectBackend({ backend: 'auto' });
}
