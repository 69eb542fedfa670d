import * as tf from '@tensorflow/tfjs-core';
import { installEngineFixes, selectBackend } from '@emr-re/engine';

/**
 * Makes sure the engine is ready before a network is built or loaded: keeps a backend the caller already chose
 * (`selectBackend`, or `tf.setBackend`, in which case the engine's kernels and gradient are installed here, since
 * nothing installs them on import), otherwise selects the best available (`'auto'`). `createRelationModel`,
 * `loadRelationModel`, `RelationModel.load`, `train` and `loadModel` call it, so their users need no setup call.
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
