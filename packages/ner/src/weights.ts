import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { NamedArray } from '@emr-re/engine';

export { sha256 } from '@emr-re/engine';

/** Every weight of a network as plain arrays, in `network.weights` order (names prefixed `network/`). */
export function networkWeightArrays(network: tfl.LayersModel): NamedArray[] {
  return network.weights.map((w) => ({
    name: `network/${w.originalName}`,
    shape: [...w.shape] as number[],
    values: (w.read().dataSync() as Float32Array).slice(),
  }));
}

/**
 * Sets every weight of a network from `networkWeightArrays` output (other arrays, e.g. the CRF's, are skipped).
 * @throws RangeError on a count or shape mismatch.
 */
export function setNetworkWeightArrays(network: tfl.LayersModel, arrays: readonly NamedArray[]): void {
  const mine = arrays.filter((a) => a.name.startsWith('network/'));
  const weights = network.weights;
  if (mine.length !== weights.length) {
    throw new RangeError(`got ${mine.length} network weight arrays, network has ${weights.length}`);
  }
  mine.forEach((a, i) => {
    const want = weights[i].shape.join(',');
    if (a.shape.join(',') !== want) {
      throw new RangeError(`weight ${weights[i].originalName}: shape [${a.shape}] ≠ [${want}]`);
    }
  });
  tf.tidy(() => network.setWeights(mine.map((a) => tf.tensor(a.values, a.shape, 'float32'))));
}
