import * as tf from '@tensorflow/tfjs-core';
import { Conv1DSame, ResidualBlock1D } from './conv';
import { EntityAwareAttention, EntitySpanMask, EntityTypeEmbedding } from './entity';
import { AttentionPooling, MaskedMaxPooling, PiecewiseMaxPooling } from './pooling';
import { FastRNN } from './recurrent';
import { SequenceMask } from './sequence-mask';
import { StepDropout } from './step-dropout';

/** Every layer class of the engine, by the `className` a saved `model.json` names it with. */
export const LAYER_CLASSES = [
  Conv1DSame,
  ResidualBlock1D,
  AttentionPooling,
  MaskedMaxPooling,
  PiecewiseMaxPooling,
  FastRNN,
  SequenceMask,
  StepDropout,
  EntitySpanMask,
  EntityTypeEmbedding,
  EntityAwareAttention,
] as const;

/**
 * Registers every engine layer class with tfjs' serialization registry (idempotent; each module also registers its
 * class when it loads). Call it before `tfl.loadLayersModel` of a model that uses engine layers when a bundler
 * might drop modules imported only for their registration (the package declares `"sideEffects": false`).
 */
export function registerLayers(): void {
  for (const cls of LAYER_CLASSES)
    tf.serialization.registerClass(
      cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
    );
}
