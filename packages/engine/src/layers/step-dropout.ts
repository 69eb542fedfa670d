import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Kwargs = { [key: string]: unknown };

/** Arguments of `StepDropout`. */
export interface StepDropoutArgs {
  rate: number;
  /** Base seed; the mask of each training step derives from (seed, step). */
  seed: number;
  name?: string;
}

/**
 * Inverted dropout whose mask is a pure function of (seed, training step): `(batch, dim)` → `(batch, dim)`
 * (any shape in, the same shape out). tfjs' own Dropout draws either from Math.random (not reproducible) or from
 * one fixed seed (the same mask every step); a step-indexed seed gives fresh masks that a resumed run reproduces
 * exactly. Set `step` before each training step; at inference (`training` not true) it is the identity.
 *
 * @example
 * const drop = new StepDropout({ rate: 0.5, seed: 1 });
 * const y = drop.apply(sentence) as tfl.SymbolicTensor; // (batch, dim)
 * drop.step = 12; // before training step 12
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
