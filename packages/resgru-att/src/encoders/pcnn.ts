import { convolutionStem, piecewisePool } from './parts';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';

/** `pcnn`: PCNN (Zeng et al. 2015): convolutions, max pooling over the three pieces the entities cut. */
export const pcnnEncoder: EncoderDefinition = {
  name: 'pcnn',
  inputs: [...BASE_INPUTS, 'segments'],
  configKeys: ['cnn'],
  description: 'PCNN (Zeng et al. 2015): convolutions, max pooling over the three pieces the entities cut',
  encode: (input) => piecewisePool(convolutionStem(input, 'cnn'), input, 'pcnn_pool'),
};
