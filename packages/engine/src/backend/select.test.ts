import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '@emr-re/tokenize';
import { BackendUnavailableError, selectBackend, selectedBackend } from './select';
import { wasmThreadsInUse } from './wasm-threads';

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const hasTfjsNode = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

describe('selectBackend', () => {
  const savedEnv = process.env.EMR_RE_BACKEND;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.EMR_RE_BACKEND;
    else process.env.EMR_RE_BACKEND = savedEnv;
  });

  it('auto picks the best installed backend, logs once, and is idempotent', async () => {
    delete process.env.EMR_RE_BACKEND;
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const chosen = await selectBackend({ log });
    expect(chosen).toBe(hasTfjsNode ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(chosen);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`backend: ${chosen}`);
    if (!hasTfjsNode) expect(lines[0]).toContain('@tensorflow/tfjs-node not installed');
    // Second call: same backend, no new log line.
    expect(await selectBackend({ log })).toBe(chosen);
    expect(await selectBackend({ backend: chosen, log })).toBe(chosen);
    expect(lines).toHaveLength(1);
    expect(selectedBackend()).toBe(chosen);
  });

  it('switches on an explicit request and on EMR_RE_BACKEND', async () => {
    const lines: string[] = [];
    expect(await selectBackend({ backend: 'cpu', log: (l) => lines.push(l) })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    process.env.EMR_RE_BACKEND = 'wasm';
    expect(await selectBackend({ log: (l) => lines.push(l) })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const threads = wasmThreadsInUse() as number;
    expect(threads).toBeGreaterThanOrEqual(1);
    // An explicit option beats the environment.
    expect(await selectBackend({ backend: 'cpu' })).toBe('cpu');
    expect(lines).toEqual([
      'backend: cpu (@tensorflow/tfjs-backend-cpu)',
      `backend: wasm (@tensorflow/tfjs-backend-wasm${threads > 1 ? `, ${threads} threads` : ''})`,
    ]);
  });

  it('runs concurrent calls one after another', async () => {
    const results = await Promise.all([selectBackend({ backend: 'wasm' }), selectBackend({ backend: 'cpu' })]);
    expect(results).toEqual(['wasm', 'cpu']);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects unknown names with a UsageError naming the source', async () => {
    process.env.EMR_RE_BACKEND = 'webgl';
    await expect(selectBackend()).rejects.toThrow(UsageError);
    await expect(selectBackend()).rejects.toThrow('EMR_RE_BACKEND: unknown backend "webgl"');
    await expect(selectBackend({ backend: 'gpu' as never })).rejects.toThrow('backend option: unknown backend "gpu"');
  });

  (hasTfjsNode ? it.skip : it)('reports a missing tfjs-node as BackendUnavailableError', async () => {
    delete process.env.EMR_RE_BACKEND;
    const failure = selectBackend({ backend: 'tensorflow' });
    await expect(failure).rejects.toThrow(BackendUnavailableError);
    await expect(selectBackend({ backend: 'tensorflow' })).rejects.toThrow(
      'backend "tensorflow" is not available: @tensorflow/tfjs-node-gpu not installed; @tensorflow/tfjs-node not installed',
    );
  });

  it('registers the wasm training kernels', async () => {
    await selectBackend({ backend: 'wasm' });
    const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    expect(names).toEqual(expect.arrayContaining(['UnsortedSegmentSum', 'Conv2DBackpropFilter', 'BatchMatMul']));
  });
});
