import { entityMarkerCount } from '@emr-re/tokenize';
import type { EntityMarkerScheme } from '@emr-re/tokenize';
import type { ModelConfig } from './config';

/**
 * The typed-marker scheme of a model (`config.entityMarkers`), or undefined when it is off: marker ids follow the
 * character vocabulary (`firstId = vocabularySize`), one start marker per role and entity type of the schema.
 */
export function markerSchemeOf(
  config: Pick<ModelConfig, 'entityMarkers'>,
  vocabularySize: number,
  entityTypes: readonly string[] | undefined,
): EntityMarkerScheme | undefined {
  if (config.entityMarkers === undefined) return undefined;
  if (entityTypes === undefined) throw new Error('config.entityMarkers needs the list of entity types');
  return { entityTypes, firstId: vocabularySize };
}

/**
 * Rows of the character embedding table `(rows, charDim)`: the vocabulary, then the marker ids when
 * `config.entityMarkers` is on (`entityMarkerCount` over `typeCount` schema entity types).
 */
export function charEmbeddingRows(
  config: Pick<ModelConfig, 'entityMarkers'>,
  vocabularySize: number,
  typeCount: number,
): number {
  return vocabularySize + (config.entityMarkers === undefined ? 0 : entityMarkerCount(typeCount));
}
