/**
 * `LinearChainCrf`: a linear-chain CRF layer's state (transition, start and end scores as trainable `tf.Variable`s,
 * seeded, optionally constrained) with its loss, its decoder and save/load of its weights as `NamedArray`s.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors';
import { checkSeed } from '../layers/initializers';
import { SeededRandom, deriveSeed } from '../random';
import type { NamedArray } from '../tensor-files';
import { CrfConstraints, checkConstraints } from './constraints';
import { crfLogLikelihood, crfNegativeLogLikelihood } from './log-likelihood';
import { CrfParameterArrays, CrfParameters } from './parameters';
import { CrfDecoding, crfViterbi } from './viterbi';

/** Options of `LinearChainCrf`. */
export interface LinearChainCrfOptions {
  /** Seed of the initial values (required: one seed builds the same CRF every time). */
  seed: number;
  /** Allowed transitions; the forbidden ones get no mass in the likelihood and are never decoded. */
  constraints?: CrfConstraints;
  /** Prefix of the weight names in `getWeights()`, e.g. `crf/transitions`. Default `'crf'`. */
  name?: string;
}

/** Half-width of the uniform initial values: small, so the emissions decide at first. */
const INIT_SCALE = 0.1;

/** Counter that keeps tfjs variable names unique when several CRFs share a name (tfjs refuses duplicates). */
let created = 0;

/** `count` uniform values in [-INIT_SCALE, INIT_SCALE) from `SeededRandom(seed)`. */
function smallUniform(count: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: count }, () => (rng.next() * 2 - 1) * INIT_SCALE);
}

/**
 * A linear-chain CRF over `numTags` tags whose parameters are `tf.Variable`s: `transitions (K, K)` `[from][to]`,
 * `start (K)`, `end (K)`, initialised uniform in [-0.1, 0.1) from `seed` (weight i from `deriveSeed(seed, i)`).
 * Train it through `negativeLogLikelihood` and `tf.variableGrads` over `variables` (with the encoder's); decode
 * with `decode`. Weights save and load as `NamedArray`s named `<name>/transitions`, `<name>/start`, `<name>/end`.
 *
 * @example
 * const crf = new LinearChainCrf(5, { seed: 7, constraints });
 * const { value, grads } = tf.variableGrads(() => crf.negativeLogLikelihood(emissions, tags, mask), crf.variables);
 * const { paths } = await crf.decode(emissions, lengths); // paths[b]: lengths[b] tag indices
 */
export class LinearChainCrf {
  readonly numTags: number;
  readonly constraints?: CrfConstraints;
  /** Prefix of the weight names. */
  readonly name: string;
  /** `[transitions (K, K), start (K), end (K)]`, trainable. */
  readonly variables: tf.Variable[];
  /** The same variables as `CrfParameters`, for `crfLogLikelihood` and friends. */
  readonly parameters: CrfParameters;

  /**
   * @throws ConfigError for `numTags` not a positive integer, a missing or non-integer `seed`, an empty `name`.
   * @throws ShapeError when `constraints` are not (K, K), (K), (K) booleans.
   */
  constructor(numTags: number, options: LinearChainCrfOptions) {
    if (!Number.isInteger(numTags) || numTags < 1) {
      throw new ConfigError('numTags', `must be a positive integer, got ${JSON.stringify(numTags)}`);
    }
    const seed = checkSeed(options?.seed);
    if (seed === undefined) throw new ConfigError('seed', 'is required (the CRF starts from seeded values)');
    const name = options.name ?? 'crf';
    if (typeof name !== 'string' || name.length === 0) throw new ConfigError('name', 'must be a non-empty string');
    if (options.constraints !== undefined) checkConstraints(options.constraints, numTags, 'LinearChainCrf');
    this.numTags = numTags;
    this.name = name;
    // A copy: constraints changed by the caller later must not change a trained model's behaviour.
    if (options.constraints !== undefined) {
      this.constraints = {
        transitions: options.constraints.transitions.map((row) => [...row]),
        start: [...options.constraints.start],
        end: [...options.constraints.end],
      };
    }
    const id = created++;
    const K = numTags;
    const shapes: Array<[string, number[]]> = [
      ['transitions', [K, K]],
      ['start', [K]],
      ['end', [K]],
    ];
    this.variables = shapes.map(([field, shape], i) =>
      tf.tidy(() =>
        tf.variable(
          tf.tensor(
            smallUniform(
              shape.reduce((a, b) => a * b, 1),
              deriveSeed(seed, i),
            ),
            shape,
            'float32',
          ),
          true,
          `${name}_${id}/${field}`,
        ),
      ),
    );
    this.parameters = {
      transitions: this.variables[0] as tf.Variable<tf.Rank.R2>,
      start: this.variables[1] as tf.Variable<tf.Rank.R1>,
      end: this.variables[2] as tf.Variable<tf.Rank.R1>,
    };
  }

  /**
   * Mean negative log-likelihood of `tags (B, T)` int32 given `emissions (B, T, K)` under `mask (B, T)` float32
   * (1 for real steps, a prefix per row, every row at least one step) → scalar: the training loss.
   * @throws ShapeError naming the argument of wrong shape.
   */
  negativeLogLikelihood(emissions: tf.Tensor3D, tags: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
    return crfNegativeLogLikelihood(emissions, tags, mask, this.parameters, this.constraints);
  }

  /** Per-example log-likelihood, `(B)`: the same inputs as `negativeLogLikelihood` (e.g. for weighted losses). */
  logLikelihood(emissions: tf.Tensor3D, tags: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
    return crfLogLikelihood(emissions, tags, mask, this.parameters, this.constraints);
  }

  /**
   * The best tag path of each row of `emissions (B, T, K)` with `lengths` (B) in [1, T], and its score: reads the
   * emissions and the parameters once, then runs `crfViterbi` (no tensors kept, `emissions` not disposed).
   * @throws ShapeError when `emissions` is not (B, T, numTags) or `lengths` does not fit.
   */
  async decode(emissions: tf.Tensor3D, lengths: number[]): Promise<CrfDecoding> {
    if (!(emissions instanceof tf.Tensor) || emissions.rank !== 3 || emissions.shape[2] !== this.numTags) {
      const got = emissions instanceof tf.Tensor ? `[${emissions.shape.join(', ')}]` : String(emissions);
      throw new ShapeError('LinearChainCrf', `decode: emissions must be (batch, length, ${this.numTags}), got ${got}`);
    }
    const [values, transitions, start, end] = await Promise.all(
      [emissions, ...this.variables].map(async (t) => Float32Array.from(await t.data())),
    );
    const shape = emissions.shape as [number, number, number];
    return crfViterbi(values, shape, lengths, { transitions, start, end }, this.constraints);
  }

  /** Copies of the parameters as plain arrays (`transitions` row-major `[from][to]`), what `crfViterbi` takes. */
  parameterArrays(): CrfParameterArrays {
    const [transitions, start, end] = this.variables.map((v) => Float32Array.from(v.dataSync()));
    return { transitions, start, end };
  }

  /** The weights, copied: `<name>/transitions (K, K)`, `<name>/start (K)`, `<name>/end (K)`. */
  getWeights(): NamedArray[] {
    const values = this.parameterArrays();
    return [
      { name: `${this.name}/transitions`, shape: [this.numTags, this.numTags], values: values.transitions },
      { name: `${this.name}/start`, shape: [this.numTags], values: values.start },
      { name: `${this.name}/end`, shape: [this.numTags], values: values.end },
    ];
  }

  /**
   * Sets the weights from arrays named as `getWeights` names them (others, e.g. an encoder's, are ignored).
   * @throws ShapeError when one is missing or has another shape; nothing is changed then.
   */
  setWeights(arrays: NamedArray[]): void {
    const fields = ['transitions', 'start', 'end'];
    const found = this.variables.map((v, i) => {
      const name = `${this.name}/${fields[i]}`;
      const a = arrays.find((x) => x.name === name);
      if (a === undefined) {
        throw new ShapeError('LinearChainCrf', `setWeights: no array named "${name}"`);
      }
      const size = v.shape.reduce((p, d) => p * d, 1);
      if (a.shape.length !== v.rank || a.shape.some((d, j) => d !== v.shape[j]) || a.values.length !== size) {
        throw new ShapeError(
          'LinearChainCrf',
          `setWeights: "${name}" must have shape [${v.shape.join(', ')}], got [${a.shape.join(', ')}] with ${a.values.length} values`,
        );
      }
      return a;
    });
    tf.tidy(() => this.variables.forEach((v, i) => v.assign(tf.tensor(found[i].values, v.shape, 'float32'))));
  }

  /** Frees the variables; the CRF is unusable afterwards. */
  dispose(): void {
    tf.dispose(this.variables);
  }
}
