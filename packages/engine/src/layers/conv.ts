/**
 * 1-D convolutions as im2col + one rank-2 matMul, so that forward and backward passes are plain matMuls
 * (XNNPACK on wasm) and no kernel that wasm lacks (`Conv2DBackpropFilter`) is needed.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { im2colRows } from '../backend/im2col';
import { ConfigError, ShapeError } from '../errors';
import {
  InitializerSpec,
  checkSeed,
  resolveInitializer,
  serializeInitializer,
  weightInitializer,
} from './initializers';

/** The activations the convolution layers offer. */
export type ConvActivation = 'relu' | 'linear';

type AddWeightInitializer = Parameters<tfl.layers.Layer['addWeight']>[3];

/**
 * `x (batch, length, channels)` → `(batch, length, window·channels)`: row t holds x[t-p .. t+p] (p = (window-1)/2),
 * zeros beyond either end. Built from one pad and `window` slices, whose gradients are slices and pads.
 */
export function im2col1d(x: tf.Tensor3D, window: number): tf.Tensor3D {
  return tf.tidy(() => {
    if (window === 1) return x.clone();
    const [batch, length, channels] = x.shape;
    const half = (window - 1) / 2;
    const padded = tf.pad(x, [
      [0, 0],
      [half, half],
      [0, 0],
    ]);
    const shifted: tf.Tensor3D[] = [];
    for (let j = 0; j < window; j++) shifted.push(tf.slice(padded, [0, j, 0], [batch, length, channels]));
    return tf.concat(shifted, 2);
  });
}

/** Which optional parts a fused convolution has. */
interface ConvParts {
  mask: boolean;
  bias: boolean;
  residual: boolean;
  relu: boolean;
}

/**
 * The fused "same" convolution `y = m ⊙ act(im2col(m ⊙ x) · K + b + r)` as one custom-gradient op (inputs in
 * order: x, mask?, kernel, bias?, residual?): `x (B, T, C)`, `mask (B, T)` 0/1, `kernel (k, C, F)`, `bias (F)`,
 * `residual (B, T, F)`, act relu or identity. Forward: one patch matrix `(B·T, k·C [+1])` (with a ones column
 * when there is a bias, so the bias rides in the same product) and one matMul. Backward:
 * `dz = dy ⊙ [y > 0]` (relu; with a 0/1 mask that also zeroes padded steps) or `dy ⊙ m`;
 * `[dK; db] = patchesᵀ · dz` (the patch matrix is rebuilt from x rather than kept from the forward pass);
 * `dx = m ⊙ (im2col(dz) · K')` with `K'[j, f, c] = K[k−1−j, c, f]`; `dresidual = dz`. Everything the backward pass
 * makes is freed when it returns; between the passes only x, the kernel, the mask and y are kept.
 */
function fusedConv(parts: ConvParts) {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    let i = 0;
    const x = inputs[i++] as tf.Tensor3D;
    const mask = parts.mask ? (inputs[i++] as tf.Tensor2D) : undefined;
    const kernel = inputs[i++] as tf.Tensor3D;
    const bias = parts.bias ? inputs[i++] : undefined;
    const residual = parts.residual ? inputs[i++] : undefined;
    const [batch, length, channels] = x.shape;
    const [window, , filters] = kernel.shape;
    const rows = batch * length;
    const patches = im2colRows(x, window, mask, parts.bias); // (B·T, k·C [+1])
    const kernel2d = tf.reshape(kernel, [window * channels, filters]);
    const weights = bias === undefined ? kernel2d : tf.concat([kernel2d, tf.reshape(bias, [1, filters])], 0);
    let z = tf.matMul(patches, weights); // (B·T, F)
    if (residual !== undefined) z = tf.add(z, tf.reshape(residual, [rows, filters]));
    let y = parts.relu ? tf.relu(z) : z;
    if (mask !== undefined) y = tf.mul(y, tf.reshape(mask, [rows, 1]));
    const value = tf.reshape(y, [batch, length, filters]) as tf.Tensor3D;
    save([x, kernel, value, ...(mask === undefined ? [] : [mask])]);
    return {
      value,
      gradFunc: (dyOut: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, k, ys] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor];
          const m = parts.mask ? (saved[3] as tf.Tensor2D) : undefined;
          let dz = tf.reshape(dyOut as tf.Tensor, [rows, filters]);
          if (parts.relu) dz = tf.mul(dz, tf.step(tf.reshape(ys, [rows, filters])));
          else if (m !== undefined) dz = tf.mul(dz, tf.reshape(m, [rows, 1]));
          // patchesᵀ · dz rather than (dzᵀ · patches)ᵀ: XNNPACK packs the right operand on every call with a new
          // tensor (~9 ns per element), and dz (B·T, F) is the smaller of the two (wasm: 29 vs 47 ms at 6400×385).
          const rebuilt = im2colRows(xs, window, m, parts.bias);
          const dWeights = tf.matMul(tf.transpose(rebuilt), dz); // (k·C [+1], F)
          const grads: tf.Tensor[] = [];
          const flipped = tf.reshape(tf.transpose(tf.reverse(k, 0), [0, 2, 1]), [window * filters, channels]);
          let dx = tf.matMul(im2colRows(tf.reshape(dz, [batch, length, filters]) as tf.Tensor3D, window), flipped);
          if (m !== undefined) dx = tf.mul(dx, tf.reshape(m, [rows, 1]));
          grads.push(tf.reshape(dx, [batch, length, channels]));
          if (m !== undefined) grads.push(tf.zerosLike(m));
          grads.push(tf.reshape(tf.slice(dWeights, [0, 0], [window * channels, filters]), [window, channels, filters]));
          if (parts.bias) grads.push(tf.reshape(tf.slice(dWeights, [window * channels, 0], [1, filters]), [filters]));
          if (parts.residual) grads.push(tf.reshape(dz, [batch, length, filters]));
          return grads;
        }),
    };
  });
}

const fusedConvs = new Map<string, ReturnType<typeof fusedConv>>();

/** The fused convolution (see `fusedConv`) for `parts`, made once per combination. */
function convOp(parts: ConvParts): ReturnType<typeof fusedConv> {
  const key = `${+parts.mask}${+parts.bias}${+parts.residual}${+parts.relu}`;
  let op = fusedConvs.get(key);
  if (op === undefined) {
    op = fusedConv(parts);
    fusedConvs.set(key, op);
  }
  return op;
}

/**
 * `m ⊙ act(conv(m ⊙ x) + b + r)` for the layers: `x (B, T, C)`, optional `mask (B, T)` (0/1), `bias (F)`,
 * `residual (B, T, F)` → `(B, T, F)`, as one fused op (see `fusedConv`).
 */
function convLayer(
  x: tf.Tensor3D,
  kernel: tf.Tensor3D,
  options: { mask?: tf.Tensor2D; bias?: tf.Tensor1D; residual?: tf.Tensor3D; relu: boolean },
): tf.Tensor3D {
  const channels = x.shape[2];
  const kernelChannels = kernel.shape[1];
  if (x.rank !== 3)
    throw new ShapeError('conv1dSame', `x must be (batch, length, channels), got [${x.shape.join(', ')}]`);
  if (kernelChannels !== channels) {
    throw new ShapeError('conv1dSame', `kernel expects ${kernelChannels} input channels, x has ${channels}`);
  }
  const parts: ConvParts = {
    mask: options.mask !== undefined,
    bias: options.bias !== undefined,
    residual: options.residual !== undefined,
    relu: options.relu,
  };
  const all: Array<tf.Tensor | undefined> = [x, options.mask, kernel, options.bias, options.residual];
  const inputs = all.filter((t): t is tf.Tensor => t !== undefined);
  return convOp(parts)(...inputs) as tf.Tensor3D;
}

/**
 * "Same" 1-D cross-correlation with stride 1, equal to `tf.conv1d(x, kernel, 1, 'same')` for odd windows:
 * `x (batch, length, channels)`, `kernel (window, channels, filters)`, `bias (filters)` → `(batch, length, filters)`,
 * computed as `(batch·length, window·channels [+1]) · (window·channels [+1], filters)`; the backward pass is two
 * plain matMuls and two more patch matrices (see `fusedConv`).
 */
export function conv1dSame(x: tf.Tensor3D, kernel: tf.Tensor3D, bias?: tf.Tensor1D): tf.Tensor3D {
  return convLayer(x, kernel, { bias, relu: false });
}

function checkWindow(kernelSize: unknown): number {
  if (!Number.isInteger(kernelSize) || (kernelSize as number) < 1 || (kernelSize as number) % 2 === 0) {
    throw new ConfigError(
      'kernelSize',
      `must be an odd positive integer (3, 5, 7, ...), got ${JSON.stringify(kernelSize)}`,
    );
  }
  return kernelSize as number;
}

function checkFilters(filters: unknown): number {
  if (!Number.isInteger(filters) || (filters as number) < 1) {
    throw new ConfigError('filters', `must be a positive integer, got ${JSON.stringify(filters)}`);
  }
  return filters as number;
}

function checkActivation(activation: unknown): ConvActivation {
  if (activation !== 'relu' && activation !== 'linear') {
    throw new ConfigError('activation', `must be "relu" or "linear", got ${JSON.stringify(activation)}`);
  }
  return activation;
}

/** `x` alone, or `x` and its mask when the layer is applied to `[x, mask]`. */
function splitInputs(inputs: tf.Tensor | tf.Tensor[]): { x: tf.Tensor3D; mask?: tf.Tensor2D } {
  if (!Array.isArray(inputs)) return { x: inputs as tf.Tensor3D };
  return { x: inputs[0] as tf.Tensor3D, mask: inputs[1] as tf.Tensor2D | undefined };
}

function xShapeOf(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  return Array.isArray(inputShape[0]) ? (inputShape as tfl.Shape[])[0] : (inputShape as tfl.Shape);
}

/** The mask as float32 (it may arrive as int32 or bool). */
function floatMask(mask: tf.Tensor2D | undefined): tf.Tensor2D | undefined {
  return mask === undefined || mask.dtype === 'float32' ? mask : (tf.cast(mask, 'float32') as tf.Tensor2D);
}

/** Arguments of `Conv1DSame`. */
export interface Conv1DSameArgs {
  filters: number;
  /** Odd window (3, 5, 7, ...). */
  kernelSize: number;
  /** Default 'relu'. */
  activation?: ConvActivation;
  /** Default true. */
  useBias?: boolean;
  /** Kernel initializer: a tfjs name such as 'glorotUniform' or 'heNormal', `{className, config}`, or an instance. Default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Seeds the kernel initializer (through `deriveSeed`), so the same seed builds the same kernel. Default: unseeded. */
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/**
 * 1-D convolution with "same" padding and stride 1 (paper eq. 2): `x (batch, length, channels)` →
 * `(batch, length, filters)`, as im2col + one rank-2 matMul. Weights: `kernel (kernelSize, channels, filters)`
 * (the layout of `tf.conv1d` and tfjs' Conv1D), `bias (filters)`.
 *
 * Optional mask: applied to `[x, mask (batch, length) float 1/0]`, padded steps of `x` are zeroed before the
 * convolution and of the output after it, so a padded row gives exactly what the unpadded sentence would
 * (the window sees zeros past the sentence end, as at the start).
 *
 * @example
 * const x = tfl.input({ shape: [100, 350] });
 * const h = new Conv1DSame({ filters: 128, kernelSize: 3 }).apply(x) as tfl.SymbolicTensor; // (batch, 100, 128)
 */
export class Conv1DSame extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrConv1DSame';
  readonly filters: number;
  readonly kernelSize: number;
  readonly activation: ConvActivation;
  readonly useBias: boolean;
  /** Seed of the kernel initializer, if any. */
  readonly seed?: number;
  private readonly kernelInitializerSpec: InitializerSpec;
  private kernel?: tfl.LayerVariable;
  private bias?: tfl.LayerVariable;

  constructor(args: Conv1DSameArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.filters = checkFilters(args.filters);
    this.kernelSize = checkWindow(args.kernelSize);
    this.activation = checkActivation(args.activation ?? 'relu');
    this.useBias = args.useBias ?? true;
    this.seed = checkSeed(args.seed);
    this.kernelInitializerSpec = args.kernelInitializer ?? 'glorotUniform';
    resolveInitializer(this.kernelInitializerSpec, 'kernelInitializer');
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const xShape = xShapeOf(inputShape);
    const channels = xShape[xShape.length - 1];
    if (xShape.length !== 3 || channels === null) {
      throw new ShapeError(
        'Conv1DSame',
        `needs x of shape (batch, length, channels) with known channels, got [${xShape.map(String).join(', ')}]`,
      );
    }
    const init = weightInitializer(
      this.kernelInitializerSpec,
      'kernelInitializer',
      this.seed,
      0,
    ) as unknown as AddWeightInitializer;
    this.kernel = this.addWeight('kernel', [this.kernelSize, channels, this.filters], 'float32', init);
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros() as AddWeightInitializer);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const xShape = xShapeOf(inputShape);
    return [xShape[0], xShape[1], this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const { x, mask } = splitInputs(inputs);
    return convLayer(x, this.kernel!.read() as tf.Tensor3D, {
      mask: floatMask(mask),
      bias: this.bias?.read() as tf.Tensor1D | undefined,
      relu: this.activation === 'relu',
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializerSpec),
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
tf.serialization.registerClass(Conv1DSame);

/** Arguments of `ResidualBlock1D`. */
export interface ResidualBlock1DArgs {
  /** Output channels; must equal the input channels (identity shortcut). */
  filters: number;
  /** Odd window of both convolutions. */
  kernelSize: number;
  /** Kernel initializer of both convolutions. Default 'heNormal' (ReLU network). */
  kernelInitializer?: InitializerSpec;
  /** Seeds both kernels' initializers (each its own `deriveSeed` stream). Default: unseeded. */
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/**
 * Residual convolution block (paper eq. 3-5, Figure 3): `relu(c + conv₂(relu(conv₁(c))))`,
 * `c (batch, length, filters)` → `(batch, length, filters)`, both convolutions "same" with bias. The shortcut is
 * the identity h(c) = c, so the input must have exactly `filters` channels (put a `Conv1DSame` in front to
 * change width). Following ResNet, ReLU g is applied after the sum; eq. 4's f on conv₂ is taken to be that g.
 *
 * Optional mask as in `Conv1DSame`: `[c, mask]` zeroes padded steps before each convolution and in the output.
 * Weights: `kernel1`, `bias1`, `kernel2`, `bias2` (kernels `(kernelSize, filters, filters)`).
 *
 * @example
 * const h = new ResidualBlock1D({ filters: 128, kernelSize: 3 }).apply(conv) as tfl.SymbolicTensor;
 */
export class ResidualBlock1D extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrResidualBlock1D';
  readonly filters: number;
  readonly kernelSize: number;
  /** Seed of the kernel initializers, if any. */
  readonly seed?: number;
  private readonly kernelInitializerSpec: InitializerSpec;
  private weightsOf: tfl.LayerVariable[] = [];

  constructor(args: ResidualBlock1DArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.filters = checkFilters(args.filters);
    this.kernelSize = checkWindow(args.kernelSize);
    this.seed = checkSeed(args.seed);
    this.kernelInitializerSpec = args.kernelInitializer ?? 'heNormal';
    resolveInitializer(this.kernelInitializerSpec, 'kernelInitializer');
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const xShape = xShapeOf(inputShape);
    const channels = xShape[xShape.length - 1];
    if (xShape.length !== 3 || channels !== this.filters) {
      throw new ShapeError(
        'ResidualBlock1D',
        `has an identity shortcut: input must be (batch, length, ${this.filters}), got [${xShape.map(String).join(', ')}]`,
      );
    }
    const init = (index: number) =>
      weightInitializer(
        this.kernelInitializerSpec,
        'kernelInitializer',
        this.seed,
        index,
      ) as unknown as AddWeightInitializer;
    const zeros = () => tfl.initializers.zeros() as AddWeightInitializer;
    const k = this.kernelSize;
    const f = this.filters;
    this.weightsOf = [
      this.addWeight('kernel1', [k, f, f], 'float32', init(0)),
      this.addWeight('bias1', [f], 'float32', zeros()),
      this.addWeight('kernel2', [k, f, f], 'float32', init(1)),
      this.addWeight('bias2', [f], 'float32', zeros()),
    ];
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return xShapeOf(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const { x, mask } = splitInputs(inputs);
      const m = floatMask(mask);
      const [k1, b1, k2, b2] = this.weightsOf.map((w) => w.read());
      const first = convLayer(x, k1 as tf.Tensor3D, { mask: m, bias: b1 as tf.Tensor1D, relu: true });
      // relu(c + conv₂(first)) with c = m ⊙ x: where m = 0 the output is 0 anyway, so x itself can be the residual.
      return convLayer(first, k2 as tf.Tensor3D, { mask: m, bias: b2 as tf.Tensor1D, residual: x, relu: true });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      kernelInitializer: serializeInitializer(this.kernelInitializerSpec),
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
tf.serialization.registerClass(ResidualBlock1D);
