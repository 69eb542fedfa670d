import * as tf from '@tensorflow/tfjs-core';

/** Adam's state, as plain arrays: what a checkpoint stores to resume an optimizer exactly. */
export interface AdamSnapshot {
  step: number;
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

/** Options of `Adam`. */
export interface AdamOptions {
  learningRate: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7. */
  epsilon?: number;
  /** Gradients are scaled so that their global L2 norm is at most this. Default 5. */
  clipNorm?: number;
}

/**
 * Adam (Kingma & Ba) over a fixed list of variables, with global-norm gradient clipping.
 * Written here rather than taken from tfjs-core because tfjs' AdamOptimizer rebuilds its bias-correction
 * accumulators with `pow` on restore while training multiplies them step by step, so a resumed run
 * drifts from an uninterrupted one in the last bits; here the correction is computed in float64 from the
 * step count alone, so restore is exact.
 *
 * @example
 * const adam = new Adam(variables, { learningRate: 0.01 });
 * const { value, grads } = tf.variableGrads(loss, variables);
 * adam.apply(variables.map((v) => grads[v.name])); // one step; then dispose value and grads
 */
export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly clipNorm: number;
  private step = 0;
  private readonly variables: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(variables: tf.Variable[], options: AdamOptions) {
    this.variables = variables;
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.clipNorm = options.clipNorm ?? 5;
    this.m = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /** Steps taken. */
  get iterations(): number {
    return this.step;
  }

  /** Applies one update from `gradients` (same order and shapes as the variables); does not dispose them. */
  apply(gradients: tf.Tensor[]): void {
    this.step += 1;
    const correction1 = 1 - Math.pow(this.beta1, this.step);
    const correction2 = 1 - Math.pow(this.beta2, this.step);
    const stepSize = (this.learningRate * Math.sqrt(correction2)) / correction1;
    tf.tidy(() => {
      // Global-norm clipping keeps the recurrent branches stable at the paper's learning rate of 0.015.
      const sq = gradients.map((g) => tf.sum(tf.square(g)));
      const norm = tf.sqrt(tf.addN(sq));
      const scale = tf.minimum(1, tf.div(this.clipNorm, tf.maximum(norm, 1e-12)));
      this.variables.forEach((x, i) => {
        const g = tf.mul(gradients[i], scale);
        const m = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        x.assign(tf.sub(x, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), stepSize)));
      });
    });
  }

  /** The state as plain arrays. */
  snapshot(): AdamSnapshot {
    return {
      step: this.step,
      firstMoments: this.m.map((t) => (t.dataSync() as Float32Array).slice()),
      secondMoments: this.v.map((t) => (t.dataSync() as Float32Array).slice()),
    };
  }

  /** Restores a snapshot taken from an optimizer over variables of the same shapes. */
  restore(snapshot: AdamSnapshot): void {
    if (snapshot.firstMoments.length !== this.m.length || snapshot.secondMoments.length !== this.v.length) {
      throw new RangeError(`optimizer snapshot has ${snapshot.firstMoments.length} moments, want ${this.m.length}`);
    }
    this.step = snapshot.step;
    tf.tidy(() => {
      this.m.forEach((t, i) => t.assign(tf.tensor(snapshot.firstMoments[i], t.shape, 'float32')));
      this.v.forEach((t, i) => t.assign(tf.tensor(snapshot.secondMoments[i], t.shape, 'float32')));
    });
  }

  /** Frees the moment tensors. */
  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
