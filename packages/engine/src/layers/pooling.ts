/**
 * Pooling over time that honours padding: attention pooling (paper eq. 10-11), masked max pooling and
 * piecewise (PCNN) max pooling. Every op used has a gradient that runs on wasm (no gather, no segment ops).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import {
  InitializerSpec,
  checkSeed,
  resolveInitializer,
  serializeInitializer,
  weightInitializer,
} from './initializers';

/**
 * Where the tanh of attention (paper eq. 10) sits. `'tanh-features'`: `a_i = softmax(w · tanh(H_i) + b)` (Zhou et
 * al. 2016, the usual reading, and the default). `'tanh-score'`: `a_i = softmax(tanh(w · H_i + b))`, eq. 10 as
 * printed in the paper; the scores are bounded to (−1, 1), so no step gets more than e² times another's weight.
 */
export const ATTENTION_FORMS = ['tanh-features', 'tanh-score'] as const;

/** One of `ATTENTION_FORMS`. */
export type AttentionForm = (typeof ATTENTION_FORMS)[number];

type AddWeightInitializer = Parameters<tfl.layers.Layer['addWeight']>[3];

/**
 * Added to scores at padded steps. Large enough that exp() underflows to exactly 0 after the max shift, small
 * enough to stay finite in float32 when added to real scores.
 */
const MASKED_SCORE = -1e9;

function pairOf(inputs: tf.Tensor | tf.Tensor[], layer: string, second: string): [tf.Tensor3D, tf.Tensor2D] {
  if (!Array.isArray(inputs) || inputs.length !== 2) {
    throw new ShapeError(layer, `${layer} takes [H (batch, length, dim), ${second} (batch, length)]`);
  }
  const [h, m] = inputs;
  if (h.rank !== 3 || m.rank !== 2 || m.shape[0] !== h.shape[0] || m.shape[1] !== h.shape[1]) {
    throw new ShapeError(
      layer,
      `${layer} needs H (batch, length, dim) and ${second} (batch, length), got [${h.shape.join(', ')}] and [${m.shape.join(', ')}]`,
    );
  }
  return [h as tf.Tensor3D, m as tf.Tensor2D];
}

function shapePairOf(inputShape: tfl.Shape | tfl.Shape[], layer: string, second: string): [tfl.Shape, tfl.Shape] {
  if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) {
    throw new ShapeError(layer, `${layer} takes [H (batch, length, dim), ${second} (batch, length)]`);
  }
  const [h, m] = inputShape as tfl.Shape[];
  if (h.length !== 3 || m.length !== 2) {
    throw new ShapeError(
      layer,
      `${layer} needs H (batch, length, dim) and ${second} (batch, length), got [${h.map(String).join(', ')}] and [${m.map(String).join(', ')}]`,
    );
  }
  return [h, m];
}

/**
 * Masked softmax over time: `scores (batch, length)`, `mask (batch, length)` → weights `(batch, length)`
 * summing to 1 over unpadded steps, exactly 0 at padded steps; an all-padding row gets all zeros.
 */
export function maskedSoftmax(scores: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const shifted = tf.add(scores, tf.mul(tf.sub(1, mask), MASKED_SCORE));
    return tf.mul(tf.softmax(shifted), mask);
  });
}

/** `h (B, T, D)` with `MASKED_SCORE` added at padded steps. */
function shiftPadding(h: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return tf.add(h, tf.mul(tf.sub(1, tf.expandDims(mask, 2)), MASKED_SCORE));
}

/**
 * The masked max with its own gradient: tfjs' `Max` gradient compares the input with the broadcast maximum, and
 * wasm runs a broadcasting `Equal` element by element (100 ms at (64, 100, 128)); here the maximum is broadcast by
 * an XNNPACK add first, so the comparison is same-shape (4 ms).
 */
const maskedMaxOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [h, mask, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.GradSaveFunc];
  const max = tf.max(shiftPadding(h, mask), 1);
  // (batch, 1): 1 when the row has any unpadded step; zeroes the -1e9 of empty rows.
  const any = tf.max(mask, 1, true);
  save([h, mask, max, any]);
  return {
    value: tf.mul(max, any),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [hs, ms, maxs, anys] = saved;
        const shifted = shiftPadding(hs, ms);
        const hits = tf.cast(tf.equal(shifted, tf.add(tf.zerosLike(shifted), tf.expandDims(maxs, 1))), 'float32');
        return [tf.mul(hits, tf.expandDims(tf.mul(dy as tf.Tensor, anys), 1)), tf.zerosLike(ms)];
      }),
  };
});

/**
 * Max over unpadded steps: `h (batch, length, dim)`, `mask (batch, length)` → `(batch, dim)`; a row with no
 * unpadded step gives zeros. The gradient reaches only the arg-max steps (ties share it, as in `tf.max`).
 */
export function maskedMax(h: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => maskedMaxOp(h, mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32')) as tf.Tensor2D);
}

/** Arguments of `AttentionPooling`. */
export interface AttentionPoolingArgs {
  /** Initializer of the score vector w. Default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Where the tanh sits (see `ATTENTION_FORMS`). Default 'tanh-features'. */
  form?: AttentionForm;
  /** Seeds the kernel initializer (through `deriveSeed`). Default: unseeded. */
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/**
 * Attention pooling (paper eq. 10-11): inputs `[H (batch, length, dim), mask (batch, length) float 1/0]` →
 * `S (batch, dim)` with `a_i = softmax_i(w · tanh(H_i) + b)` (form 'tanh-features', the default) or
 * `softmax_i(tanh(w · H_i + b))` (form 'tanh-score', eq. 10 as printed) over unpadded steps only (padded steps
 * get weight 0 and receive no gradient) and `S = Σ_i a_i H_i`. Weights: `kernel` w `(dim, 1)`, `bias` b `(1)`;
 * in the default form b shifts every score equally, so softmax ignores it (its gradient is 0).
 * The scores are one `(batch·length, dim) · (dim, 1)` matMul; `attentionWeights([H, mask])` returns a itself.
 *
 * @example
 * const s = new AttentionPooling().apply([h, mask]) as tfl.SymbolicTensor; // (batch, dim)
 */
export class AttentionPooling extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrAttentionPooling';
  private readonly kernelInitializerSpec: InitializerSpec;
  /** Where the tanh sits. */
  readonly form: AttentionForm;
  /** Seed of the kernel initializer, if any. */
  readonly seed?: number;
  private kernel?: tfl.LayerVariable;
  private bias?: tfl.LayerVariable;

  constructor(args: AttentionPoolingArgs = {}) {
    super({ name: args.name, trainable: args.trainable });
    this.kernelInitializerSpec = args.kernelInitializer ?? 'glorotUniform';
    resolveInitializer(this.kernelInitializerSpec, 'kernelInitializer');
    this.seed = checkSeed(args.seed);
    this.form = args.form ?? 'tanh-features';
    if (!(ATTENTION_FORMS as readonly string[]).includes(this.form))
      throw new ConfigError(
        'form',
        `AttentionPooling form must be one of ${ATTENTION_FORMS.join(', ')} (got ${String(this.form)})`,
      );
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [h] = shapePairOf(inputShape, 'AttentionPooling', 'mask');
    const dim = h[2];
    if (dim === null) throw new ShapeError('AttentionPooling', 'AttentionPooling needs a known H dim');
    const init = weightInitializer(
      this.kernelInitializerSpec,
      'kernelInitializer',
      this.seed,
      0,
    ) as unknown as AddWeightInitializer;
    this.kernel = this.addWeight('kernel', [dim, 1], 'float32', init);
    this.bias = this.addWeight('bias', [1], 'float32', tfl.initializers.zeros() as AddWeightInitializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [h] = shapePairOf(inputShape, 'AttentionPooling', 'mask');
    return [h[0], h[2]];
  }

  /** The attention weights a: `[H (batch, length, dim), mask (batch, length)]` → `(batch, length)`. */
  attentionWeights(inputs: tf.Tensor[]): tf.Tensor2D {
    return tf.tidy(() => {
      const [h, mask] = pairOf(inputs, 'AttentionPooling', 'mask');
      const [batch, length, dim] = h.shape;
      const features = this.form === 'tanh-features' ? tf.tanh(h) : h;
      const scores = tf.matMul(tf.reshape(features, [batch * length, dim]), this.kernel!.read() as tf.Tensor2D);
      const withBias = tf.add(tf.reshape(scores, [batch, length]), this.bias!.read()) as tf.Tensor2D;
      return maskedSoftmax(this.form === 'tanh-features' ? withBias : tf.tanh(withBias), mask);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [h, mask] = pairOf(inputs, 'AttentionPooling', 'mask');
      const a = this.attentionWeights([h, mask]);
      return tf.sum(tf.mul(h, tf.expandDims(a, 2)), 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    // `form` only when not the default, so that models saved before it existed keep the same config.
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      kernelInitializer: serializeInitializer(this.kernelInitializerSpec),
    };
    if (this.form !== 'tanh-features') config.form = this.form;
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(AttentionPooling);

/**
 * Max over unpadded steps: inputs `[H (batch, length, dim), mask (batch, length) float 1/0]` → `(batch, dim)`;
 * a row with no unpadded step gives zeros. No weights.
 *
 * @example
 * const s = new MaskedMaxPooling().apply([h, mask]) as tfl.SymbolicTensor; // (batch, dim)
 */
export class MaskedMaxPooling extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrMaskedMaxPooling';

  constructor(args: { name?: string; trainable?: boolean } = {}) {
    super({ name: args.name, trainable: args.trainable });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [h] = shapePairOf(inputShape, 'MaskedMaxPooling', 'mask');
    return [h[0], h[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [h, mask] = pairOf(inputs, 'MaskedMaxPooling', 'mask');
    return maskedMax(h, mask);
  }
}
tf.serialization.registerClass(MaskedMaxPooling);

/** Number of pieces of `PiecewiseMaxPooling`: before the first entity, between, after the second. */
export const PIECES = 3;

/**
 * Piecewise max pooling (PCNN): inputs `[H (batch, length, dim), segments (batch, length)]`, segments a float
 * 1, 2 or 3 per step (the piece: up to the first entity, up to the second, the rest) and 0 at padding →
 * `(batch, 3·dim)`, laid out `[max of piece 1 | piece 2 | piece 3]`; an empty piece gives zeros. No weights.
 *
 * @example
 * const s = new PiecewiseMaxPooling().apply([h, segments]) as tfl.SymbolicTensor; // (batch, 3·dim)
 */
export class PiecewiseMaxPooling extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrPiecewiseMaxPooling';

  constructor(args: { name?: string; trainable?: boolean } = {}) {
    super({ name: args.name, trainable: args.trainable });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [h] = shapePairOf(inputShape, 'PiecewiseMaxPooling', 'segments');
    return [h[0], h[2] === null ? null : PIECES * h[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [h, segments] = pairOf(inputs, 'PiecewiseMaxPooling', 'segments');
      const pieces: tf.Tensor2D[] = [];
      for (let piece = 1; piece <= PIECES; piece++) {
        const inPiece = tf.cast(tf.equal(segments, piece), 'float32') as tf.Tensor2D;
        pieces.push(maskedMax(h, inPiece));
      }
      return tf.concat(pieces, 1);
    });
  }
}
tf.serialization.registerClass(PiecewiseMaxPooling);
