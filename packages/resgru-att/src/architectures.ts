import * as tfl from '@tensorflow/tfjs-layers';
import { positionVocabularySize } from '@emr-re/tokenize';
import { EntitySpanMask, EntityTypeEmbedding, SequenceMask, StepDropout, initializerSeeds } from '@emr-re/engine';
import type { ModelConfig } from './config';
import { encoderFor } from './encoders';
import { charEmbeddingRows } from './markers';
import type { EntityInputs, FeatureInput } from './encoders';

export { FEATURE_INPUTS } from './encoders';
export type { FeatureInput } from './encoders';

/** The inputs an architecture reads (its encoder's): chars, both positions and the mask; PCNN also the segments. */
export function inputsOf(arch: string): FeatureInput[] {
  return [...encoderFor(arch).inputs];
}

/**
 * The inputs a network of `config` reads, in feed order: its encoder's, then `entityTypes` `(batch, 2)` when
 * `config.entityTypes` is on.
 */
export function networkInputs(config: Pick<ModelConfig, 'arch' | 'entityTypes'>): FeatureInput[] {
  const inputs = inputsOf(config.arch);
  return config.entityTypes ? [...inputs, 'entityTypes'] : inputs;
}

/** Sizes a network needs beyond its configuration. */
export interface NetworkShape {
  /** Character vocabulary size (PAD and UNK included); the marker ids follow it when `config.entityMarkers` is on. */
  vocabularySize: number;
  /** Output labels (UNKNOWN_LABEL included). */
  labelCount: number;
  /**
   * Entity type ids (the schema's entity types + 1 for a type it lacks); needed when `config.entityTypes` or
   * `config.entityMarkers` is on.
   */
  entityTypeCount?: number;
}

type ST = tfl.SymbolicTensor;

/**
 * Builds the network of `config.arch` (its registered encoder) as a functional tfjs-layers model:
 * inputs chars, headPosition, tailPosition `(batch, length)` int32, mask `(batch, length)` float
 * (and segments `(batch, length)` float for PCNN) → label probabilities `(batch, labelCount)`.
 * Embedding layer: char ⊕ head-position ⊕ tail-position embeddings, `dv = charDim + 2 × positionDim`.
 * Entity-aware options (off by default) add: `entityTypes` `(batch, 2)` int32 input (head, tail type ids) whose
 * embedding is added at the entities' characters; span masks read from the position ids (distance 0) for
 * `entityPooling` and `entityAttention` (see `EncoderInput.entities`); `entityMarkers` adds the marker ids'
 * rows to the character embedding table, `(vocabularySize + entityMarkerCount(types), charDim)`.
 * Weights are initialised from `config.seed`: every initialiser gets its own seed from `initializerSeeds(config.seed)`
 * (tfjs initializers with explicit seeds, and the engine layers' `seed`), so the same seed builds the same weights.
 */
export function buildNetwork(config: ModelConfig, shape: NetworkShape): tfl.LayersModel {
  const seed = initializerSeeds(config.seed);
  const uniform = () => tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed() });
  const T = config.maxLength;
  const chars = tfl.input({ shape: [T], dtype: 'int32', name: 'chars' });
  const headPosition = tfl.input({ shape: [T], dtype: 'int32', name: 'headPosition' });
  const tailPosition = tfl.input({ shape: [T], dtype: 'int32', name: 'tailPosition' });
  const mask = tfl.input({ shape: [T], dtype: 'float32', name: 'mask' });
  const encoder = encoderFor(config.arch);
  const segments = encoder.inputs.includes('segments')
    ? tfl.input({ shape: [T], dtype: 'float32', name: 'segments' })
    : undefined;

  const positions = positionVocabularySize(config.maxDistance);
  if (config.entityMarkers !== undefined && shape.entityTypeCount === undefined)
    throw new Error('config.entityMarkers needs shape.entityTypeCount');
  const charEmb = tfl.layers
    .embedding({
      inputDim: charEmbeddingRows(config, shape.vocabularySize, (shape.entityTypeCount ?? 1) - 1),
      outputDim: config.charDim,
      embeddingsInitializer: uniform(),
      name: 'char_embedding',
    })
    .apply(chars) as ST;
  const headEmb = tfl.layers
    .embedding({
      inputDim: positions,
      outputDim: config.positionDim,
      embeddingsInitializer: uniform(),
      name: 'head_position_embedding',
    })
    .apply(headPosition) as ST;
  const tailEmb = tfl.layers
    .embedding({
      inputDim: positions,
      outputDim: config.positionDim,
      embeddingsInitializer: uniform(),
      name: 'tail_position_embedding',
    })
    .apply(tailPosition) as ST;
  const joined = tfl.layers.concatenate({ axis: -1, name: 'embedding' }).apply([charEmb, headEmb, tailEmb]) as ST;
  let x = new SequenceMask({ name: 'embedding_mask' }).apply([joined, mask]) as ST;

  const entityAware = config.entityTypes || config.entityPooling !== undefined || config.entityAttention;
  const anchor = config.maxDistance + 1; // the position id of distance 0: the entity's own characters
  const span = (positions: ST, name: string, mode: 'span' | 'start' = 'span') =>
    new EntitySpanMask({ anchor, mode, name }).apply(positions) as ST;
  const headSpan = entityAware ? span(headPosition, 'head_span') : undefined;
  const tailSpan = entityAware ? span(tailPosition, 'tail_span') : undefined;
  let entityTypes: ST | undefined;
  if (config.entityTypes) {
    if (shape.entityTypeCount === undefined) throw new Error('config.entityTypes needs shape.entityTypeCount');
    entityTypes = tfl.input({ shape: [2], dtype: 'int32', name: 'entityTypes' });
    x = new EntityTypeEmbedding({
      typeCount: shape.entityTypeCount,
      seed: seed(),
      name: 'entity_type_embedding',
    }).apply([x, entityTypes, headSpan!, tailSpan!]) as ST;
  }
  let entities: EntityInputs | undefined;
  if (config.entityPooling !== undefined || config.entityAttention) {
    const start = config.entityPooling === 'start';
    entities = {
      headSpan: headSpan!,
      tailSpan: tailSpan!,
      headPool: start ? span(headPosition, 'head_start', 'start') : headSpan!,
      tailPool: start ? span(tailPosition, 'tail_start', 'start') : tailSpan!,
      positions: tfl.layers.concatenate({ axis: -1, name: 'entity_positions' }).apply([headEmb, tailEmb]) as ST,
    };
  }

  const sentence = encoder.encode({ x, mask, segments, entities, config, seed });
  const dropped = new StepDropout({ rate: config.dropout, seed: config.seed, name: 'dropout' }).apply(sentence) as ST;
  const probabilities = tfl.layers
    .dense({
      units: shape.labelCount,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }),
      name: 'classifier',
    })
    .apply(dropped) as ST;
  const inputs = [chars, headPosition, tailPosition, mask];
  if (segments) inputs.push(segments);
  if (entityTypes) inputs.push(entityTypes);
  return tfl.model({ inputs, outputs: probabilities, name: `emr_re_${config.arch.replace('-', '_')}` });
}
