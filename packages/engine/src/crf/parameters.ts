/**
 * The parameters of a linear-chain CRF over K tags, as tensors (for the likelihood and its gradients) or as plain
 * arrays (for Viterbi decoding), and the checks of their shapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors';

/** The CRF's parameters as tensors (trainable when they are `tf.Variable`s). */
export interface CrfParameters {
  /** (K, K): score of tag `to` following tag `from`, `[from][to]`. */
  transitions: tf.Tensor2D;
  /** (K): score of a sequence starting with tag k. */
  start: tf.Tensor1D;
  /** (K): score of a sequence ending with tag k. */
  end: tf.Tensor1D;
}

/** The CRF's parameters as plain float32 arrays: what `crfViterbi` reads. */
export interface CrfParameterArrays {
  /** (K·K), row-major `[from][to]`. */
  transitions: Float32Array;
  /** (K). */
  start: Float32Array;
  /** (K). */
  end: Float32Array;
}

/** @throws ShapeError (from `where`) unless `params` are tensors of shapes (K, K), (K), (K). */
export function checkParameterTensors(params: CrfParameters, numTags: number, where: string): void {
  const expect = (t: tf.Tensor | undefined, field: string, shape: number[]) => {
    if (!(t instanceof tf.Tensor) || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      const got = t instanceof tf.Tensor ? `[${t.shape.join(', ')}]` : String(t);
      throw new ShapeError(where, `params.${field} must have shape [${shape.join(', ')}] (K = ${numTags}), got ${got}`);
    }
  };
  expect(params?.transitions, 'transitions', [numTags, numTags]);
  expect(params?.start, 'start', [numTags]);
  expect(params?.end, 'end', [numTags]);
}

/** @throws ShapeError (from `where`) unless `params` are arrays of lengths K·K, K, K. */
export function checkParameterArrays(params: CrfParameterArrays, numTags: number, where: string): void {
  const expect = (a: ArrayLike<number> | undefined, field: string, length: number) => {
    if (a === undefined || a === null || a.length !== length) {
      throw new ShapeError(
        where,
        `params.${field} must hold ${length} values (K = ${numTags}), got ${a === undefined || a === null ? a : a.length}`,
      );
    }
  };
  expect(params?.transitions, 'transitions', numTags * numTags);
  expect(params?.start, 'start', numTags);
  expect(params?.end, 'end', numTags);
}
