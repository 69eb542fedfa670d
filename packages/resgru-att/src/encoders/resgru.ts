import { concatenate, maxPool, recurrentBranch, residualBranch } from './parts';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';

/** `resgru`: the paper's hybrid with max pooling instead of attention (residual CNN ⊕ BiGRU). */
export const resgruEncoder: EncoderDefinition = {
  name: 'resgru',
  inputs: BASE_INPUTS,
  configKeys: ['cnn', 'rnn'],
  description: 'the hybrid with max pooling: residual CNN branch ⊕ BiGRU branch',
  encode: (input) => {
    const res = maxPool(residualBranch(input), input, 'res_pool');
    const gru = maxPool(recurrentBranch(input, 'gru'), input, 'rnn_pool');
    return concatenate([res, gru], 'hybrid');
  },
};
