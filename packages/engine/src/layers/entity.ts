/**
 * Entity-aware parts of a relation network (issue 16): where the head and the tail are, their types added at their
 * characters, and attention whose scores see the pair. Every op used has a gradient that runs on wasm (no gather).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { checkSeed, weightInitializer } from './initializers';
import { maskedMax, maskedSoftmax } from './pooling';

type AddWeightInitializer = Parameters<tfl.layers.Layer['addWeight']>[3];

/** What `EntitySpanMask` marks: every step of the span, or only its first step. */
export const ENTITY_MASK_MODES = ['span', 'start'] as const;

/** One of `ENTITY_MASK_MODES`. */
export type EntityMaskMode = (typeof ENTITY_MASK_MODES)[number];

/** Arguments of `EntitySpanMask`. */
export interface EntitySpanMaskArgs {
  /** The relative-position id of distance 0, i.e. of the entity's own characters (`maxDistance + 1`). */
  anchor: number;
  /** 'span' (default): 1 at every character of the entity; 'start': 1 at its first character only. */
  mode?: EntityMaskMode;
  name?: string;
}

/**
 * An entity's characters from its relative-position ids: `positions (batch, length)` int32 → `(batch, length)`
 * float 1/0, 1 where the id is `anchor` (distance 0; padding is id 0, so never marked). In 'start' mode only the
 * first step of each run of marked steps is kept. An entity cropped out of the window gives an all-zero row.
 * No weights, no gradient (its input is ids).
 */
export class EntitySpanMask extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrEntitySpanMask';
  /** Position id of the entity's characters. */
  readonly anchor: number;
  /** Span or start. */
  readonly mode: EntityMaskMode;

  constructor(args: EntitySpanMaskArgs) {
    super({ name: args.name, trainable: false });
    if (!Number.isInteger(args.anchor) || args.anchor < 1)
      throw new ConfigError('anchor', `EntitySpanMask anchor must be a positive integer (got ${String(args.anchor)})`);
    this.anchor = args.anchor;
    this.mode = args.mode ?? 'span';
    if (!(ENTITY_MASK_MODES as readonly string[]).includes(this.mode))
      throw new ConfigError('mode', `EntitySpanMask mode must be one of ${ENTITY_MASK_MODES.join(', ')}`);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (shape.length !== 2) throw new ShapeError('EntitySpanMask', 'EntitySpanMask takes positions (batch, length)');
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const positions = Array.isArray(inputs) ? inputs[0] : inputs;
      if (positions.rank !== 2)
        throw new ShapeError(
          'EntitySpanMask',
          `EntitySpanMask takes positions (batch, length), got [${positions.shape.join(', ')}]`,
        );
      const span = tf.cast(tf.equal(positions, this.anchor), 'float32') as tf.Tensor2D;
      if (this.mode === 'span') return span;
      const [batch, length] = span.shape;
      // The step before each step (0 before the first): a step starts a run when it is marked and its predecessor is not.
      const before = tf.slice(
        tf.pad(span, [
          [0, 0],
          [1, 0],
        ]),
        [0, 0],
        [batch, length],
      );
      return tf.mul(span, tf.sub(1, before));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), anchor: this.anchor, mode: this.mode };
  }
}
tf.serialization.registerClass(EntitySpanMask);

/** Arguments of `EntityTypeEmbedding`. */
export interface EntityTypeEmbeddingArgs {
  /** Type ids the embedding knows: the schema's entity types + 1 (id 0 = a type the schema lacks). */
  typeCount: number;
  /** Seeds the uniform(±0.05) initialiser of the type vectors. Default: unseeded. */
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/**
 * Entity-type input: `[x (batch, length, dim), types (batch, 2) int32 = (head type id, tail type id),
 * headSpan (batch, length), tailSpan (batch, length)]` → `x + headSpan ⊗ E[headType] + tailSpan ⊗ E[tailType]`,
 * `(batch, length, dim)`: the type's vector is added at the characters of the entity (padding is never a span, so
 * it stays zero). Weight `embeddings` E `(typeCount, dim)`; the lookup is a one-hot matMul (no gather on wasm).
 */
export class EntityTypeEmbedding extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrEntityTypeEmbedding';
  /** Rows of E. */
  readonly typeCount: number;
  /** Seed of the initialiser, if any. */
  readonly seed?: number;
  private embeddings?: tfl.LayerVariable;

  constructor(args: EntityTypeEmbeddingArgs) {
    super({ name: args.name, trainable: args.trainable });
    if (!Number.isInteger(args.typeCount) || args.typeCount < 1)
      throw new ConfigError('typeCount', `EntityTypeEmbedding typeCount must be a positive integer`);
    this.typeCount = args.typeCount;
    this.seed = checkSeed(args.seed);
  }

  private shapes(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape[] {
    const shapes = inputShape as tfl.Shape[];
    if (!Array.isArray(shapes[0]) || shapes.length !== 4 || shapes[0].length !== 3 || shapes[1].length !== 2)
      throw new ShapeError(
        'EntityTypeEmbedding',
        'EntityTypeEmbedding takes [x (batch, length, dim), types (batch, 2), headSpan (batch, length), tailSpan (batch, length)]',
      );
    return shapes;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const dim = this.shapes(inputShape)[0][2];
    if (dim === null) throw new ShapeError('EntityTypeEmbedding', 'EntityTypeEmbedding needs a known x dim');
    const init = tfl.initializers.randomUniform({
      minval: -0.05,
      maxval: 0.05,
      seed: this.seed,
    }) as unknown as AddWeightInitializer;
    this.embeddings = this.addWeight('embeddings', [this.typeCount, dim], 'float32', init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return this.shapes(inputShape)[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, types, headSpan, tailSpan] = inputs as tf.Tensor[];
      const batch = x.shape[0];
      const oneHot = tf.oneHot(tf.reshape(tf.cast(types, 'int32'), [batch * 2]), this.typeCount);
      const vectors = tf.matMul(oneHot, this.embeddings!.read() as tf.Tensor2D); // (batch·2, dim)
      const [head, tail] = tf.split(tf.reshape(vectors, [batch, 2, -1]), 2, 1); // (batch, 1, dim) each
      return tf.add(x, tf.add(tf.mul(tf.expandDims(headSpan, 2), head), tf.mul(tf.expandDims(tailSpan, 2), tail)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), typeCount: this.typeCount };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(EntityTypeEmbedding);

/** Arguments of `EntityAwareAttention`. */
export interface EntityAwareAttentionArgs {
  /** Width of the attention's hidden layer. Default: the width of H. */
  units?: number;
  /** Seeds the glorot-uniform initialisers of its four matrices. Default: unseeded. */
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/**
 * Attention pooling conditioned on the entity pair (Zhang et al. 2017 position-aware attention; Lee et al. 2019
 * entity-aware attention), the alternative to the paper's `w · tanh(H_i)`. Inputs `[H (batch, length, dim),
 * mask (batch, length), headSpan (batch, length), tailSpan (batch, length), positions (batch, length, p)]`
 * (positions: the head- and tail-relative position embeddings) → `S (batch, dim)` with
 * `e = [max_{i∈head} H_i ; max_{i∈tail} H_i]`,
 * `u_i = v · tanh(W_h H_i + W_e e + W_p p_i + b)`, `a = softmax over unpadded steps of u`, `S = Σ_i a_i H_i`.
 * Weights: `hiddenKernel` W_h `(dim, units)`, `entityKernel` W_e `(2·dim, units)`, `positionKernel` W_p
 * `(p, units)`, `bias` b `(units)`, `scoreKernel` v `(units, 1)`. Padded steps get weight 0.
 */
export class EntityAwareAttention extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'EmrEntityAwareAttention';
  /** Hidden width; undefined = the width of H. */
  readonly units?: number;
  /** Seed of the initialisers, if any. */
  readonly seed?: number;
  private hiddenKernel?: tfl.LayerVariable;
  private entityKernel?: tfl.LayerVariable;
  private positionKernel?: tfl.LayerVariable;
  private bias?: tfl.LayerVariable;
  private scoreKernel?: tfl.LayerVariable;

  constructor(args: EntityAwareAttentionArgs = {}) {
    super({ name: args.name, trainable: args.trainable });
    if (args.units !== undefined && (!Number.isInteger(args.units) || args.units < 1))
      throw new ConfigError('units', 'EntityAwareAttention units must be a positive integer');
    this.units = args.units;
    this.seed = checkSeed(args.seed);
  }

  private shapes(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape[] {
    const s = inputShape as tfl.Shape[];
    if (!Array.isArray(s[0]) || s.length !== 5 || s[0].length !== 3 || s[1].length !== 2 || s[4].length !== 3)
      throw new ShapeError(
        'EntityAwareAttention',
        'EntityAwareAttention takes [H (batch, length, dim), mask, headSpan, tailSpan (batch, length), positions (batch, length, p)]',
      );
    return s;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = this.shapes(inputShape);
    const dim = s[0][2];
    const p = s[4][2];
    if (dim === null || p === null) throw new ShapeError('EntityAwareAttention', 'needs known H and position widths');
    const units = this.units ?? dim;
    const init = (i: number) =>
      weightInitializer('glorotUniform', 'kernelInitializer', this.seed, i) as unknown as AddWeightInitializer;
    this.hiddenKernel = this.addWeight('hiddenKernel', [dim, units], 'float32', init(0));
    this.entityKernel = this.addWeight('entityKernel', [2 * dim, units], 'float32', init(1));
    this.positionKernel = this.addWeight('positionKernel', [p, units], 'float32', init(2));
    this.bias = this.addWeight('bias', [units], 'float32', tfl.initializers.zeros() as AddWeightInitializer);
    this.scoreKernel = this.addWeight('scoreKernel', [units, 1], 'float32', init(3));
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [h] = this.shapes(inputShape);
    return [h[0], h[2]];
  }

  /** The attention weights a: the layer's inputs → `(batch, length)`, 0 at padded steps. */
  attentionWeights(inputs: tf.Tensor[]): tf.Tensor2D {
    return tf.tidy(() => {
      const [h, mask, headSpan, tailSpan, positions] = inputs as [
        tf.Tensor3D,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor3D,
      ];
      const [batch, length, dim] = h.shape;
      const p = positions.shape[2];
      const entities = tf.concat([maskedMax(h, headSpan), maskedMax(h, tailSpan)], 1); // (batch, 2·dim)
      const fromH = tf.matMul(tf.reshape(h, [batch * length, dim]), this.hiddenKernel!.read() as tf.Tensor2D);
      const fromP = tf.matMul(tf.reshape(positions, [batch * length, p]), this.positionKernel!.read() as tf.Tensor2D);
      const fromE = tf.matMul(entities, this.entityKernel!.read() as tf.Tensor2D); // (batch, units)
      const units = fromE.shape[1] as number;
      const hidden = tf.tanh(
        tf.add(
          tf.add(tf.reshape(tf.add(fromH, fromP), [batch, length, units]), tf.expandDims(fromE, 1)),
          this.bias!.read(),
        ),
      );
      const scores = tf.matMul(tf.reshape(hidden, [batch * length, units]), this.scoreKernel!.read() as tf.Tensor2D);
      return maskedSoftmax(tf.reshape(scores, [batch, length]) as tf.Tensor2D, mask);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 5)
        throw new ShapeError('EntityAwareAttention', 'EntityAwareAttention takes five inputs');
      const a = this.attentionWeights(inputs);
      return tf.sum(tf.mul(inputs[0], tf.expandDims(a, 2)), 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig() };
    if (this.units !== undefined) config.units = this.units;
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(EntityAwareAttention);
