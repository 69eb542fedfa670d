import { attend, recurrentBranch } from './parts';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';

/** `bigru-att`: the BiGRU branch alone (paper Figure 4) with attention pooling. */
export const bigruAttEncoder: EncoderDefinition = {
  name: 'bigru-att',
  inputs: BASE_INPUTS,
  configKeys: ['rnn', 'attentionForm'],
  description: 'the BiGRU branch alone (paper Figure 4) with attention pooling',
  encode: (input) => attend(recurrentBranch(input, 'gru'), input, 'rnn_attention'),
};
