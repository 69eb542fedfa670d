/** Test helper: a save → load round trip through tfjs' standard model format, in memory. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { maxAbsDiff } from './gradcheck';

/**
 * Saves `model` with `tf.io.withSaveHandler` (model.json topology + weight specs + one weight buffer), loads it
 * back with `tfl.loadLayersModel`, and checks that both predict the same on `inputs`.
 */
export async function roundTrip(
  model: tfl.LayersModel,
  inputs: tf.Tensor[],
): Promise<{ config: unknown; loaded: tfl.LayersModel }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      // Through JSON, as a model.json file would be.
      saved = { ...artifacts, modelTopology: JSON.parse(JSON.stringify(artifacts.modelTopology)) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
  const before = model.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
  const after = loaded.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
  const diff = maxAbsDiff(before.dataSync(), after.dataSync());
  const nonzero = before.dataSync().some((v) => v !== 0);
  tf.dispose([before, after]);
  if (diff !== 0) throw new Error(`loaded model predicts differently (max diff ${diff})`);
  if (!nonzero) throw new Error('round trip compared all-zero outputs');
  return { config: saved!.modelTopology, loaded };
}
