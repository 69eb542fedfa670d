import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend';

/**
 * Makes sure a tfjs backend is active before a network is built or loaded: keeps one the caller already
 * chose (`selectBackend` or `tf.setBackend`), otherwise selects the best available (`'auto'`), which also
 * registers the wasm kernels training needs.
 */
export async function ensureBackend(): Promise<string> {
  const engine = tf.engine();
  if (engine.backendName) {
    await tf.ready();
    return engine.backendName;
  }
  return selectBackend({ backend: 'auto' });
}
