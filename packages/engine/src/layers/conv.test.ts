import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { selectBackend } from '../backend/select';
import { Conv1DSame, ResidualBlock1D, conv1dSame } from './conv';
import { fixedRandom, gradientError, layerGradientError, maxAbsDiff, verdict } from '../__tests__/gradcheck';
import { roundTrip } from '../__tests__/serialization';

describe.each(['cpu', 'wasm'] as const)('convolutions on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend });
  });

  it.each([1, 3, 5, 7])('conv1dSame equals tf.conv1d(x, w, 1, "same") for window %i', (window) => {
    tf.tidy(() => {
      const x = fixedRandom([2, 9, 4], window) as tf.Tensor3D;
      const w = fixedRandom([window, 4, 5], 100 + window) as tf.Tensor3D;
      const b = fixedRandom([5], 200 + window) as tf.Tensor1D;
      const ours = conv1dSame(x, w, b);
      const stock = tf.add(tf.conv1d(x, w, 1, 'same'), b);
      expect(ours.shape).toEqual([2, 9, 5]);
      expect(maxAbsDiff(ours.dataSync(), stock.dataSync())).toBeLessThan(1e-5);
    });
  });

  it('conv1dSame gradients (input, kernel, bias) match central differences, window 3 and 5', () => {
    for (const window of [3, 5]) {
      const x = fixedRandom([2, 5, 3], 1);
      const w = fixedRandom([window, 3, 2], 2);
      const b = fixedRandom([2], 3);
      const r = fixedRandom([2, 5, 2], 4);
      const res = gradientError(
        (xx, ww, bb) =>
          tf.sum(tf.mul(conv1dSame(xx as tf.Tensor3D, ww as tf.Tensor3D, bb as tf.Tensor1D), r)) as tf.Scalar,
        [x, w, b],
      );
      expect(verdict(res)).toMatchObject({ worst: 'ok' });
      tf.dispose([x, w, b, r]);
    }
  });

  it('Conv1DSame layer (relu) gradients match central differences', () => {
    // Seeded weights: a random draw can put a pre-activation within eps of relu's kink, where differences fail.
    const layer = new Conv1DSame({
      filters: 3,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 21 }),
    });
    const x = fixedRandom([2, 5, 2], 7);
    const res = layerGradientError(layer, [x], [0], { eps: 1e-3 });
    expect(verdict(res)).toMatchObject({ worst: 'ok' });
    layer.dispose();
    x.dispose();
  });

  it.each([
    [
      'Conv1DSame relu',
      () =>
        new Conv1DSame({ filters: 3, kernelSize: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 23 }) }),
    ],
    [
      'Conv1DSame linear, no bias',
      () => new Conv1DSame({ filters: 2, kernelSize: 5, activation: 'linear', useBias: false }),
    ],
    [
      'ResidualBlock1D',
      () =>
        new ResidualBlock1D({ filters: 3, kernelSize: 3, kernelInitializer: tfl.initializers.heNormal({ seed: 47 }) }),
    ],
  ])('%s with a mask: gradients (input and weights) match central differences, zero at padded steps', (_name, make) => {
    const layer = make();
    const x = fixedRandom([2, 5, 3], 17);
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
    ]);
    const res = layerGradientError(layer as never, [x, mask], [0], { eps: 1e-3 });
    expect(verdict(res)).toMatchObject({ worst: 'ok' });
    const g = tf.tidy(() =>
      tf
        .grad((xx: tf.Tensor) => tf.sum(layer.apply([xx, mask]) as tf.Tensor))(x)
        .arraySync(),
    ) as number[][][];
    expect(
      g[1]
        .slice(3)
        .flat()
        .map((v) => v + 0),
    ).toEqual([0, 0, 0, 0, 0, 0]); // + 0: -0 is 0
    expect(
      g[1]
        .slice(0, 3)
        .flat()
        .some((v) => v !== 0),
    ).toBe(true);
    (layer as { dispose(): void }).dispose();
    tf.dispose([x, mask]);
  });

  it('Conv1DSame with a mask gives a padded row exactly what the unpadded sentence gives', () => {
    tf.tidy(() => {
      const layer = new Conv1DSame({ filters: 3, kernelSize: 5, activation: 'linear' });
      const x = fixedRandom([2, 6, 2], 9) as tf.Tensor3D;
      const mask = tf.tensor2d([
        [1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0, 0],
      ]);
      const padded = layer.apply([x, mask]) as tf.Tensor;
      const alone = layer.apply(tf.slice(x, [1, 0, 0], [1, 4, 2])) as tf.Tensor;
      const row = tf.slice(padded, [1, 0, 0], [1, 4, 3]);
      expect(maxAbsDiff(row.dataSync(), alone.dataSync())).toBeLessThan(1e-6);
      expect(Array.from(tf.slice(padded, [1, 4, 0], [1, 2, 3]).dataSync(), Math.abs)).toEqual([0, 0, 0, 0, 0, 0]);
      // Row 0 has no padding: the mask changes nothing there.
      const unmasked = layer.apply(x) as tf.Tensor;
      expect(
        maxAbsDiff(
          tf.slice(padded, [0, 0, 0], [1, 6, 3]).dataSync(),
          tf.slice(unmasked, [0, 0, 0], [1, 6, 3]).dataSync(),
        ),
      ).toBeLessThan(1e-6);
      layer.dispose();
    });
  });

  it('ResidualBlock1D equals relu(c + conv2(relu(conv1(c)))) built from tf.conv1d', () => {
    tf.tidy(() => {
      const block = new ResidualBlock1D({ filters: 4, kernelSize: 3 });
      const c = fixedRandom([2, 7, 4], 11) as tf.Tensor3D;
      const out = block.apply(c) as tf.Tensor;
      const [k1, b1, k2, b2] = block.getWeights();
      const first = tf.relu(tf.add(tf.conv1d(c, k1 as tf.Tensor3D, 1, 'same'), b1)) as tf.Tensor3D;
      const expected = tf.relu(tf.add(c, tf.add(tf.conv1d(first, k2 as tf.Tensor3D, 1, 'same'), b2)));
      expect(out.shape).toEqual([2, 7, 4]);
      expect(maxAbsDiff(out.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      block.dispose();
    });
  });

  it('ResidualBlock1D gradients (input and all four weights) match central differences', () => {
    const block = new ResidualBlock1D({
      filters: 3,
      kernelSize: 3,
      kernelInitializer: tfl.initializers.heNormal({ seed: 47 }),
    });
    const c = fixedRandom([2, 4, 3], 13);
    const res = layerGradientError(block, [c], [0], { eps: 1e-3 });
    expect(verdict(res)).toMatchObject({ worst: 'ok' });
    block.dispose();
    c.dispose();
  });

  it('Conv1DSame and ResidualBlock1D save and load in the tfjs format with identical outputs', async () => {
    const x = tfl.input({ shape: [6, 3] });
    const mask = tfl.input({ shape: [6] });
    const conv = new Conv1DSame({ filters: 4, kernelSize: 3, kernelInitializer: 'heNormal' }).apply([
      x,
      mask,
    ]) as tfl.SymbolicTensor;
    const block = new ResidualBlock1D({ filters: 4, kernelSize: 5 }).apply([conv, mask]) as tfl.SymbolicTensor;
    const linear = new Conv1DSame({ filters: 2, kernelSize: 1, activation: 'linear', useBias: false }).apply(
      block,
    ) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [x, mask], outputs: linear });
    const xs = [
      fixedRandom([2, 6, 3], 17),
      tf.tensor2d([
        [1, 1, 1, 1, 1, 0],
        [1, 1, 1, 0, 0, 0],
      ]),
    ];
    const { config, loaded } = await roundTrip(model, xs);
    expect(JSON.stringify(config)).toContain('"class_name":"EmrConv1DSame"');
    expect(JSON.stringify(config)).toContain('"class_name":"EmrResidualBlock1D"');
    expect(JSON.stringify(config)).toContain('"use_bias":false');
    expect(loaded.layers[2].getConfig()).toMatchObject({
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      useBias: true,
    });
    tf.dispose(xs);
    model.dispose();
    loaded.dispose();
  });
});

describe('argument checks', () => {
  it('rejects even windows, bad filters and unknown activations with ConfigError naming the key', () => {
    expect(() => new Conv1DSame({ filters: 4, kernelSize: 4 })).toThrow(ConfigError);
    expect(() => new Conv1DSame({ filters: 4, kernelSize: 4 })).toThrow('config key "kernelSize"');
    expect(() => new Conv1DSame({ filters: 0, kernelSize: 3 })).toThrow('config key "filters"');
    expect(() => new Conv1DSame({ filters: 2, kernelSize: 3, activation: 'tanh' as never })).toThrow(
      'config key "activation"',
    );
    expect(() => new ResidualBlock1D({ filters: 2, kernelSize: 3, kernelInitializer: 'noSuchInit' })).toThrow(
      'config key "kernelInitializer"',
    );
  });

  it('rejects a residual block whose input width differs from its filters with a ShapeError', async () => {
    await selectBackend({ backend: 'cpu' });
    const x = tfl.input({ shape: [6, 3] });
    const wire = () => new ResidualBlock1D({ filters: 4, kernelSize: 3 }).apply(x);
    expect(wire).toThrow(ShapeError);
    expect(wire).toThrow(
      'ResidualBlock1D: has an identity shortcut: input must be (batch, length, 4), got [null, 6, 3]',
    );
  });

  it('rejects a kernel whose channels differ from the input with a ShapeError', async () => {
    await selectBackend({ backend: 'cpu' });
    tf.tidy(() => {
      const x = fixedRandom([1, 5, 3], 1) as tf.Tensor3D;
      const kernel = fixedRandom([3, 4, 2], 2) as tf.Tensor3D;
      expect(() => conv1dSame(x, kernel)).toThrow(ShapeError);
      expect(() => conv1dSame(x, kernel)).toThrow('conv1dSame: kernel expects 4 input channels, x has 3');
    });
  });
});
