#!/usr/bin/env node
// Kernel benchmark: each custom kernel of @emr-re/engine against the kernel tfjs 4.22.0 ships for the same op (on the
// wasm backend; the cpu UnsortedSegmentSum on cpu), called directly with the same inputs. Prints one JSON line per
// kernel: the sizes, ms per call (median of the timed runs after warm-up, each side), the speed-up and the largest
// difference between the two outputs. "stockMs": null where tfjs has no such kernel (training fails there without ours).
// The first line describes the machine. Needs a build (`npx turbo run build`).
//
//   node bench/kernels.js [--runs N (default 7)] [--warmup N (default 2)] [--threads N|auto (wasm, default 1)]
//                         [--budget-ms MS (per side and kernel, default 20000)] [--only name,name]
'use strict';

const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ENGINE_DIR = path.join(__dirname, '..', 'packages', 'engine');
const fromEngine = (id) => require(require.resolve(id, { paths: [ENGINE_DIR] }));

/** Median of numbers. */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Calls `run` (one kernel call, returning what it made) `warmup` times, then up to `runs` times within `budgetMs`. */
function time(run, dispose, { warmup, runs, budgetMs }) {
  for (let i = 0; i < warmup; i++) dispose(run());
  const samples = [];
  const start = Date.now();
  while (samples.length < runs && (samples.length === 0 || Date.now() - start < budgetMs)) {
    const t0 = process.hrtime.bigint();
    const out = run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    dispose(out);
  }
  return { ms: +median(samples).toFixed(3), runs: samples.length };
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '7' },
      warmup: { type: 'string', default: '2' },
      threads: { type: 'string', default: '1' },
      'budget-ms': { type: 'string', default: '20000' },
      only: { type: 'string' },
    },
  });
  const opts = { runs: Number(values.runs), warmup: Number(values.warmup), budgetMs: Number(values['budget-ms']) };
  const threads = values.threads === 'auto' ? 'auto' : Number(values.threads);
  const only = values.only ? new Set(values.only.split(',')) : undefined;

  const tf = fromEngine('@tensorflow/tfjs-core');
  let engine;
  try {
    engine = require(ENGINE_DIR);
  } catch (err) {
    throw new Error(`cannot load @emr-re/engine (build it first: npx turbo run build): ${err.message}`);
  }
  // The stock wasm kernels are captured by installEngineFixes (called by selectBackend) before it replaces them.
  await engine.selectBackend({ backend: 'wasm', threads });
  const tfjsVersion = fromEngine('@tensorflow/tfjs-core/package.json').version;
  console.log(
    JSON.stringify({
      machine: `${os.cpus().length} cpus (${os.cpus()[0].model.trim()})`,
      loadavg: os.loadavg().map((l) => +l.toFixed(2)),
      node: process.version,
      tfjs: tfjsVersion,
      wasmThreads: engine.wasmThreadsInUse(),
      runs: opts.runs,
      warmup: opts.warmup,
    }),
  );

  const seeded = (shape, seed) => {
    const rng = new (require(path.join(__dirname, '..', 'packages', 'tokenize')).SeededRandom)(seed);
    return tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1),
      shape,
    );
  };
  const ints = (shape, below, seed) => {
    const rng = new (require(path.join(__dirname, '..', 'packages', 'tokenize')).SeededRandom)(seed);
    return tf.tensor(
      Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.int(below)),
      shape,
      'int32',
    );
  };

  /**
   * One benchmark: `kernel` on `backend`, inputs/attrs from `make()`; `ours` and `stock` are kernel configs (stock
   * undefined when tfjs lacks the kernel). `call` overrides how a side is run (for op-level comparisons).
   */
  const cases = [
    {
      name: 'GatherV2',
      sizes: 'embedding lookup: table (5000, 300) float32, ids (64, 100) int32',
      make: () => ({
        inputs: { x: seeded([5000, 300], 1), indices: ints([64, 100], 5000, 2) },
        attrs: { axis: 0, batchDims: 0 },
      }),
      stock: () => engine.originalWasmGather(),
    },
    {
      name: 'UnsortedSegmentSum',
      sizes: 'embedding gradient: x (6400, 300) float32, segmentIds (6400) in [0, 5000), numSegments 5000',
      make: () => ({
        inputs: { x: seeded([6400, 300], 3), segmentIds: ints([6400], 5000, 4) },
        attrs: { numSegments: 5000 },
      }),
      stock: () => undefined,
    },
    {
      name: 'UnsortedSegmentSum',
      backend: 'cpu',
      // Small: tfjs' cpu kernel is O(numSegments · rows · dim), 13 s per call at (640, 300) -> 500.
      sizes: 'x (256, 128) float32, segmentIds (256) in [0, 200), numSegments 200',
      make: () => ({
        inputs: { x: seeded([256, 128], 5), segmentIds: ints([256], 200, 6) },
        attrs: { numSegments: 200 },
      }),
      stock: () => engine.stockCpuUnsortedSegmentSum(),
    },
    {
      name: 'Conv2DBackpropFilter',
      sizes: 'conv1d weight gradient: x (64, 1, 100, 128), dy (64, 1, 100, 128), filter (1, 3, 128, 128), same',
      make: () => ({
        inputs: { x: seeded([64, 1, 100, 128], 7), dy: seeded([64, 1, 100, 128], 8) },
        attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [1, 3, 128, 128] },
      }),
      stock: () => undefined,
    },
    {
      name: 'BatchMatMul',
      label: 'BatchMatMul aT.b',
      sizes: 'transposeA: a (3200, 350), b (3200, 384) -> (350, 384) (a Dense weight gradient)',
      make: () => ({
        inputs: { a: seeded([3200, 350], 9), b: seeded([3200, 384], 10) },
        attrs: { transposeA: true, transposeB: false },
      }),
      stock: () => engine.originalWasmBatchMatMul(),
    },
    {
      name: 'BatchMatMul',
      label: 'BatchMatMul a.bT',
      sizes: 'transposeB: a (3200, 384), b (350, 384) -> (3200, 350) (a Dense input gradient)',
      make: () => ({
        inputs: { a: seeded([3200, 384], 11), b: seeded([350, 384], 12) },
        attrs: { transposeA: false, transposeB: true },
      }),
      stock: () => engine.originalWasmBatchMatMul(),
    },
    {
      name: 'BatchMatMul',
      label: 'BatchMatMul batched.b',
      sizes: 'a (64, 50, 350), b (350, 384) -> (64, 50, 384)',
      make: () => ({
        inputs: { a: seeded([64, 50, 350], 13), b: seeded([350, 384], 14) },
        attrs: { transposeA: false, transposeB: false },
      }),
      stock: () => engine.originalWasmBatchMatMul(),
    },
    {
      name: 'Tanh',
      sizes: 'x (6400, 256) float32',
      make: () => ({ inputs: { x: seeded([6400, 256], 15) }, attrs: {} }),
      stock: () => engine.originalWasmTanh(),
    },
    {
      name: 'Slice',
      sizes: 'one 64-row slice of x (6400, 384)',
      make: () => ({ inputs: { x: seeded([6400, 384], 16) }, attrs: { begin: [64, 0], size: [64, 384] } }),
      stock: () => engine.stockWasmCopyKernel('Slice'),
    },
    {
      name: 'SplitV',
      sizes: 'x (6400, 384) into 100 parts of 64 rows',
      make: () => ({ inputs: { x: seeded([6400, 384], 17) }, attrs: { numOrSizeSplits: 100, axis: 0 } }),
      stock: () => engine.stockWasmCopyKernel('SplitV'),
    },
    {
      name: 'Unpack',
      sizes: 'x (100, 64, 384) into 100 steps (axis 0)',
      make: () => ({ inputs: { value: seeded([100, 64, 384], 18) }, attrs: { axis: 0 } }),
      stock: () => engine.stockWasmCopyKernel('Unpack'),
    },
    {
      name: 'Reverse',
      sizes: 'x (100, 64, 384) along axis 0',
      make: () => ({ inputs: { x: seeded([100, 64, 384], 19) }, attrs: { dims: [0] } }),
      stock: () => engine.stockWasmCopyKernel('Reverse'),
    },
    {
      name: 'Concat',
      sizes: '3 x (6400, 128) along axis 1',
      make: () => ({
        inputs: [seeded([6400, 128], 20), seeded([6400, 128], 21), seeded([6400, 128], 22)],
        attrs: { axis: 1 },
      }),
      stock: () => engine.stockWasmCopyKernel('Concat'),
    },
    {
      name: 'Pack',
      sizes: '100 x (64, 384) along axis 0',
      make: () => ({ inputs: Array.from({ length: 100 }, (_, i) => seeded([64, 384], 100 + i)), attrs: { axis: 0 } }),
      stock: () => engine.stockWasmCopyKernel('Pack'),
    },
    {
      name: engine.IM2COL_KERNEL,
      sizes:
        'x (64, 100, 128), window 3, mask (64, 100), ones column -> (6400, 385); stock: the same matrix from tfjs ops',
      make: () => ({
        inputs: { x: seeded([64, 100, 128], 23), mask: tf.ones([64, 100]) },
        attrs: { window: 3, appendOnes: true },
      }),
      stock: () => ({ op: true }),
      call: {
        ours: ({ inputs }) => engine.im2colRows(inputs.x, 3, inputs.mask, true),
        stock: ({ inputs }) => engine.im2colRowsFromOps(inputs.x, 3, inputs.mask, true),
      },
    },
  ];

  for (const c of cases) {
    const label = c.label ?? c.name;
    if (only && !only.has(label) && !only.has(c.name)) continue;
    const backendName = c.backend ?? 'wasm';
    await engine.selectBackend({ backend: backendName, threads });
    const backend = tf.backend();
    const { inputs, attrs } = c.make();
    const infosOf = (out) => (Array.isArray(out) ? out : [out]);
    const disposeInfos = (out) => infosOf(out).forEach((t) => backend.disposeData(t.dataId));
    const disposeTensors = (out) => tf.dispose(out);
    const stock = c.stock();
    const ours = tf.getKernel(c.name, backendName);
    const runKernel = (config) => () => config.kernelFunc({ inputs, backend, attrs });
    const sides = c.call
      ? {
          ours: [() => c.call.ours({ inputs, attrs }), disposeTensors],
          stock: [() => c.call.stock({ inputs, attrs }), disposeTensors],
        }
      : { ours: [runKernel(ours), disposeInfos], stock: stock && [runKernel(stock), disposeInfos] };
    const read = (out) => infosOf(out).map((t) => (t instanceof tf.Tensor ? t.dataSync() : backend.readSync(t.dataId)));
    let maxAbsDiff = null;
    if (sides.stock) {
      const a = sides.ours[0]();
      const b = sides.stock[0]();
      const [va, vb] = [read(a), read(b)];
      maxAbsDiff = 0;
      va.forEach((x, i) => {
        for (let j = 0; j < x.length; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x[j] - vb[i][j]));
      });
      sides.ours[1](a);
      sides.stock[1](b);
    }
    const o = time(sides.ours[0], sides.ours[1], opts);
    const s = sides.stock ? time(sides.stock[0], sides.stock[1], opts) : undefined;
    tf.dispose(Array.isArray(inputs) ? inputs : Object.values(inputs));
    console.log(
      JSON.stringify({
        kernel: label,
        backend: backendName,
        sizes: c.sizes,
        oursMs: o.ms,
        stockMs: s ? s.ms : null,
        speedup: s ? +(s.ms / o.ms).toFixed(1) : null,
        runs: { ours: o.runs, stock: s ? s.runs : 0 },
        maxAbsDiff,
        ...(s ? {} : { stock: `tfjs ${tfjsVersion} has no ${backendName} ${c.name} kernel` }),
      }),
    );
  }
}

main().catch((err) => {
  console.error(err.stack ?? String(err));
  process.exitCode = 1;
});
