/**
 * 1-D convolutions as im2col + one rank-2 matMul, so that forward and backward passes are plain matMuls
 * (XNNPACK on wasm) and no kernel that wasm lacks (`Conv2DBackpropFilter`) is needed.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '../backend';
import { ConfigError } from '../config';
import { InitializerSpec, resolveInitializer, serializeInitializer } from './recurrent-init';

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
    const padded = tf.pad(x, [[0, 0], [half, half], [0, 0]]);
    const shifted: tf.Tensor3D[] = [];
    for (let j = 0; j < window; j++) shifted.push(tf.slice(padded, [0, j, 0], [batch, length, channels]));
    return tf.concat(shifted, 2);
  });
}

/** `x (batch, length, channels)` · `kernel (window, channels, filters)` as im2col + one matMul, no custom gradient. */
function im2colProduct(x: tf.Tensor3D, kernel: tf.Tensor3D): { columns: tf.Tensor2D; out: tf.Tensor3D } {
  const [batch, length, channels] = x.shape;
  const [window, , filters] = kernel.shape;
  const columns = tf.reshape(im2col1d(x, window), [batch * length, window * channels]) as tf.Tensor2D;
  const out = tf.reshape(tf.matMul(columns, tf.reshape(kernel, [window * channels, filters])), [batch, length, filters]) as tf.Tensor3D;
  return { columns, out };
}

/**
 * The convolution with a hand-written gradient: `dkernel = columnsᵀ · dy` (one matMul, columns kept from the
 * forward pass) and `dx = conv(dy, kernel')` with `kernel'[j, f, c] = kernel[window-1-j, c, f]` — the transposed
 * convolution is again im2col + one matMul, about twice as fast on wasm as differentiating the im2col slices.
 */
const convolve = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, kernel, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  const { columns, out } = im2colProduct(x, kernel);
  save([kernel, columns]);
  return {
    value: out,
    gradFunc: (dyOut: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const dy = dyOut as tf.Tensor3D;
      const [k, cols] = saved as [tf.Tensor3D, tf.Tensor2D];
      const [window, channels, filters] = k.shape;
      const dyRows = tf.reshape(dy, [cols.shape[0], filters]);
      const dKernel = tf.reshape(tf.matMul(tf.transpose(cols), dyRows), [window, channels, filters]);
      const flipped = tf.transpose(tf.reverse(k, 0), [0, 2, 1]) as tf.Tensor3D;
      const dx = im2colProduct(dy, flipped).out;
      return [dx, dKernel];
    },
  };
});

/**
 * "Same" 1-D cross-correlation with stride 1, equal to `tf.conv1d(x, kernel, 1, 'same')` for odd windows:
 * `x (batch, length, channels)`, `kernel (window, channels, filters)`, `bias (filters)` → `(batch, length, filters)`,
 * computed as `(batch·length, window·channels) · (window·channels, filters)`; the backward pass is two plain
 * matMuls and one more im2col (see `convolve`).
 */
export function conv1dSame(x: tf.Tensor3D, kernel: tf.Tensor3D, bias?: tf.Tensor1D): tf.Tensor3D {
  return tf.tidy(() => {
    const channels = x.shape[2];
    const kernelChannels = kernel.shape[1];
    if (kernelChannels !== channels) {
      throw new ConfigError('kernel', `expects ${kernelChannels} input channels, x has ${channels}`);
    }
    const out = convolve(x, kernel) as tf.Tensor3D;
    return bias === undefined ? out : (tf.add(out, bias) as tf.Tensor3D);
  });
}

function checkWindow(kernelSize: unknown): number {
  if (!Number.isInteger(kernelSize) || (kernelSize as number) < 1 || (kernelSize as number) % 2 === 0) {
    throw new ConfigError('kernelSize', `must be an odd positive integer (3, 5, 7, ...), got ${JSON.stringify(kernelSize)}`);
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

/** `x (batch, length, dim)` times `mask (batch, length)`: zero at padded steps. */
function applyMask(x: tf.Tensor3D, mask: tf.Tensor2D | undefined): tf.Tensor3D {
  return mask === undefined ? x : tf.mul(x, tf.expandDims(mask, 2));
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
  private readonly kernelInitializerSpec: InitializerSpec;
  private kernel?: tfl.LayerVariable;
  private bias?: tfl.LayerVariable;

  constructor(args: Conv1DSameArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.filters = checkFilters(args.filters);
    this.kernelSize = checkWindow(args.kernelSize);
    this.activation = checkActivation(args.activation ?? 'relu');
    this.useBias = args.useBias ?? true;
    this.kernelInitializerSpec = args.kernelInitializer ?? 'glorotUniform';
    resolveInitializer(this.kernelInitializerSpec, 'kernelInitializer');
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const xShape = xShapeOf(inputShape);
    const channels = xShape[xShape.length - 1];
    if (xShape.length !== 3 || channels === null) {
      throw new ConfigError('inputShape', `Conv1DSame needs x of shape (batch, length, channels), got [${xShape.map(String).join(', ')}]`);
    }
    const init = resolveInitializer(this.kernelInitializerSpec, 'kernelInitializer') as unknown as AddWeightInitializer;
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
    return tf.tidy(() => {
      const { x, mask } = splitInputs(inputs);
      const y = conv1dSame(applyMask(x, mask), this.kernel!.read() as tf.Tensor3D, this.bias?.read() as tf.Tensor1D | undefined);
      return applyMask(this.activation === 'relu' ? tf.relu(y) : y, mask);
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
  private readonly kernelInitializerSpec: InitializerSpec;
  private weightsOf: tfl.LayerVariable[] = [];

  constructor(args: ResidualBlock1DArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.filters = checkFilters(args.filters);
    this.kernelSize = checkWindow(args.kernelSize);
    this.kernelInitializerSpec = args.kernelInitializer ?? 'heNormal';
    resolveInitializer(this.kernelInitializerSpec, 'kernelInitializer');
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const xShape = xShapeOf(inputShape);
    const channels = xShape[xShape.length - 1];
    if (xShape.length !== 3 || channels !== this.filters) {
      throw new ConfigError(
        'filters',
        `ResidualBlock1D has an identity shortcut: input must be (batch, length, ${this.filters}), got [${xShape.map(String).join(', ')}]`,
      );
    }
    const init = () => resolveInitializer(this.kernelInitializerSpec, 'kernelInitializer') as unknown as AddWeightInitializer;
    const zeros = () => tfl.initializers.zeros() as AddWeightInitializer;
    const k = this.kernelSize;
    const f = this.filters;
    this.weightsOf = [
      this.addWeight('kernel1', [k, f, f], 'float32', init()),
      this.addWeight('bias1', [f], 'float32', zeros()),
      this.addWeight('kernel2', [k, f, f], 'float32', init()),
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
      const [k1, b1, k2, b2] = this.weightsOf.map((w) => w.read());
      const c = applyMask(x, mask);
      const first = applyMask(tf.relu(conv1dSame(c, k1 as tf.Tensor3D, b1 as tf.Tensor1D)), mask);
      const second = conv1dSame(first, k2 as tf.Tensor3D, b2 as tf.Tensor1D);
      return applyMask(tf.relu(tf.add(second, c)) as tf.Tensor3D, mask);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      kernelInitializer: serializeInitializer(this.kernelInitializerSpec),
    };
  }
}
tf.serialization.registerClass(ResidualBlock1D);
