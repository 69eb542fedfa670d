import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isUserError } from '@emr-re/tokenize';
import { selectBackend } from '../backend/select';
import { ConfigError, ShapeError } from '../errors';
import { fixedRandom } from '../__tests__/gradcheck';
import { BlockOrthogonal } from './initializers';
import { FastRNN } from './recurrent';
import { CellKind, RnnImplementation } from './recurrent-kernels';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A tfjs-layers GRU/LSTM (sigmoid gates), optionally wrapped in `bidirectional`, built for `dim`. */
function referenceLayer(
  cell: CellKind,
  units: number,
  bidirectional: boolean,
  returnSequences: boolean,
): tfl.layers.Layer {
  // glorotNormal: tfjs' default `orthogonal` needs tfjs-core's chained ops, which are not loaded here;
  // the weights are replaced anyway.
  const args = {
    units,
    returnSequences,
    recurrentActivation: 'sigmoid' as const,
    recurrentInitializer: 'glorotNormal' as const,
  };
  const rnn = cell === 'gru' ? tfl.layers.gru(args) : tfl.layers.lstm(args);
  return bidirectional ? tfl.layers.bidirectional({ layer: rnn as never, mergeMode: 'concat' }) : rnn;
}

describe.each(['cpu', 'wasm'])('FastRNN on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend: backend as 'cpu' | 'wasm' });
  });

  describe.each([
    ['gru', false],
    ['gru', true],
    ['lstm', false],
    ['lstm', true],
  ] as Array<[CellKind, boolean]>)('%s bidirectional=%s', (cell, bidirectional) => {
    it.each([
      [true, 'bptt'],
      [false, 'bptt'],
      [true, 'autodiff'],
    ] as Array<[boolean, RnnImplementation]>)(
      'matches tfjs-layers with copied weights (returnSequences=%s, %s)',
      (returnSequences, implementation) => {
        const [B, T, D, U] = [3, 5, 4, 6];
        const x = fixedRandom([B, T, D], 11);
        const mask = tf.ones([B, T]);
        const ref = referenceLayer(cell, U, bidirectional, returnSequences);
        ref.apply(x); // builds
        // Random biases too, so the bias layout is checked.
        ref.setWeights(ref.getWeights().map((w, i) => fixedRandom(w.shape, 100 + i, 0.6)));
        const fast = new FastRNN({ cell, units: U, bidirectional, returnSequences, implementation });
        fast.apply([x, mask]);
        fast.setWeights(ref.getWeights());
        const expected = ref.apply(x) as tf.Tensor;
        const before = tf.memory().numTensors;
        const actual = fast.apply([x, mask]) as tf.Tensor;
        expect(tf.memory().numTensors).toBe(before + 1); // the output only
        const dirs = bidirectional ? 2 : 1;
        expect(actual.shape).toEqual(returnSequences ? [B, T, U * dirs] : [B, U * dirs]);
        expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-5);
        // The outputs are not trivially small: the comparison means something.
        expect(tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0])).toBeGreaterThan(0.1);
        tf.dispose([x, mask, expected, actual]);
        ref.dispose();
        fast.dispose();
      },
    );

    it('gives a padded row the same outputs on its real steps as the row alone', () => {
      const [T, D, U, len] = [7, 3, 4, 4];
      const fast = new FastRNN({ cell, units: U, bidirectional });
      const last = new FastRNN({ cell, units: U, bidirectional, returnSequences: false });
      const padded = tf.concat([fixedRandom([1, len, D], 5), fixedRandom([1, T - len, D], 6, 3)], 1);
      const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0, 0]]);
      const alone = tf.slice(padded, [0, 0, 0], [1, len, D]);
      fast.apply([padded, mask]);
      last.apply([padded, mask]);
      last.setWeights(fast.getWeights());
      const outPadded = fast.apply([padded, mask]) as tf.Tensor;
      const outAlone = fast.apply([alone, tf.ones([1, len])]) as tf.Tensor;
      expect(maxAbsDiff(tf.slice(outPadded, [0, 0, 0], [1, len, -1]), outAlone)).toBeLessThan(1e-6);
      // Padded steps output exactly 0.
      expect(Array.from(tf.slice(outPadded, [0, len, 0], [1, T - len, -1]).dataSync()).every((v) => v === 0)).toBe(
        true,
      );
      // The final state is the forward state at the last real step and the backward state at step 0,
      // exactly what the unpadded row ends with.
      const stateAlone = last.apply([alone, tf.ones([1, len])]) as tf.Tensor;
      const statePadded = last.apply([padded, mask]) as tf.Tensor;
      expect(maxAbsDiff(statePadded, stateAlone)).toBeLessThan(1e-6);
      const fwd = tf.reshape(tf.slice(outAlone, [0, len - 1, 0], [1, 1, U]), [1, U]);
      expect(maxAbsDiff(tf.slice(stateAlone, [0, 0], [1, U]), fwd)).toBeLessThan(1e-6);
      if (bidirectional) {
        const bwd = tf.reshape(tf.slice(outAlone, [0, 0, U], [1, 1, U]), [1, U]);
        expect(maxAbsDiff(tf.slice(stateAlone, [0, U], [1, U]), bwd)).toBeLessThan(1e-6);
      }
      fast.dispose();
      last.dispose();
    });
  });

  it('round-trips through save/load inside a model', async () => {
    const [T, D] = [6, 5];
    const xIn = tfl.input({ shape: [T, D], name: 'x' });
    const maskIn = tfl.input({ shape: [T], name: 'mask' });
    let h = new FastRNN({ cell: 'gru', units: 4, name: 'bigru1' }).apply([xIn, maskIn]) as tfl.SymbolicTensor;
    h = new FastRNN({
      cell: 'lstm',
      units: 3,
      bidirectional: false,
      returnSequences: false,
      implementation: 'autodiff',
      kernelInitializer: 'heNormal',
      recurrentInitializer: 'glorotNormal',
      name: 'lstm2',
    }).apply([h, maskIn]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(h) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [xIn, maskIn], outputs: out });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    const x = fixedRandom([2, T, D], 9);
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 0],
    ]);
    const a = model.predict([x, mask]) as tf.Tensor;
    const b = loaded.predict([x, mask]) as tf.Tensor;
    expect(maxAbsDiff(a, b)).toBe(0);
    const restored = loaded.getLayer('lstm2') as FastRNN;
    expect(restored).toBeInstanceOf(FastRNN);
    expect(restored.getConfig()).toMatchObject({
      cell: 'lstm',
      units: 3,
      bidirectional: false,
      returnSequences: false,
      implementation: 'autodiff',
      kernelInitializer: 'heNormal',
      recurrentInitializer: 'glorotNormal',
    });
    expect(loaded.getLayer('bigru1').getConfig()).toMatchObject({
      implementation: 'bptt',
      recurrentInitializer: 'blockOrthogonal',
    });
    expect(
      loaded
        .getLayer('bigru1')
        .getWeights()
        .map((w) => w.shape),
    ).toEqual([[5, 12], [4, 12], [12], [5, 12], [4, 12], [12]]);
    tf.dispose([x, mask, a, b]);
  });
});

describe('FastRNN arguments and initializers', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('rejects bad arguments with a ConfigError naming the key', () => {
    expect(() => new FastRNN({ cell: 'rnn' as CellKind, units: 4 })).toThrow(/config key "cell"/);
    expect(() => new FastRNN({ cell: 'gru', units: 0 })).toThrow(ConfigError);
    expect(() => new FastRNN({ cell: 'gru', units: 2.5 })).toThrow(/config key "units": must be a positive integer/);
    expect(() => new FastRNN({ cell: 'gru', units: 4, implementation: 'fast' as RnnImplementation })).toThrow(
      /config key "implementation"/,
    );
    expect(() => new FastRNN({ cell: 'gru', units: 4, kernelInitializer: 'noSuchInit' })).toThrow(
      /config key "kernelInitializer": unknown initializer "NoSuchInit"/,
    );
  });

  it('rejects inputs of the wrong shape with a ShapeError, a programming error rather than a user error', () => {
    const rnn = new FastRNN({ cell: 'gru', units: 2 });
    const wrong = () => rnn.apply([tf.zeros([2, 3, 4]), tf.zeros([2, 4])]);
    expect(wrong).toThrow(ShapeError);
    expect(wrong).toThrow(/mask \(batch, length\)/);
    let caught: unknown;
    try {
      wrong();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(isUserError(caught)).toBe(false);
    expect((caught as ShapeError).layer).toBe('FastRNN');
    expect(() => rnn.apply(tf.zeros([2, 3, 4]))).toThrow(ShapeError);
    // A bad configuration value stays a user error.
    let config: unknown;
    try {
      new FastRNN({ cell: 'gru', units: 0 });
    } catch (err) {
      config = err;
    }
    expect(isUserError(config)).toBe(true);
  });

  it('starts LSTM forget-gate biases at 1 and GRU biases at 0, leaving only the weights behind', () => {
    const [x, mask] = [tf.zeros([1, 2, 3]), tf.ones([1, 2])];
    const before = tf.memory().numTensors;
    const bi = new FastRNN({ cell: 'lstm', units: 2 });
    tf.dispose(bi.apply([x, mask]) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(before + 6);
    bi.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const lstm = new FastRNN({ cell: 'lstm', units: 2, bidirectional: false });
    lstm.apply([x, mask]);
    expect(Array.from(lstm.getWeights()[2].dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    const gru = new FastRNN({ cell: 'gru', units: 2, bidirectional: false });
    gru.apply([tf.zeros([1, 2, 3]), tf.ones([1, 2])]);
    expect(Array.from(gru.getWeights()[2].dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('blockOrthogonal makes every gate block orthogonal', () => {
    const w = new BlockOrthogonal().apply([8, 24]);
    for (let g = 0; g < 3; g++) {
      const block = tf.slice(w, [0, 8 * g], [8, 8]);
      const gram = tf.matMul(block, block, true, false);
      expect(maxAbsDiff(gram, tf.eye(8))).toBeLessThan(1e-5);
    }
    // Not the same block three times.
    expect(maxAbsDiff(tf.slice(w, [0, 0], [8, 8]), tf.slice(w, [0, 8], [8, 8]))).toBeGreaterThan(0.1);
    const tall = new BlockOrthogonal(2).apply([6, 4]);
    expect(maxAbsDiff(tf.matMul(tall, tall, true, false), tf.mul(tf.eye(4), 4))).toBeLessThan(1e-5);
  });
});
