import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backend/select';
import { ConfigError, ShapeError } from '../errors';
import { deriveSeed, initializerSeeds } from '../random';
import { Conv1DSame, ResidualBlock1D } from './conv';
import { BlockOrthogonal, resolveInitializer } from './initializers';
import { AttentionPooling } from './pooling';
import { FastRNN } from './recurrent';

/** The weights of `layer` after building it on `x` (and `mask`), as plain arrays. */
function weightsOf(layer: tfl.layers.Layer, inputs: tf.Tensor | tf.Tensor[]): number[][] {
  tf.dispose(layer.apply(inputs) as tf.Tensor);
  return layer.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('seeded initialisers', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('resolve a named initializer with the seed: same values for the same seed, others for another', () => {
    const draw = (seed: number) => Array.from(resolveInitializer('glorotUniform', 'k', seed).apply([3, 4]).dataSync());
    expect(draw(17)).toEqual(draw(17));
    expect(draw(17)).not.toEqual(draw(18));
    // A seed the spec names itself wins.
    const own = resolveInitializer({ className: 'GlorotUniform', config: { seed: 5 } }, 'k', 17).apply([3, 4]);
    expect(Array.from(own.dataSync())).toEqual(draw(5));
  });

  it('build layers from their seed alone, each weight from its own stream, without calling Math.random', () => {
    const random = jest.spyOn(Math, 'random');
    const x = tf.ones([2, 5, 4]);
    const mask = tf.ones([2, 5]);
    const conv = (seed: number) => weightsOf(new Conv1DSame({ filters: 4, kernelSize: 3, seed }), [x, mask]);
    expect(conv(1)).toEqual(conv(1));
    expect(conv(1)[0]).not.toEqual(conv(2)[0]);
    const block = weightsOf(new ResidualBlock1D({ filters: 4, kernelSize: 3, seed: 3 }), [x, mask]);
    expect(block[0]).not.toEqual(block[2]); // kernel1, kernel2: same shape, different seeds
    const rnn = (seed: number) => weightsOf(new FastRNN({ cell: 'gru', units: 4, seed }), [x, mask]);
    const gru = rnn(4);
    expect(gru).toEqual(rnn(4));
    expect(gru[0]).not.toEqual(gru[3]); // forward and backward input kernels
    expect(gru[1]).not.toEqual(gru[4]); // forward and backward recurrent kernels (blockOrthogonal)
    const attention = (seed: number) => weightsOf(new AttentionPooling({ seed }), [x, mask]);
    expect(attention(5)).toEqual(attention(5));
    expect(random).not.toHaveBeenCalled();
    random.mockRestore();
    tf.dispose([x, mask]);
  });

  it('keep the seed in the layer config, so a saved layer rebuilds the same way', () => {
    const layer = new Conv1DSame({ filters: 2, kernelSize: 3, seed: 9 });
    expect(layer.getConfig()).toMatchObject({ seed: 9, kernelInitializer: 'glorotUniform' });
    expect(new Conv1DSame({ filters: 2, kernelSize: 3 }).getConfig()).not.toHaveProperty('seed');
    expect(() => new Conv1DSame({ filters: 2, kernelSize: 3, seed: 1.5 })).toThrow(ConfigError);
  });

  it('BlockOrthogonal with a seed draws the same orthogonal blocks; a non-2-D shape is a ShapeError', () => {
    const a = new BlockOrthogonal(1, 11).apply([4, 8]);
    const b = new BlockOrthogonal(1, 11).apply([4, 8]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(new BlockOrthogonal(1, 11).getConfig()).toEqual({ gain: 1, seed: 11 });
    expect(() => new BlockOrthogonal().apply([2, 2, 2])).toThrow(ShapeError);
    tf.dispose([a, b]);
  });

  it('hand out distinct nonzero 31-bit seeds (tfjs treats seed 0 as none)', () => {
    const next = initializerSeeds(1);
    const seeds = Array.from({ length: 1000 }, next);
    expect(new Set(seeds).size).toBe(1000);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 1 && s < 2 ** 31)).toBe(true);
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(1, 1));
    expect(deriveSeed(1, 0)).toBe(deriveSeed(1, 0));
  });
});
