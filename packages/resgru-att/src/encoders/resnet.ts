import { maxPool, residualBranch } from './parts';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';

/** `resnet`: the residual CNN branch alone (paper Figure 3), masked max pooling. */
export const resnetEncoder: EncoderDefinition = {
  name: 'resnet',
  inputs: BASE_INPUTS,
  configKeys: ['cnn'],
  description: 'the residual CNN branch alone (paper Figure 3), masked max pooling',
  encode: (input) => maxPool(residualBranch(input), input, 'res_pool'),
};
