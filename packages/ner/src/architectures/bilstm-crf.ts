import type { NerArchitecture } from './architecture';
import { recurrentFeatures } from './parts';

/** `bilstm-crf`: stacked BiLSTM over the characters, then the CRF (Lample et al. 2016). */
export const bilstmCrf: NerArchitecture = {
  name: 'bilstm-crf',
  configKeys: ['rnn'],
  description: 'stacked BiLSTM over the characters, then the CRF (Lample et al. 2016)',
  encode: (input) => recurrentFeatures(input, 'lstm'),
};
