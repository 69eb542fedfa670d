import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../errors';

/**
 * Zeroes padded time steps: inputs `[x (batch, length, dim), mask (batch, length) float 1/0]` →
 * `(batch, length, dim)`. Applied to the embedded input so that "same"-padded convolutions see zeros,
 * not the PAD embedding, beyond the sentence end. No weights.
 *
 * @example
 * const x = new SequenceMask().apply([embedded, mask]) as tfl.SymbolicTensor; // (batch, length, dim)
 */
export class SequenceMask extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrReSequenceMask';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) {
      throw new ShapeError('SequenceMask', 'SequenceMask takes [x (batch, length, dim), mask (batch, length)]');
    }
    return (inputShape as tfl.Shape[])[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, mask] = inputs as tf.Tensor[];
      return tf.mul(x, tf.expandDims(mask, -1));
    });
  }
}
tf.serialization.registerClass(SequenceMask);
