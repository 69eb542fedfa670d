import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../config';

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

/** A standard normal draw (Box-Muller) from `Math.random`, so `withSeededRandom` makes it reproducible. */
function standardNormal(): number {
  let u = 0;
  while (u === 0) u = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

/**
 * Rows of a random `rows × cols` matrix (rows ≤ cols) made orthonormal by modified Gram-Schmidt, in
 * float64. Plain JS: U ≤ 1024 costs at most a few hundred ms once, and avoids tfjs' op-by-op QR.
 */
function orthonormalRows(rows: number, cols: number): Float64Array {
  const m = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (;;) {
      const off = i * cols;
      for (let j = 0; j < cols; j++) m[off + j] = standardNormal();
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
 */
export class BlockOrthogonal implements WeightInitializer {
  constructor(readonly gain = 1) {}

  /** Name in serialized configs. */
  getClassName(): string {
    return 'BlockOrthogonal';
  }

  /** Plain-JSON config. */
  getConfig(): tf.serialization.ConfigDict {
    return { gain: this.gain };
  }

  /** `shape`: `(rows, cols)`. */
  apply(shape: number[]): tf.Tensor {
    if (shape.length !== 2) {
      throw new ConfigError('recurrentInitializer', `blockOrthogonal needs a 2-D shape, got [${shape.join(', ')}]`);
    }
    const [rows, cols] = shape;
    const out = new Float32Array(rows * cols);
    if (cols % rows === 0) {
      const blocks = cols / rows;
      for (let b = 0; b < blocks; b++) {
        const q = orthonormalRows(rows, rows);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < rows; j++) out[i * cols + b * rows + j] = this.gain * q[i * rows + j];
        }
      }
    } else {
      const small = Math.min(rows, cols);
      const large = Math.max(rows, cols);
      const q = orthonormalRows(small, large);
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
 * Resolves an `InitializerSpec` (or its JSON form) through tfjs' serialization registry.
 * `key` names the argument in the `ConfigError` thrown for an unknown initializer.
 */
export function resolveInitializer(spec: unknown, key: string): WeightInitializer {
  if (spec === BLOCK_ORTHOGONAL) return new BlockOrthogonal();
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
  if (className === 'BlockOrthogonal') return new BlockOrthogonal(typeof config.gain === 'number' ? config.gain : 1);
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) throw new ConfigError(key, `unknown initializer "${className}"`);
  const [cls, fromConfig] = entry;
  const init = fromConfig(cls, config) as unknown as WeightInitializer;
  if (typeof init.apply !== 'function') throw new ConfigError(key, `"${className}" is not an initializer`);
  return init;
}
