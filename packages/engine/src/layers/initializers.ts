/**
 * Weight initialisers of the engine's layers: how they are named in layer arguments and saved configs
 * (`InitializerSpec`), how a name becomes an initialiser with an explicit seed (`resolveInitializer`), and
 * `BlockOrthogonal` for recurrent kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors';
import { SeededRandom, deriveSeed } from '../random';

/** Anything `Layer.addWeight` can draw initial values from (tfjs `Initializer` instances qualify). */
export interface WeightInitializer {
  apply(shape: number[], dtype?: tf.DataType): tf.Tensor;
}

/**
 * How an initializer is named in a layer's arguments and saved config: a tfjs identifier such as
 * `'glorotUniform'` or `'orthogonal'`, `'blockOrthogonal'` (this module), a serialized
 * `{ className, config }`, or a tfjs `Initializer` instance.
 */
export type InitializerSpec =
  | string
  | { className: string; config: tf.serialization.ConfigDict }
  | (WeightInitializer & { getClassName(): string; getConfig(): tf.serialization.ConfigDict });

/** Identifier of `BlockOrthogonal` in `InitializerSpec`s. */
export const BLOCK_ORTHOGONAL = 'blockOrthogonal';

/** A standard normal draw (Box-Muller) from `rng`. */
function standardNormal(rng: SeededRandom): number {
  let u = 0;
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Rows of a random `rows × cols` matrix (rows ≤ cols) made orthonormal by modified Gram-Schmidt, in
 * float64. Plain JS: U ≤ 1024 costs at most a few hundred ms once, and avoids tfjs' op-by-op QR.
 */
function orthonormalRows(rows: number, cols: number, rng: SeededRandom): Float64Array {
  const m = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (;;) {
      const off = i * cols;
      for (let j = 0; j < cols; j++) m[off + j] = standardNormal(rng);
      for (let pass = 0; pass < 2; pass++) {
        for (let k = 0; k < i; k++) {
          let dot = 0;
          for (let j = 0; j < cols; j++) dot += m[off + j] * m[k * cols + j];
          for (let j = 0; j < cols; j++) m[off + j] -= dot * m[k * cols + j];
        }
      }
      let norm = 0;
      for (let j = 0; j < cols; j++) norm += m[off + j] * m[off + j];
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let j = 0; j < cols; j++) m[off + j] /= norm;
        break;
      }
    }
  }
  return m;
}

/**
 * Recurrent-kernel initializer: a `(units, gates × units)` matrix whose `(units, units)` gate blocks are
 * each an independent random orthogonal matrix (the usual recipe for GRU/LSTM recurrent weights; tfjs'
 * own `orthogonal` makes the whole block one semi-orthogonal matrix and warns on the console above
 * 2,000 elements). Shapes whose columns are not a multiple of the rows get one semi-orthogonal matrix.
 * With a `seed` every `apply` draws the same matrix from `SeededRandom(seed)`; without one, each `apply` takes a
 * fresh seed from `Math.random()`, as tfjs' own unseeded initialisers do.
 */
export class BlockOrthogonal implements WeightInitializer {
  constructor(
    readonly gain = 1,
    readonly seed?: number,
  ) {}

  /** Name in serialized configs. */
  getClassName(): string {
    return 'BlockOrthogonal';
  }

  /** Plain-JSON config. */
  getConfig(): tf.serialization.ConfigDict {
    return this.seed === undefined ? { gain: this.gain } : { gain: this.gain, seed: this.seed };
  }

  /** `shape`: `(rows, cols)` → a `(rows, cols)` float32 tensor. @throws ShapeError for another rank. */
  apply(shape: number[]): tf.Tensor {
    if (shape.length !== 2) {
      throw new ShapeError('BlockOrthogonal', `needs a 2-D shape (rows, cols), got [${shape.join(', ')}]`);
    }
    const rng = new SeededRandom(this.seed ?? Math.floor(Math.random() * 2 ** 32));
    const [rows, cols] = shape;
    const out = new Float32Array(rows * cols);
    if (cols % rows === 0) {
      const blocks = cols / rows;
      for (let b = 0; b < blocks; b++) {
        const q = orthonormalRows(rows, rows, rng);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < rows; j++) out[i * cols + b * rows + j] = this.gain * q[i * rows + j];
        }
      }
    } else {
      const small = Math.min(rows, cols);
      const large = Math.max(rows, cols);
      const q = orthonormalRows(small, large, rng);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          out[i * cols + j] = this.gain * (rows <= cols ? q[i * cols + j] : q[j * rows + i]);
        }
      }
    }
    return tf.tensor2d(out, [rows, cols]);
  }
}

/** The JSON form of `spec` for a layer config. */
export function serializeInitializer(spec: InitializerSpec): string | tf.serialization.ConfigDict {
  if (typeof spec === 'string') return spec;
  if ('getClassName' in spec) return { className: spec.getClassName(), config: spec.getConfig() };
  return { className: spec.className, config: spec.config };
}

/**
 * Resolves an `InitializerSpec` (or its JSON form) through tfjs' serialization registry. With `seed`, a spec that
 * names no seed of its own gets that one (tfjs' random initialisers all take `seed`), so the values it draws are a
 * function of the seed; an initializer instance is used as it is. `key` names the argument in the `ConfigError`
 * thrown for an unknown initializer.
 *
 * @example
 * resolveInitializer('glorotUniform', 'kernelInitializer', 17).apply([3, 4]); // the same (3, 4) values every time
 */
export function resolveInitializer(spec: unknown, key: string, seed?: number): WeightInitializer {
  if (spec === BLOCK_ORTHOGONAL) return new BlockOrthogonal(1, seed);
  if (typeof spec === 'object' && spec !== null && typeof (spec as WeightInitializer).apply === 'function') {
    return spec as WeightInitializer;
  }
  let className: string;
  let config: tf.serialization.ConfigDict = {};
  if (typeof spec === 'string' && spec.length > 0) {
    className = spec[0].toUpperCase() + spec.slice(1);
  } else if (
    typeof spec === 'object' &&
    spec !== null &&
    typeof (spec as { className?: unknown }).className === 'string'
  ) {
    className = (spec as { className: string }).className;
    config = ((spec as { config?: tf.serialization.ConfigDict }).config ?? {}) as tf.serialization.ConfigDict;
  } else {
    throw new ConfigError(key, 'must be an initializer name such as "glorotUniform" or {className, config}');
  }
  if (seed !== undefined && (config.seed === undefined || config.seed === null)) config = { ...config, seed };
  if (className === 'BlockOrthogonal') {
    const ownSeed = typeof config.seed === 'number' ? config.seed : undefined;
    return new BlockOrthogonal(typeof config.gain === 'number' ? config.gain : 1, ownSeed);
  }
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) throw new ConfigError(key, `unknown initializer "${className}"`);
  const [cls, fromConfig] = entry;
  const init = fromConfig(cls, config) as unknown as WeightInitializer;
  if (typeof init.apply !== 'function') throw new ConfigError(key, `"${className}" is not an initializer`);
  return init;
}

/**
 * The initialiser of weight number `index` of a layer built with `layerSeed`: `spec` resolved with the seed
 * `deriveSeed(layerSeed, index)`, or unseeded when the layer has no seed. Each weight of a layer gets its own seed, so
 * two weights of one shape (a residual block's two kernels, a bidirectional layer's two directions) differ.
 */
export function weightInitializer(
  spec: InitializerSpec,
  key: string,
  layerSeed: number | undefined,
  index: number,
): WeightInitializer {
  return resolveInitializer(spec, key, layerSeed === undefined ? undefined : deriveSeed(layerSeed, index));
}

/** Checks a layer's `seed` argument: undefined, or an integer (a user's config value, hence `ConfigError`). */
export function checkSeed(seed: unknown): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new ConfigError('seed', `must be an integer, got ${JSON.stringify(seed)}`);
  }
  return seed;
}
