import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Kwargs = { [key: string]: unknown };

/**
 * Zeroes padded time steps: inputs `[x (batch, length, dim), mask (batch, length) float 1/0]` →
 * `(batch, length, dim)`. Applied to the embedded input so that "same"-padded convolutions see zeros,
 * not the PAD embedding, beyond the sentence end.
 */
export class SequenceMask extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrReSequenceMask';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
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

/** Arguments of `StepDropout`. */
export interface StepDropoutArgs {
  rate: number;
  /** Base seed; the mask of each training step derives from (seed, step). */
  seed: number;
  name?: string;
}

/**
 * Inverted dropout whose mask is a pure function of (seed, training step): `(batch, dim)` → `(batch, dim)`.
 * tfjs' own Dropout draws either from Math.random (not reproducible) or from one fixed seed (the same
 * mask every step); a step-indexed seed gives fresh masks that a resumed run reproduces exactly.
 */
export class StepDropout extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrReStepDropout';
  readonly rate: number;
  readonly seed: number;
  /** Set by the trainer before each step. */
  step = 0;

  constructor(args: StepDropoutArgs) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs['training'] !== true || this.rate <= 0) return tf.clone(x);
    // A 31-bit mix of (seed, step): distinct steps give unrelated alea streams.
    const stepSeed = (Math.imul(this.seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(this.step + 1, 0x85ebca6b)) >>> 1;
    return tf.dropout(x, this.rate, undefined, stepSeed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(StepDropout);
