import * as tf from '@tensorflow/tfjs-core';
import { installEngineFixes, selectBackend } from '@emr-re/engine';

/**
 * Makes sure the engine is ready before a tagger is built or loaded: keeps a backend the caller already chose
 * (installing the engine's kernels and gradient, which nothing installs on import), otherwise selects the best
 * available. `trainNer`, `createNerModel` and `loadNer` call it, so their users need no setup call.
 */
export async function ensureNerBackend(): Promise<string> {
  const engine = tf.engine();
  if (engine.backendName) {
    installEngineFixes();
    await tf.ready();
    return engine.backendName;
  }
  return selectBackend({ backend: 'auto' });
}
