import type { NerArchitecture } from './architecture';
import { concatenateFeatures, recurrentFeatures, residualFeatures } from './parts';

/**
 * `resgru-crf`: the paper's hybrid carried over to tagging: a residual convolution branch ⊕ a BiGRU branch,
 * concatenated per character (no pooling), then the CRF.
 */
export const resgruCrf: NerArchitecture = {
  name: 'resgru-crf',
  configKeys: ['cnn', 'rnn'],
  description: 'residual convolution branch ⊕ BiGRU branch, concatenated per character, then the CRF',
  encode: (input) => concatenateFeatures([residualFeatures(input), recurrentFeatures(input, 'gru')], 'hybrid'),
};
