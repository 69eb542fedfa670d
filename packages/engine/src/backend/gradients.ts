/**
 * A `BatchMatMul` gradient that keeps every product on wasm's fast path. tfjs' own gradient
 * (`tfjs-core/src/gradients/BatchMatMul_grad.ts`) uses transposed matMuls, which the wasm backend runs as a
 * scalar loop (~11x slower than XNNPACK); here transposes are explicit `tf.transpose` calls, folded batches
 * become rank-2 products, and broadcast batch dimensions are summed back (which the stock gradient omits).
 */
import * as tf from '@tensorflow/tfjs-core';
// Importing tfjs-layers registers tfjs' stock gradients first, so ours below replaces the stock BatchMatMul one.
import '@tensorflow/tfjs-layers';

/** Swaps the last two axes: `(..., m, n)` → `(..., n, m)`. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const rank = x.rank;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return tf.transpose(x, perm);
}

function batchSize(shape: readonly number[]): number {
  return tf.util.sizeFromShape(shape.slice(0, -2));
}

/** `x (..., m, n)` → `(batch, m, n)`, folding all batch dims into one. */
function to3d(x: tf.Tensor): tf.Tensor3D {
  return tf.reshape(x, [batchSize(x.shape), x.shape[x.rank - 2], x.shape[x.rank - 1]]);
}

/**
 * Gradients of `C = A · B` for `A (..., m, k)`, `B (..., k, n)`, `dC (..., m, n)` (no transpose flags), each
 * product a plain matMul: when one side has batch 1 the batch folds into the rows of a single rank-2 product,
 * when both have the same batch the product is batched (transposes still explicit); other broadcasts fall back to
 * a batched product summed over the broadcast dims. `which` picks dA or dB: tfjs runs each input's gradient in its
 * own tidy, so the two cannot share intermediates.
 */
export function matMulGradient(which: 'a' | 'b', aEff: tf.Tensor, bEff: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const m = aEff.shape[aEff.rank - 2];
  const k = aEff.shape[aEff.rank - 1];
  const n = bEff.shape[bEff.rank - 1];
  const batchA = batchSize(aEff.shape);
  const batchB = batchSize(bEff.shape);
  if (batchB === 1) {
    // dA = (batch·m, n) · (n, k); dB = (k, batch·m) · (batch·m, n).
    const dyRows = tf.reshape(dy, [batchA * m, n]);
    if (which === 'a') return tf.reshape(tf.matMul(dyRows, tf.transpose(tf.reshape(bEff, [k, n]))), aEff.shape);
    return tf.reshape(tf.matMul(tf.transpose(tf.reshape(aEff, [batchA * m, k])), dyRows), bEff.shape);
  }
  if (batchA === 1) {
    // dA = Σ_i dC_i · B_iᵀ = (m, batch·n) · (batch·n, k); dB_i = Aᵀ · dC_i for all i at once: (k, m) · (m, batch·n).
    const dyCols = tf.reshape(tf.transpose(to3d(dy), [1, 0, 2]), [m, batchB * n]);
    if (which === 'a') {
      const bStack = tf.reshape(tf.transpose(to3d(bEff), [0, 2, 1]), [batchB * n, k]);
      return tf.reshape(tf.matMul(dyCols, bStack), aEff.shape);
    }
    const dBCols = tf.reshape(tf.matMul(tf.transpose(tf.reshape(aEff, [m, k])), dyCols), [k, batchB, n]);
    return tf.reshape(tf.transpose(dBCols, [1, 0, 2]), bEff.shape);
  }
  if (batchA === batchB) {
    if (which === 'a') return tf.reshape(tf.matMul(to3d(dy), tf.transpose(to3d(bEff), [0, 2, 1])), aEff.shape);
    return tf.reshape(tf.matMul(tf.transpose(to3d(aEff), [0, 2, 1]), to3d(dy)), bEff.shape);
  }
  if (which === 'a') return unbroadcast(tf.matMul(dy, swapLast(bEff)), aEff.shape);
  return unbroadcast(tf.matMul(swapLast(aEff), dy), bEff.shape);
}

/** Sums `grad (..., r, c)` over the batch dims that `shape` broadcast over, then reshapes to `shape`. */
function unbroadcast(grad: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (tf.util.arraysEqual(grad.shape, [...shape])) return grad;
  const batchRank = grad.rank - 2;
  const target = shape.slice(0, -2);
  const padded = [...Array(Math.max(0, batchRank - target.length)).fill(1), ...target];
  const axes: number[] = [];
  for (let i = 0; i < batchRank; i++) if (padded[i] === 1 && grad.shape[i] !== 1) axes.push(i);
  const summed = axes.length > 0 ? tf.sum(grad, axes, true) : grad;
  return tf.reshape(summed, [...shape]);
}

/** The gradient config for `BatchMatMul` (any transpose flags, any broadcast); see the file comment. */
export const batchMatMulGradConfig: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [a, b] = saved;
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    // With A = op(a), B = op(b), C = A·B: take dA / dB, then undo op().
    const aEff = () => (transposeA ? swapLast(a) : a);
    const bEff = () => (transposeB ? swapLast(b) : b);
    return {
      a: () => {
        const dA = matMulGradient('a', aEff(), bEff(), dy as tf.Tensor);
        return transposeA ? swapLast(dA) : dA;
      },
      b: () => {
        const dB = matMulGradient('b', aEff(), bEff(), dy as tf.Tensor);
        return transposeB ? swapLast(dB) : dB;
      },
    };
  },
};

/** The stock tfjs `BatchMatMul` gradient config, kept for comparison in tests and benchmarks. */
export const stockBatchMatMulGradConfig: tf.GradConfig | undefined = tf.getGradient('BatchMatMul');

let registered = false;

/** Registers the fast `BatchMatMul` gradient (idempotent). Gradients are global across backends. */
export function registerFastGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient(batchMatMulGradConfig);
}
