/**
 * The log-likelihood of tag sequences under a linear-chain CRF (Lafferty et al. 2001; the BiLSTM-CRF tagger of
 * Lample et al. 2016): the gold path's score minus the log partition function, which the forward algorithm computes
 * in log space. Differentiable with respect to the emissions and the parameters through tfjs' tape.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors';
import { CrfConstraints, constraintPenalties } from './constraints';
import { CrfParameters, checkParameterTensors } from './parameters';

/** The parameters with the constraints' constant penalties added (the same tensors when there are none). */
function penalisedParameters(
  params: CrfParameters,
  constraints: CrfConstraints | undefined,
  numTags: number,
  where: string,
) {
  const penalties = constraintPenalties(constraints, numTags, where);
  if (constraints === undefined) return params;
  return {
    transitions: tf.add(params.transitions, tf.tensor2d(penalties.transitions, [numTags, numTags])) as tf.Tensor2D,
    start: tf.add(params.start, tf.tensor1d(penalties.start)) as tf.Tensor1D,
    end: tf.add(params.end, tf.tensor1d(penalties.end)) as tf.Tensor1D,
  };
}

/** @throws ShapeError (from `where`) naming the argument whose shape or dtype is wrong. */
function checkInputs(
  emissions: tf.Tensor,
  tags: tf.Tensor,
  mask: tf.Tensor,
  params: CrfParameters,
  where: string,
): [number, number, number] {
  if (!(emissions instanceof tf.Tensor) || emissions.rank !== 3 || emissions.shape.some((d) => d < 1)) {
    const got = emissions instanceof tf.Tensor ? `[${emissions.shape.join(', ')}]` : String(emissions);
    throw new ShapeError(where, `emissions must be a (batch, length, tags) tensor with no empty axis, got ${got}`);
  }
  const [B, T, K] = emissions.shape as [number, number, number];
  const sameRows = (t: tf.Tensor, name: string, dtype: string) => {
    if (!(t instanceof tf.Tensor) || t.rank !== 2 || t.shape[0] !== B || t.shape[1] !== T) {
      const got = t instanceof tf.Tensor ? `[${t.shape.join(', ')}]` : String(t);
      throw new ShapeError(where, `${name} must be a (batch, length) = [${B}, ${T}] ${dtype} tensor, got ${got}`);
    }
  };
  sameRows(tags, 'tags', 'int32');
  if (tags.dtype !== 'int32') throw new ShapeError(where, `tags must be int32 tag indices, got ${tags.dtype}`);
  sameRows(mask, 'mask', 'float32');
  checkParameterTensors(params, K, where);
  return [B, T, K];
}

/**
 * Per-example log-likelihood `log p(tags | emissions)` of a linear-chain CRF: `emissions (B, T, K)`, `tags (B, T)`
 * int32 in [0, K), `mask (B, T)` float32 (1 for real steps, a prefix of each row, every row at least 1 step; tags
 * under 0s are ignored) → `(B)`. A path's score is `start[y₀] + Σₜ emissions[t, yₜ] + Σₜ transitions[yₜ₋₁, yₜ] +
 * end[y_last]` over the real steps; forbidden transitions, starts and ends of `constraints` get
 * `CRF_FORBIDDEN_PENALTY` (-1e4, a constant) added, so paths using them get no mass and gold paths using them a
 * likelihood of about -1e4.
 *
 * @throws ShapeError naming the argument (`emissions`, `tags`, `mask`, `params.*`, `constraints.*`) of wrong shape.
 * @example
 * const ll = crfLogLikelihood(emissions, tags, mask, { transitions, start, end }); // (B)
 */
export function crfLogLikelihood(
  emissions: tf.Tensor3D,
  tags: tf.Tensor2D,
  mask: tf.Tensor2D,
  params: CrfParameters,
  constraints?: CrfConstraints,
): tf.Tensor1D {
  return logLikelihood('crfLogLikelihood', emissions, tags, mask, params, constraints);
}

/** `crfLogLikelihood`, with `where` naming the public function in errors. */
function logLikelihood(
  where: string,
  emissions: tf.Tensor3D,
  tags: tf.Tensor2D,
  mask: tf.Tensor2D,
  params: CrfParameters,
  constraints: CrfConstraints | undefined,
): tf.Tensor1D {
  const [B, T, K] = checkInputs(emissions, tags, mask, params, where);
  return tf.tidy(() => {
    const { transitions, start, end } = penalisedParameters(params, constraints, K, where);
    const m = tf.cast(mask, 'float32') as tf.Tensor2D; // (B, T)
    // Padded steps may carry any tag value (e.g. -1); the index arithmetic below needs valid ones.
    const y = tf.where(tf.greater(m, 0), tags, tf.zerosLike(tags)) as tf.Tensor2D; // (B, T)

    // Forward algorithm: alpha (B, K) = log Σ over paths ending in each tag; a padded step carries alpha unchanged.
    const steps = tf.unstack(emissions, 1) as tf.Tensor2D[]; // T × (B, K)
    const stepMasks = tf.unstack(tf.expandDims(m, 2), 1) as tf.Tensor2D[]; // T × (B, 1)
    let alpha: tf.Tensor2D = tf.add(tf.expandDims(start, 0), steps[0]);
    for (let t = 1; t < T; t++) {
      const scores = tf.add(tf.expandDims(alpha, 2), tf.expandDims(transitions, 0)); // (B, K from, K to)
      const next = tf.add(tf.logSumExp(scores, 1), steps[t]); // (B, K)
      alpha = tf.add(tf.mul(next, stepMasks[t]), tf.mul(alpha, tf.sub(1, stepMasks[t])));
    }
    const logPartition = tf.logSumExp(tf.add(alpha, tf.expandDims(end, 0)), 1); // (B)

    // Gold path score, every term gathered at the gold tags and weighted by the mask.
    const rowOffsets = tf.tensor2d(
      Int32Array.from({ length: B * T }, (_, i) => i * K),
      [B, T],
      'int32',
    );
    const emitted = tf.gather(tf.reshape(emissions, [-1]), tf.add(rowOffsets, y)); // (B, T)
    const terms: tf.Tensor1D[] = [
      tf.sum(tf.mul(emitted, m), 1), // (B)
      tf.gather(start, tf.squeeze(tf.slice(y, [0, 0], [B, 1]), [1])), // (B)
    ];
    // A step is last when it is real and the next one is not: mask[t] - mask[t + 1], with mask[T] = 0.
    const nextMask = tf.concat([tf.slice(m, [0, 1], [B, T - 1]), tf.zeros([B, 1])], 1); // (B, T)
    terms.push(tf.sum(tf.mul(tf.gather(end, y), tf.sub(m, nextMask)), 1));
    if (T > 1) {
      const pairs = tf.add(
        tf.mul(tf.slice(y, [0, 0], [B, T - 1]), tf.scalar(K, 'int32')),
        tf.slice(y, [0, 1], [B, T - 1]),
      ); // (B, T-1)
      const moved = tf.gather(tf.reshape(transitions, [-1]), pairs); // (B, T-1)
      terms.push(tf.sum(tf.mul(moved, tf.slice(m, [0, 1], [B, T - 1])), 1));
    }
    return tf.sub(tf.addN(terms), logPartition) as tf.Tensor1D;
  });
}

/**
 * Mean negative log-likelihood over the batch of a linear-chain CRF, the training loss: `emissions (B, T, K)`,
 * `tags (B, T)` int32, `mask (B, T)` float32 (see `crfLogLikelihood`) → scalar. Differentiable with respect to the
 * emissions and the parameters; forbidden transitions get -1e4 added (a constant mask).
 *
 * @throws ShapeError naming the argument of wrong shape.
 * @example
 * const { value, grads } = tf.variableGrads(() => crfNegativeLogLikelihood(emissions, tags, mask, params), variables);
 */
export function crfNegativeLogLikelihood(
  emissions: tf.Tensor3D,
  tags: tf.Tensor2D,
  mask: tf.Tensor2D,
  params: CrfParameters,
  constraints?: CrfConstraints,
): tf.Scalar {
  return tf.tidy(
    () =>
      tf.neg(
        tf.mean(logLikelihood('crfNegativeLogLikelihood', emissions, tags, mask, params, constraints)),
      ) as tf.Scalar,
  );
}
