import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '@emr-re/tokenize';
import { selectBackend } from './select';
import { setThreadedOpMinFlops, threadPoolPointerAddress, wasmThreadsInUse } from './wasm-threads';
import { fixedRandom } from '../__tests__/gradcheck';
import { conv1dSame } from '../layers/conv';
import { recurrentSequence } from '../layers/recurrent-kernels';

/** The engine's WebAssembly global (the DOM lib, which would type it, is not in this project's lib list). */
const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** A wasm module importing one function and exporting `get_threads_count` = `body` (after 1 i32 local). */
function tinyModule(body: number[]): Uint8Array {
  const section = (id: number, bytes: number[]) => [id, bytes.length, ...bytes];
  const name = [...Buffer.from('get_threads_count')];
  const code0 = [0x00, 0x41, 0x00, 0x0b]; // no locals; i32.const 0; end
  const code1 = [0x01, 0x01, 0x7f, ...body, 0x0b];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x00, 0x01, 0x7f]), // type 0: [] -> [i32]
    ...section(2, [0x01, 0x03, ...Buffer.from('env'), 0x01, ...Buffer.from('f'), 0x00, 0x00]), // import env.f
    ...section(3, [0x02, 0x00, 0x00]), // two functions of type 0
    ...section(5, [0x01, 0x00, 0x01]), // memory, min 1 page
    ...section(7, [0x01, name.length, ...name, 0x00, 0x02]), // export function 2 (1 import + second body)
    ...section(10, [0x02, code0.length, ...code0, code1.length, ...code1]),
  ]);
}

describe('threadPoolPointerAddress', () => {
  it('reads `i32.const A; i32.load offset=O` at the start of get_threads_count as A + O', () => {
    // i32.const 23564 (0x8c 0xb8 0x01); i32.load align=2 offset=8
    const wasm = tinyModule([0x41, 0x8c, 0xb8, 0x01, 0x28, 0x02, 0x08]);
    expect(wasmApi.validate(wasm)).toBe(true);
    expect(threadPoolPointerAddress(wasm)).toBe(23564 + 8);
  });

  it('refuses a body of another shape', () => {
    // i32.const 4; drop; i32.const 0  — no load
    const wasm = tinyModule([0x41, 0x04, 0x1a, 0x41, 0x00]);
    expect(wasmApi.validate(wasm)).toBe(true);
    expect(threadPoolPointerAddress(wasm)).toBeUndefined();
  });

  it('finds a word-aligned address in the threaded build tfjs ships', () => {
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    const address = threadPoolPointerAddress(fs.readFileSync(path.join(dist, 'tfjs-backend-wasm-threaded-simd.wasm')));
    expect(address).toBeGreaterThan(0);
    expect((address as number) % 4).toBe(0);
  });
});

/**
 * Loss and gradients of a small ResGRU-like network (embedding → conv → BiGRU (bptt) → mean-pool → dense), plus
 * one large product, as plain arrays; `pooled`: every gated product on the thread pool.
 */
function networkGradients(pooled: boolean): { loss: number; grads: number[][]; product: number[] } {
  const previous = setThreadedOpMinFlops(pooled ? 0 : Infinity);
  try {
    const [B, T, V, E, F, U, C] = [6, 10, 30, 12, 16, 10, 5];
    const ids = tf.tensor2d(
      Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 7 + t * 3) % V)),
      [B, T],
      'int32',
    );
    const lengths = [10, 9, 7, 10, 4, 1];
    const mask = tf.tensor2d(lengths.map((len) => Array.from({ length: T }, (_, t) => (t < len ? 1 : 0))));
    const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 4, 2, 0], 'int32'), C);
    const weights = [
      fixedRandom([V, E], 1, 0.5),
      fixedRandom([3, E, F], 2, 0.4),
      ...[0, 1].flatMap((d) => [
        fixedRandom([F, 3 * U], 3 + d, 0.4),
        fixedRandom([U, 3 * U], 5 + d, 0.4),
        fixedRandom([3 * U], 7 + d, 0.1),
      ]),
      fixedRandom([2 * U, C], 9, 0.4),
    ];
    const loss = (table: tf.Tensor, kernel: tf.Tensor, ...rest: tf.Tensor[]): tf.Scalar => {
      const x = tf.gather(table, ids) as tf.Tensor3D; // (B, T, E)
      const h = tf.relu(conv1dSame(x, kernel as tf.Tensor3D)); // (B, T, F)
      const dirs = [0, 1].map((d) => ({
        kernel: rest[3 * d],
        recurrentKernel: rest[3 * d + 1],
        bias: rest[3 * d + 2],
      }));
      const seq = recurrentSequence(h, mask, dirs, {
        cell: 'gru',
        units: U,
        returnSequences: true,
        implementation: 'bptt',
      });
      const pooledState = tf.mean(seq, 1); // (B, 2U)
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(pooledState, rest[6])) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(loss)(weights);
    const big = tf.tidy(() => tf.matMul(fixedRandom([300, 256], 11), fixedRandom([256, 200], 12))); // 30.7 MFLOP
    const out = {
      loss: value.dataSync()[0],
      grads: grads.map((g) => Array.from(g.dataSync())),
      product: Array.from(big.dataSync()),
    };
    tf.dispose([value, ...grads, big, ids, mask, labels, ...weights]);
    return out;
  } finally {
    setThreadedOpMinFlops(previous);
  }
}

describe('selectBackend threads (wasm)', () => {
  const savedEnv = process.env.EMR_RE_WASM_THREADS;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.EMR_RE_WASM_THREADS;
    else process.env.EMR_RE_WASM_THREADS = savedEnv;
  });
  afterAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('starts XNNPACK on 2 threads whose workers do not keep a process alive', async () => {
    // A child process runs a product on 2 threads and must then exit by itself (the pool's workers are unref'd).
    const root = path.resolve(__dirname, '../../../..');
    const script = `
      const ts = require('typescript'); const fs = require('fs'); const Module = require('module');
      require.extensions['.ts'] = (m, file) => m._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'),
        { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, file);
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        const m = /^@emr-re\\/([a-z-]+)$/.exec(request);
        return resolve.call(this, m ? ${JSON.stringify(root)} + '/packages/' + m[1] + '/src/index.ts' : request, ...rest);
      };
      const tf = require('@tensorflow/tfjs-core');
      const { selectBackend } = require(${JSON.stringify(path.join(__dirname, 'select.ts'))});
      const { wasmThreadsInUse } = require(${JSON.stringify(path.join(__dirname, 'wasm-threads.ts'))});
      selectBackend({ backend: 'wasm', threads: 2 }).then(() => {
        const c = tf.matMul(tf.ones([400, 300]), tf.ones([300, 200]));
        console.log(wasmThreadsInUse(), c.dataSync()[0]);
      });`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: root, timeout: 30_000, encoding: 'utf8' });
    expect({ signal: child.signal, status: child.status, stderr: child.stderr }).toEqual({
      signal: null,
      status: 0,
      stderr: '',
    });
    expect(child.stdout.trim()).toBe('2 300');

    const lines: string[] = [];
    expect(await selectBackend({ backend: 'wasm', threads: 2, log: (l) => lines.push(l) })).toBe('wasm');
    expect(wasmThreadsInUse()).toBe(2);
    expect(lines).toEqual(['backend: wasm (@tensorflow/tfjs-backend-wasm, 2 threads)']);
    // Same request again: nothing restarts, nothing is logged.
    expect(await selectBackend({ backend: 'wasm', threads: 2, log: (l) => lines.push(l) })).toBe('wasm');
    expect(await selectBackend({ log: (l) => lines.push(l) })).toBe('wasm');
    expect(lines).toHaveLength(1);
  });

  it('gives bit-identical losses, gradients and products with the thread pool on every product and single-threaded', async () => {
    await selectBackend({ backend: 'wasm', threads: 2 });
    expect(wasmThreadsInUse()).toBe(2);
    const threaded = networkGradients(true);
    const threadedGated = networkGradients(false);
    // Another explicit count restarts the wasm backend with it.
    await selectBackend({ backend: 'wasm', threads: 1 });
    expect(wasmThreadsInUse()).toBe(1);
    const single = networkGradients(false);
    expect(single.grads).toHaveLength(9);
    expect(Math.max(...single.grads.map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(1e-3);
    expect(threaded).toEqual(single);
    expect(threadedGated).toEqual(single);
    await selectBackend({ backend: 'cpu' });
    const cpu = networkGradients(false);
    expect(Math.abs(cpu.loss - single.loss)).toBeLessThan(1e-5);
    cpu.grads.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - single.grads[i][j])).toBeLessThan(1e-4)));
  });

  it('takes the count from EMR_RE_WASM_THREADS when the option is absent, and rejects bad counts', async () => {
    await expect(selectBackend({ backend: 'wasm', threads: 0 })).rejects.toThrow(UsageError);
    await expect(selectBackend({ backend: 'wasm', threads: 'many' as never })).rejects.toThrow(
      'threads option: threads must be "auto" or an integer >= 1, got "many"',
    );
    process.env.EMR_RE_WASM_THREADS = 'two';
    await expect(selectBackend({ backend: 'wasm' })).rejects.toThrow('EMR_RE_WASM_THREADS: threads must be');
    process.env.EMR_RE_WASM_THREADS = '1';
    await selectBackend({ backend: 'cpu' });
    // The environment sets the count only when wasm starts; it is running (1 thread) from the test above.
    expect(await selectBackend({ backend: 'wasm' })).toBe('wasm');
    expect(wasmThreadsInUse()).toBe(1);
  });
});
