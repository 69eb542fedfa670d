import { attend, recurrentBranch } from './parts';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';

/** `bilstm-att`: BiLSTM with attention pooling (Zhou et al. 2016). */
export const bilstmAttEncoder: EncoderDefinition = {
  name: 'bilstm-att',
  inputs: BASE_INPUTS,
  configKeys: ['rnn', 'attentionForm'],
  description: 'BiLSTM with attention pooling (Zhou et al. 2016)',
  encode: (input) => attend(recurrentBranch(input, 'lstm'), input, 'rnn_attention'),
};
