import { attend, convolutionStem } from './parts';
import { BASE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';

/** `cnn-att`: CNN with attention pooling (paper eqs. 10-11). */
export const cnnAttEncoder: EncoderDefinition = {
  name: 'cnn-att',
  inputs: BASE_INPUTS,
  configKeys: ['cnn', 'attentionForm'],
  description: 'CNN with attention pooling (paper eqs. 10-11)',
  encode: (input) => attend(convolutionStem(input, 'cnn'), input, 'cnn_attention'),
};
