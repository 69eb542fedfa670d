import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { CellKind, DirectionWeights, gateCount, recurrentSequence, RnnImplementation } from './recurrent-kernels';
import {
  BLOCK_ORTHOGONAL,
  InitializerSpec,
  checkSeed,
  resolveInitializer,
  serializeInitializer,
  weightInitializer,
  WeightInitializer,
} from './initializers';

/** Arguments of `FastRNN`. */
export interface FastRNNArgs {
  /** `'gru'` (tfjs-layers GRUCell equations, resetAfter=false) or `'lstm'`; gates use the logistic sigmoid. */
  cell: CellKind;
  /** State size U of each direction. */
  units: number;
  /** Run a second, backward direction and concatenate: output width 2U. Default true. */
  bidirectional?: boolean;
  /** Output every step `(batch, length, width)` (default) or only the last real state `(batch, width)`. */
  returnSequences?: boolean;
  /** `'bptt'` (default): hand-written backward pass, batched weight gradients; `'autodiff'`: tfjs' tape. */
  implementation?: RnnImplementation;
  /** Input kernels `(dim, gates × U)`. Default `'glorotUniform'`. */
  kernelInitializer?: InitializerSpec;
  /** Recurrent kernels `(U, gates × U)`. Default `'blockOrthogonal'` (one orthogonal block per gate). */
  recurrentInitializer?: InitializerSpec;
  /** Seeds every kernel's initializer (each its own `deriveSeed` stream). Default: unseeded. */
  seed?: number;
  name?: string;
  trainable?: boolean;
}

type Kwargs = { [key: string]: unknown };
type AddWeightInitializer = Parameters<tfl.layers.Layer['addWeight']>[3];

/** Zero biases, except 1 for the LSTM forget gate (tfjs-layers' `unitForgetBias` default). */
class RecurrentBiasInit implements WeightInitializer {
  constructor(
    private readonly cell: CellKind,
    private readonly units: number,
  ) {}

  apply(shape: number[]): tf.Tensor {
    if (this.cell === 'gru') return tf.zeros(shape);
    const u = this.units;
    return tf.tidy(() => tf.concat([tf.zeros([u]), tf.ones([u]), tf.zeros([2 * u])]));
  }
}

/**
 * Masked (bi)directional GRU/LSTM layer built for speed on tfjs' wasm backend.
 *
 * Inputs `[x (batch, length, dim), mask (batch, length)]`, mask 1 on real steps, 0 on padding at the end
 * of each row. Output `(batch, length, U·dirs)` with zeros at padded steps, or with
 * `returnSequences: false` the last real state `(batch, U·dirs)` (`[forward | backward]`). Each row is
 * processed as if its padding were absent: padded steps output 0 and never reach a real step, and the
 * backward direction starts at the row's last real step.
 *
 * `implementation: 'bptt'` (default) trains with a hand-written backward pass whose weight gradients are
 * single matMuls over all steps; `'autodiff'` lets tfjs differentiate the step loop (same results, slower).
 *
 * Weights per direction follow tfjs-layers' GRU/LSTM layout and order (`kernel`, `recurrent_kernel`,
 * `bias`, forward then backward), so `setWeights(tfl.layers.bidirectional({layer: tfl.layers.gru(…)})
 * .getWeights())` copies a tfjs model in (use `recurrentActivation: 'sigmoid'` there).
 *
 * @example
 * const rnn = new FastRNN({ cell: 'gru', units: 64 });
 * const x = tfl.input({ shape: [100, 350] });
 * const mask = tfl.input({ shape: [100] });
 * const h = rnn.apply([x, mask]) as tfl.SymbolicTensor; // (batch, 100, 128)
 */
export class FastRNN extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrFastRNN';
  readonly cell: CellKind;
  readonly units: number;
  readonly bidirectional: boolean;
  readonly returnSequences: boolean;
  readonly implementation: RnnImplementation;
  /** Seed of the kernel initializers, if any. */
  readonly seed?: number;
  private readonly kernelInitializerSpec: InitializerSpec;
  private readonly recurrentInitializerSpec: InitializerSpec;
  private directionVariables: tfl.LayerVariable[][] = [];

  constructor(args: FastRNNArgs) {
    super({ name: args.name, trainable: args.trainable });
    if (args.cell !== 'gru' && args.cell !== 'lstm') {
      throw new ConfigError('cell', `must be "gru" or "lstm", got ${JSON.stringify(args.cell)}`);
    }
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new ConfigError('units', `must be a positive integer, got ${JSON.stringify(args.units)}`);
    }
    const implementation = args.implementation ?? 'bptt';
    if (implementation !== 'bptt' && implementation !== 'autodiff') {
      throw new ConfigError('implementation', `must be "bptt" or "autodiff", got ${JSON.stringify(implementation)}`);
    }
    this.cell = args.cell;
    this.units = args.units;
    this.bidirectional = args.bidirectional ?? true;
    this.returnSequences = args.returnSequences ?? true;
    this.implementation = implementation;
    this.seed = checkSeed(args.seed);
    this.kernelInitializerSpec = args.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializerSpec = args.recurrentInitializer ?? BLOCK_ORTHOGONAL;
    // Fail at construction, not at build, on an unknown initializer.
    resolveInitializer(this.kernelInitializerSpec, 'kernelInitializer');
    resolveInitializer(this.recurrentInitializerSpec, 'recurrentInitializer');
  }

  /** Number of directions (1 or 2). */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const xShape = Array.isArray(inputShape[0]) ? (inputShape as tfl.Shape[])[0] : (inputShape as tfl.Shape);
    const dim = xShape[xShape.length - 1];
    if (xShape.length !== 3 || dim === null) {
      throw new ShapeError(
        'FastRNN',
        `FastRNN needs x of shape (batch, length, dim) with known dim, got [${xShape.join(', ')}]`,
      );
    }
    const g = gateCount(this.cell);
    const u = this.units;
    // Weight i of the layer (kernel, recurrent kernel per direction) draws from its own seed.
    const init = (spec: InitializerSpec, key: string, index: number) =>
      weightInitializer(spec, key, this.seed, index) as unknown as AddWeightInitializer;
    const biasInit = new RecurrentBiasInit(this.cell, u) as unknown as AddWeightInitializer;
    this.directionVariables = [];
    for (let d = 0; d < this.directions; d++) {
      const prefix = d === 0 ? '' : 'backward_';
      this.directionVariables.push([
        this.addWeight(
          `${prefix}kernel`,
          [dim, g * u],
          'float32',
          init(this.kernelInitializerSpec, 'kernelInitializer', 2 * d),
        ),
        this.addWeight(
          `${prefix}recurrent_kernel`,
          [u, g * u],
          'float32',
          init(this.recurrentInitializerSpec, 'recurrentInitializer', 2 * d + 1),
        ),
        this.addWeight(`${prefix}bias`, [g * u], 'float32', biasInit),
      ]);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const xShape = Array.isArray(inputShape[0]) ? (inputShape as tfl.Shape[])[0] : (inputShape as tfl.Shape);
    const width = this.units * this.directions;
    return this.returnSequences ? [xShape[0], xShape[1], width] : [xShape[0], width];
  }

  /** The mask is consumed here, not propagated (downstream layers take it as an explicit input). */
  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }

  /** `[x (batch, length, dim), mask (batch, length)]` → `(batch, length, U·dirs)` or `(batch, U·dirs)`. */
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new ShapeError('FastRNN', 'FastRNN expects two inputs: [x (batch, length, dim), mask (batch, length)]');
    }
    const [x, mask] = inputs;
    if (x.rank !== 3 || mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1]) {
      throw new ShapeError(
        'FastRNN',
        `FastRNN: x must be (batch, length, dim) and mask (batch, length); got [${x.shape.join(', ')}] and [${mask.shape.join(', ')}]`,
      );
    }
    const weights: DirectionWeights[] = this.directionVariables.map(([k, rk, b]) => ({
      kernel: k.read() as tf.Tensor,
      recurrentKernel: rk.read() as tf.Tensor,
      bias: b.read() as tf.Tensor,
    }));
    return recurrentSequence(x as tf.Tensor, mask as tf.Tensor, weights, {
      cell: this.cell,
      units: this.units,
      returnSequences: this.returnSequences,
      implementation: this.implementation,
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      cell: this.cell,
      units: this.units,
      bidirectional: this.bidirectional,
      returnSequences: this.returnSequences,
      implementation: this.implementation,
      kernelInitializer: serializeInitializer(this.kernelInitializerSpec),
      recurrentInitializer: serializeInitializer(this.recurrentInitializerSpec),
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
tf.serialization.registerClass(FastRNN);
