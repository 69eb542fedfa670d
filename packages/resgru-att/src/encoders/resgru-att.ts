import { attend, concatenate, recurrentBranch, residualBranch } from './parts';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';

/** `resgru-att`: ResGRU-Att, the paper's model (Figure 2). */
export const resgruAttEncoder: EncoderDefinition = {
  name: 'resgru-att',
  inputs: BASE_INPUTS,
  configKeys: ['cnn', 'rnn', 'attentionForm'],
  description: 'ResGRU-Att (the paper): residual CNN branch ⊕ BiGRU branch, each with attention pooling',
  encode: (input) => {
    // Paper eq. 12: S = Sc ⊕ SG, each branch with its own attention.
    const res = attend(residualBranch(input), input, 'res_attention');
    const gru = attend(recurrentBranch(input, 'gru'), input, 'rnn_attention');
    return concatenate([res, gru], 'hybrid');
  },
};
