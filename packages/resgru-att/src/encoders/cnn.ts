import { convolutionStem, maxPool } from './parts';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';

/** `cnn`: Kim's CNN: multi-window convolutions, masked max pooling. */
export const cnnEncoder: EncoderDefinition = {
  name: 'cnn',
  inputs: BASE_INPUTS,
  configKeys: ['cnn'],
  description: "Kim's CNN: multi-window convolutions, masked max pooling",
  encode: (input) => maxPool(convolutionStem(input, 'cnn'), input, 'cnn_pool'),
};
