import type { NerArchitecture } from './architecture';
import { recurrentFeatures } from './parts';

/** `bigru-crf`: stacked BiGRU over the characters, then the CRF (the default). */
export const bigruCrf: NerArchitecture = {
  name: 'bigru-crf',
  configKeys: ['rnn'],
  description: 'stacked BiGRU over the characters, then the CRF',
  encode: (input) => recurrentFeatures(input, 'gru'),
};
