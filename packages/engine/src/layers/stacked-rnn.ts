import type * as tfl from '@tensorflow/tfjs-layers';
import { FastRNN } from './recurrent';
import type { CellKind } from './recurrent-kernels';

/** The sizes of a stack of bidirectional recurrent layers. */
export interface StackedBiRnnSpec {
  cell: CellKind;
  units: number;
  layers: number;
  /** Gives each layer its initialiser seed, in order. */
  seed: () => number;
}

/**
 * `layers` bidirectional `FastRNN`s stacked on a masked sequence, named `bi<cell><n>`: `(batch, length, d)` →
 * `(batch, length, 2 × units)`; padded steps stay zero.
 * @example const h = stackedBiRnn(x, mask, { cell: 'gru', units: 64, layers: 1, seed: () => 7 });
 */
export function stackedBiRnn(
  x: tfl.SymbolicTensor,
  mask: tfl.SymbolicTensor,
  spec: StackedBiRnnSpec,
): tfl.SymbolicTensor {
  let h = x;
  for (let l = 0; l < spec.layers; l++) {
    h = new FastRNN({
      cell: spec.cell,
      units: spec.units,
      bidirectional: true,
      returnSequences: true,
      seed: spec.seed(),
      name: `bi${spec.cell}${l + 1}`,
    }).apply([h, mask]) as tfl.SymbolicTensor;
  }
  return h;
}
