#!/usr/bin/env node
// Engine benchmark: @emr-re/resgru-att on tfjs (wasm by default) versus the same models in PyTorch.
//
//   npm run bench:engine -- [--json] [--cases bigru-att-128,resnet-5x128] [--backend wasm|cpu|tensorflow]
//                           [--warmup N] [--steps N] [--min-length L] [--no-torch] [--python PATH]
//                           [--threads N] [--seed S] [--package DIR] [--print-spec] [--profile] [--wasm-threads N]
//
// One run = one child process for PyTorch (bench/torch_engine.py, spawned once with every case, run to
// completion first) and then our side in this process, so the two never share the cores. Both sides get
// the same case definitions and the same input batch (built here from a seeded generator and sent to
// Python on stdin). See BENCHMARKS.md, section "Engine", for the model definitions and the FLOP formulas.
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { seededRandom } = require('./common');

const ROOT = path.resolve(__dirname, '..');
const RESGRU_DIR = path.join(ROOT, 'packages', 'resgru-att');
const ENGINE_DIST = path.join(ROOT, 'packages', 'engine', 'dist', 'index.js');

/** Shared sizes: batch 64, sentence length 100, 12 classes, position vocab 2 * maxDistance + 2. */
const BATCH = 64;
const LENGTH = 100;
const CLASSES = 12;
const MAX_DISTANCE = 100;
const POS_VOCAB = 2 * MAX_DISTANCE + 2;
const CHAR_VOCAB = 4000;
const POS_DIM = 25;
const DROPOUT = 0.5;
const LEARNING_RATE = 0.015; // the paper's Table 3

/** The four cases of the issue; `letter` lets `--cases a,b` work as well as the names. */
const CASES = [
  {
    name: 'bigru-att-128',
    letter: 'a',
    charDim: 100,
    encoder: { kind: 'bigru-att', units: 128, layers: 1 },
  },
  {
    name: 'resnet-5x128',
    letter: 'b',
    charDim: 100,
    encoder: { kind: 'resnet-max', filters: 128, blocks: 5, window: 3 },
  },
  {
    name: 'resgru-att-small',
    letter: 'c',
    charDim: 100,
    encoder: { kind: 'resgru-att', filters: 64, blocks: 2, window: 3, units: 64, layers: 1 },
  },
  {
    name: 'resgru-att-paper',
    letter: 'd',
    charDim: 300,
    warmup: 1,
    steps: 3,
    encoder: { kind: 'resgru-att', filters: 128, blocks: 5, window: 3, units: 512, layers: 3 },
  },
].map((c) => ({ charVocab: CHAR_VOCAB, posVocab: POS_VOCAB, posDim: POS_DIM, classes: CLASSES, ...c }));

const DEFAULT_CASES = ['bigru-att-128', 'resnet-5x128', 'resgru-att-small'];

/** A bad command line: reported as one stderr line, exit code 2. */
class UsageError extends Error {}

/**
 * Forward-pass FLOPs of one batch, counting only matMul/conv multiply-adds as 2 FLOPs each
 * (embedding lookups, activations, attention softmax and the optimizer are left out).
 * Train FLOPs are 3x forward: the backward pass does one input-gradient and one weight-gradient
 * product of the same size per forward product (the embeddings train, so every input gradient is needed).
 */
function forwardFlops(c, batch = BATCH, length = LENGTH) {
  const rows = batch * length; // (batch * length) positions
  const e = c.charDim + 2 * c.posDim;
  const enc = c.encoder;
  let flops = 0;
  let pooled = 0;
  if (enc.kind === 'resnet-max' || enc.kind === 'resgru-att') {
    const k = enc.window;
    const f = enc.filters;
    flops += 2 * rows * k * e * f; // stem conv
    flops += enc.blocks * 2 * (2 * rows * k * f * f); // two convs per block
    if (enc.kind === 'resgru-att') flops += 2 * (2 * rows * f); // attention score w . tanh(H_i) and sum a_i H_i
    pooled += f;
  }
  if (enc.kind === 'bigru-att' || enc.kind === 'resgru-att') {
    const h = enc.units;
    for (let layer = 0; layer < enc.layers; layer++) {
      const input = layer === 0 ? e : 2 * h;
      flops += 2 /* directions */ * (2 * rows * input * 3 * h + 2 * rows * h * 3 * h);
    }
    flops += 2 * (2 * rows * 2 * h); // attention score and weighted sum over (batch, length, 2h)
    pooled += 2 * h;
  }
  flops += 2 * batch * pooled * c.classes; // dense
  return flops;
}

/**
 * The benchmark batch: random char ids in [1, vocab), two entity positions per row and the relative
 * position ids clip(i - e, -maxDistance, maxDistance) + maxDistance + 1, id 0 and mask 0 on padding.
 * Row lengths are uniform in [minLength, length]; minLength = length (the default) gives full rows.
 */
function makeBatch(seed, minLength, charVocab = CHAR_VOCAB) {
  const rand = seededRandom(seed); // both sides see the same batch on every run
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
  const chars = [];
  const pos1 = [];
  const pos2 = [];
  const mask = [];
  const labels = [];
  const rel = (i, e) => Math.max(-MAX_DISTANCE, Math.min(MAX_DISTANCE, i - e)) + MAX_DISTANCE + 1;
  for (let b = 0; b < BATCH; b++) {
    const len = int(minLength, LENGTH);
    const e1 = int(0, len - 1);
    const e2 = int(0, len - 1);
    const c = new Array(LENGTH).fill(0);
    const p1 = new Array(LENGTH).fill(0);
    const p2 = new Array(LENGTH).fill(0);
    const m = new Array(LENGTH).fill(0);
    for (let i = 0; i < len; i++) {
      c[i] = int(1, charVocab - 1);
      p1[i] = rel(i, e1);
      p2[i] = rel(i, e2);
      m[i] = 1;
    }
    chars.push(c);
    pos1.push(p1);
    pos2.push(p2);
    mask.push(m);
    labels.push(int(0, CLASSES - 1));
  }
  return { chars, pos1, pos2, mask, labels };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function parseCli(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean', default: false },
        cases: { type: 'string' },
        backend: { type: 'string', default: 'wasm' },
        warmup: { type: 'string' },
        steps: { type: 'string' },
        'min-length': { type: 'string' },
        'no-torch': { type: 'boolean', default: false },
        python: { type: 'string', default: '/usr/bin/python3' },
        threads: { type: 'string' },
        seed: { type: 'string', default: '20240501' },
        'print-spec': { type: 'boolean', default: false },
        package: { type: 'string' },
        profile: { type: 'boolean', default: false },
        'wasm-threads': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(err.message);
  }
  const v = parsed.values;
  const int = (name, min) => {
    if (v[name] === undefined) return undefined;
    const n = Number(v[name]);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`--${name} must be an integer >= ${min}, got "${v[name]}"`);
    return n;
  };
  const wanted =
    v.cases === undefined
      ? DEFAULT_CASES
      : v.cases
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  const cases = wanted.map((w) => {
    const c = CASES.find((k) => k.name === w || k.letter === w);
    if (!c)
      throw new UsageError(`unknown case "${w}"; known: ${CASES.map((k) => `${k.name} (${k.letter})`).join(', ')}`);
    return c;
  });
  if (cases.length === 0) throw new UsageError('--cases is empty');
  if (!['wasm', 'cpu', 'tensorflow', 'auto'].includes(v.backend)) {
    throw new UsageError(`--backend must be wasm, cpu, tensorflow or auto, got "${v.backend}"`);
  }
  const minLength = int('min-length', 1) ?? LENGTH;
  if (minLength > LENGTH) throw new UsageError(`--min-length must be <= ${LENGTH}`);
  return {
    json: v.json,
    cases,
    backend: v.backend,
    warmup: int('warmup', 0),
    steps: int('steps', 1),
    minLength,
    torch: !v['no-torch'],
    python: v.python,
    threads: int('threads', 1),
    seed: int('seed', 0),
    printSpec: v['print-spec'],
    packageDir: v.package === undefined ? RESGRU_DIR : path.resolve(v.package),
    profile: v.profile,
    wasmThreads:
      v['wasm-threads'] === undefined ? undefined : v['wasm-threads'] === 'auto' ? 'auto' : int('wasm-threads', 1),
    help: v.help,
  };
}

/** The run spec both sides read: case definitions, step counts and the batch. */
function buildSpec(opts) {
  const defaults = { warmup: opts.warmup ?? 2, steps: opts.steps ?? 5 };
  return {
    warmup: defaults.warmup,
    steps: defaults.steps,
    threads: opts.threads ?? null,
    lr: LEARNING_RATE,
    dropout: DROPOUT,
    seed: opts.seed,
    cases: opts.cases.map((c) => ({
      ...c,
      // explicit --warmup/--steps apply to every case; otherwise the paper case keeps its smaller counts
      warmup: opts.warmup ?? c.warmup ?? defaults.warmup,
      steps: opts.steps ?? c.steps ?? defaults.steps,
    })),
    profile: Boolean(opts.profile),
    batch: makeBatch(opts.seed, opts.minLength),
  };
}

/** Runs bench/torch_engine.py once with every case; resolves to a Map case name -> result line. */
function runTorch(spec, python) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(__dirname, 'torch_engine.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new Error(`cannot start ${python}: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) {
        reject(
          new Error(
            `${python} bench/torch_engine.py exited with ${code}: ${err.trim().split('\n').pop() || 'no message'}`,
          ),
        );
        return;
      }
      const results = new Map();
      for (const line of out.split('\n')) {
        if (!line.trim()) continue;
        const r = JSON.parse(line);
        results.set(r.case, r);
      }
      resolve(results);
    });
    child.stdin.end(JSON.stringify(spec));
  });
}

/** Loads tfjs-core/-layers as the resgru-att package sees them (one tfjs instance) plus the package. */
function loadOurs(packageDir = RESGRU_DIR) {
  const fromPkg = (id) => require(require.resolve(id, { paths: [packageDir] }));
  let rg;
  try {
    rg = require(packageDir);
  } catch (err) {
    throw new Error(`cannot load @emr-re/resgru-att (build it first: npm run build): ${err.message}`);
  }
  const tf = fromPkg('@tensorflow/tfjs-core');
  const tfl = fromPkg('@tensorflow/tfjs-layers');
  for (const name of [
    'selectBackend',
    'Conv1DSame',
    'ResidualBlock1D',
    'AttentionPooling',
    'MaskedMaxPooling',
    'FastRNN',
  ]) {
    if (rg[name] === undefined) throw new Error(`@emr-re/resgru-att does not export ${name}`);
  }
  return { tf, tfl, rg, SequenceMask: rg.SequenceMask ?? sequenceMaskClass(tf, tfl) };
}

/** [x (batch, length, dim), mask (batch, length)] -> x with padded steps zeroed, as the package does. */
function sequenceMaskClass(tf, tfl) {
  class BenchSequenceMask extends tfl.layers.Layer {
    computeOutputShape(inputShape) {
      return inputShape[0];
    }
    call(inputs) {
      return tf.tidy(() => tf.mul(inputs[0], tf.expandDims(inputs[1], -1)));
    }
  }
  BenchSequenceMask.className = 'BenchSequenceMask';
  return BenchSequenceMask;
}

/**
 * Our model for one case as a functional tfjs-layers model built from @emr-re/resgru-att layers, laid out
 * like the package's own networks: inputs chars, pos1, pos2 (batch, length) int32 and mask (batch, length)
 * float; char ⊕ pos1 ⊕ pos2 embeddings zeroed at padding -> encoder -> pooling -> dropout -> dense logits
 * (batch, classes). Softmax is left to the loss, as in PyTorch's CrossEntropyLoss.
 */
function buildOurs({ tfl, rg, SequenceMask }, c) {
  const enc = c.encoder;
  const T = LENGTH;
  const chars = tfl.input({ shape: [T], dtype: 'int32', name: 'chars' });
  const pos1 = tfl.input({ shape: [T], dtype: 'int32', name: 'pos1' });
  const pos2 = tfl.input({ shape: [T], dtype: 'int32', name: 'pos2' });
  const mask = tfl.input({ shape: [T], dtype: 'float32', name: 'mask' });
  const embedded = tfl.layers
    .concatenate({ axis: -1 })
    .apply([
      tfl.layers.embedding({ inputDim: c.charVocab, outputDim: c.charDim }).apply(chars),
      tfl.layers.embedding({ inputDim: c.posVocab, outputDim: c.posDim }).apply(pos1),
      tfl.layers.embedding({ inputDim: c.posVocab, outputDim: c.posDim }).apply(pos2),
    ]); // (batch, length, charDim + 2 * posDim)
  const x = new SequenceMask({}).apply([embedded, mask]); // (batch, length, dv), zero at padding
  const feats = [];
  if (enc.kind === 'resnet-max' || enc.kind === 'resgru-att') {
    let h = new rg.Conv1DSame({ filters: enc.filters, kernelSize: enc.window, activation: 'relu' }).apply(x);
    for (let b = 0; b < enc.blocks; b++) {
      h = new rg.ResidualBlock1D({ filters: enc.filters, kernelSize: enc.window }).apply(h); // (batch, length, filters)
    }
    const pool = enc.kind === 'resnet-max' ? new rg.MaskedMaxPooling({}) : new rg.AttentionPooling({});
    feats.push(pool.apply([h, mask])); // (batch, filters)
  }
  if (enc.kind === 'bigru-att' || enc.kind === 'resgru-att') {
    let h = x;
    for (let l = 0; l < enc.layers; l++) {
      h = new rg.FastRNN({ cell: 'gru', units: enc.units, bidirectional: true, returnSequences: true }).apply([
        h,
        mask,
      ]);
    } // (batch, length, 2 * units)
    feats.push(new rg.AttentionPooling({}).apply([h, mask])); // (batch, 2 * units)
  }
  const s = feats.length === 1 ? feats[0] : tfl.layers.concatenate({ axis: -1 }).apply(feats); // (batch, pooled)
  const logits = tfl.layers.dense({ units: c.classes }).apply(tfl.layers.dropout({ rate: DROPOUT }).apply(s));
  return tfl.model({ inputs: [chars, pos1, pos2, mask], outputs: logits, name: `bench_${c.name.replace(/-/g, '_')}` });
}

/**
 * Runs `fn` `warmup` times untimed, then `steps` times; returns wall-clock ms per step and this process's CPU
 * ms per step (user + system, all threads: with a worker thread it can exceed wall time; on a shared machine
 * it is the work done, which other processes do not inflate).
 */
function timeSteps(fn, warmup, steps) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  const cpu = [];
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpu.push((c.user + c.system) / 1e3);
  }
  samples.cpu = cpu;
  return samples;
}

/**
 * Per-kernel self time of `fn` (ms and calls by kernel name, biggest first): every kernel of the active backend
 * is wrapped with a timer for the call, time spent in kernels a kernel calls itself (e.g. a JS kernel handing a
 * product to BatchMatMul) counted for the inner one only. `other` is the rest of the wall time: tfjs' engine
 * (tape, bookkeeping), layer code and the optimizer's JS.
 */
function profileKernels(tf, fn) {
  const backendName = tf.getBackend();
  const configs = tf.getKernelsForBackend(backendName);
  const totals = new Map();
  const stack = [];
  const bytesBefore = tf.memory().numBytes;
  let peakBytes = bytesBefore;
  for (const config of configs) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const t0 = process.hrtime.bigint();
        stack.push(0n);
        try {
          return inner(args);
        } finally {
          const child = stack.pop();
          const total = process.hrtime.bigint() - t0;
          peakBytes = Math.max(peakBytes, tf.memory().numBytes);
          if (stack.length > 0) stack[stack.length - 1] += total;
          const entry = totals.get(config.kernelName) ?? { ns: 0n, calls: 0 };
          entry.ns += total - child;
          entry.calls++;
          totals.set(config.kernelName, entry);
        }
      },
    });
  }
  const t0 = process.hrtime.bigint();
  try {
    fn();
  } finally {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
  const wallNs = process.hrtime.bigint() - t0;
  let kernelNs = 0n;
  const rows = [...totals].map(([name, e]) => {
    kernelNs += e.ns;
    return { kernel: name, ms: round(Number(e.ns) / 1e6, 2), calls: e.calls };
  });
  rows.sort((a, b) => b.ms - a.ms);
  rows.push({ kernel: 'other', ms: round(Number(wallNs - kernelNs) / 1e6, 2), calls: 0 });
  // peakTensorMb: the most tensor memory alive at any kernel's end during the step, above what was alive before it.
  return {
    wallMs: round(Number(wallNs) / 1e6, 1),
    peakTensorMb: Math.round((peakBytes - bytesBefore) / 2 ** 20),
    kernels: rows,
  };
}

/** Times our train step (forward + softmax cross-entropy + backward + Adam) and inference for one case. */
function benchOurs(ours, c, spec) {
  const { tf } = ours;
  const tensorsBefore = tf.memory().numTensors;
  const b = spec.batch;
  const inputs = [
    tf.tensor2d(b.chars, [BATCH, LENGTH], 'int32'),
    tf.tensor2d(b.pos1, [BATCH, LENGTH], 'int32'),
    tf.tensor2d(b.pos2, [BATCH, LENGTH], 'int32'),
    tf.tensor2d(b.mask, [BATCH, LENGTH], 'float32'),
  ];
  const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(b.labels, 'int32'), CLASSES), 'float32')); // (batch, classes)
  const model = buildOurs(ours, c);
  const vars = model.trainableWeights.map((w) => w.read());
  const optimizer = tf.train.adam(LEARNING_RATE);
  const trainStep = () => {
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(onehot, model.apply(inputs, { training: true })),
      true,
      vars,
    );
    cost.dataSync(); // outside any tidy (ENGINE-NOTES: returning arrays from tidy is slow)
    cost.dispose();
  };
  const inferStep = () => {
    const probs = tf.tidy(() => tf.softmax(model.apply(inputs, { training: false })));
    probs.dataSync();
    probs.dispose();
  };
  let train;
  let infer;
  let profile;
  try {
    train = timeSteps(trainStep, c.warmup, c.steps);
    infer = timeSteps(inferStep, c.warmup, c.steps);
    if (spec.profile) profile = { train: profileKernels(tf, trainStep), infer: profileKernels(tf, inferStep) };
  } finally {
    optimizer.dispose();
    model.dispose();
    tf.dispose([...inputs, onehot]);
  }
  // tensors left behind by the case (should be 0; a leak would also skew later cases' timings)
  // The wasm heap grows and never shrinks: its size is the peak of the process so far (4 GiB at most).
  const wasmHeap = tf.getBackend() === 'wasm' ? tf.backend().wasm?.HEAPU8?.buffer?.byteLength : undefined;
  return {
    train,
    infer,
    profile,
    wasmHeapMb: wasmHeap === undefined ? null : Math.round(wasmHeap / 2 ** 20),
    leakedTensors: tf.memory().numTensors - tensorsBefore,
  };
}

const round = (x, d = 1) => (x === null || x === undefined ? null : Number(x.toFixed(d)));
const gflops = (flops, ms) => (ms ? flops / ms / 1e6 : null);

function resultLine(c, oursRes, torchRes, backend) {
  const fwd = forwardFlops(c);
  const oursTrainMs = oursRes ? median(oursRes.train) : null;
  const oursInferMs = oursRes ? median(oursRes.infer) : null;
  const torchTrainMs = torchRes ? torchRes.torchTrainMs : null;
  const torchInferMs = torchRes ? torchRes.torchInferMs : null;
  return {
    case: c.name,
    oursTrainMs: round(oursTrainMs),
    torchTrainMs: round(torchTrainMs),
    oursInferMs: round(oursInferMs),
    torchInferMs: round(torchInferMs),
    trainRatio: oursTrainMs && torchTrainMs ? round(oursTrainMs / torchTrainMs, 2) : null,
    inferRatio: oursInferMs && torchInferMs ? round(oursInferMs / torchInferMs, 2) : null,
    trainGflop: round((3 * fwd) / 1e9, 2),
    inferGflop: round(fwd / 1e9, 2),
    oursTrainGflops: round(gflops(3 * fwd, oursTrainMs)),
    torchTrainGflops: round(gflops(3 * fwd, torchTrainMs)),
    oursInferGflops: round(gflops(fwd, oursInferMs)),
    torchInferGflops: round(gflops(fwd, torchInferMs)),
    backend,
    torchThreads: torchRes ? torchRes.torchThreads : null,
    torchVersion: torchRes ? torchRes.torchVersion : null,
    batch: BATCH,
    length: LENGTH,
    warmup: c.warmup,
    steps: c.steps,
    oursTrainSamplesMs: oursRes ? oursRes.train.map((x) => round(x, 3)) : null,
    oursInferSamplesMs: oursRes ? oursRes.infer.map((x) => round(x, 3)) : null,
    torchTrainSamplesMs: torchRes ? torchRes.torchTrainSamplesMs : null,
    torchInferSamplesMs: torchRes ? torchRes.torchInferSamplesMs : null,
    oursLeakedTensors: oursRes ? oursRes.leakedTensors : null,
    oursTrainCpuMs: oursRes ? round(median(oursRes.train.cpu)) : null,
    oursInferCpuMs: oursRes ? round(median(oursRes.infer.cpu)) : null,
    oursPeakRssMb: oursRes ? Math.round(process.resourceUsage().maxRSS / 1024) : null,
    oursWasmHeapMb: oursRes ? oursRes.wasmHeapMb : null,
    ...(oursRes && oursRes.profile ? { oursProfile: oursRes.profile } : {}),
  };
}

function printTable(lines) {
  const cols = [
    ['case', 'case'],
    ['ours train ms', 'oursTrainMs'],
    ['torch train ms', 'torchTrainMs'],
    ['ratio', 'trainRatio'],
    ['ours infer ms', 'oursInferMs'],
    ['torch infer ms', 'torchInferMs'],
    ['ratio', 'inferRatio'],
    ['ours train GF/s', 'oursTrainGflops'],
    ['torch train GF/s', 'torchTrainGflops'],
    ['ours infer GF/s', 'oursInferGflops'],
    ['torch infer GF/s', 'torchInferGflops'],
  ];
  const rows = [cols.map(([h]) => h), ...lines.map((l) => cols.map(([, k]) => (l[k] === null ? '-' : String(l[k]))))];
  const widths = cols.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(r.map((s, i) => s.padStart(widths[i])).join('  ') + '\n');
  if (lines.length)
    process.stdout.write(
      `backend ${lines[0].backend}, torch ${lines[0].torchVersion ?? '-'} x${lines[0].torchThreads ?? '-'} threads, batch ${BATCH}, length ${LENGTH}\n`,
    );
}

/**
 * Threads of XNNPACK's pool in the active wasm backend (1 = single-threaded build): @emr-re/engine's
 * `wasmThreadsInUse()` (its pool is gated, so the module's own count reads -1 between ops; builds from before the
 * engine package had it in resgru-att's `dist/backend`), else the module's count.
 */
function wasmThreadCount(tf, packageDir) {
  for (const from of [ENGINE_DIST, path.join(packageDir, 'dist', 'backend')]) {
    try {
      const n = require(from).wasmThreadsInUse?.();
      if (typeof n === 'number') return n;
    } catch {
      // not built, or an older build: try the next, then ask the module itself
    }
  }
  const n = tf.backend().wasm?.tfjs?.getThreadsCount?.();
  return typeof n === 'number' && n > 0 ? n : null;
}

function printProfile(name, profile) {
  for (const phase of ['train', 'infer']) {
    const p = profile[phase];
    process.stdout.write(
      `${name} ${phase}: ${p.wallMs} ms, peak tensors +${p.peakTensorMb} MB (one profiled step; kernel self times)\n`,
    );
    const top = p.kernels.filter((k) => k.kernel !== 'other').slice(0, 16);
    for (const k of [...top, p.kernels[p.kernels.length - 1]]) {
      process.stdout.write(
        `  ${k.kernel.padEnd(24)} ${String(k.ms).padStart(9)} ms ${String(k.calls).padStart(6)} calls\n`,
      );
    }
  }
}

const HELP = `usage: npm run bench:engine -- [--json] [--cases a,b | bigru-att-128,...] [--backend wasm]
  [--warmup N] [--steps N] [--min-length L] [--no-torch] [--python /usr/bin/python3] [--threads N] [--seed S]
  [--package DIR (load @emr-re/resgru-att from DIR, default packages/resgru-att)] [--print-spec]
  [--wasm-threads N|auto (wasm thread pool; default: the package's, i.e. EMR_RE_WASM_THREADS or auto)]
  [--profile (one more train and inference step with per-kernel self times: "oursProfile")]
cases: ${CASES.map((c) => `${c.letter}=${c.name}`).join(', ')} (default: ${DEFAULT_CASES.join(',')})
`;

async function main(argv) {
  const opts = parseCli(argv);
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const spec = buildSpec(opts);
  if (opts.printSpec) {
    process.stdout.write(JSON.stringify(spec) + '\n');
    return 0;
  }
  const ours = loadOurs(opts.packageDir); // fail before the (slow) PyTorch side if our package is not built
  // PyTorch first, to completion, then ours: the two sides never run at the same time.
  const torchResults = opts.torch ? await runTorch(spec, opts.python) : new Map();
  const backend = await ours.rg.selectBackend({
    backend: opts.backend,
    ...(opts.wasmThreads === undefined ? {} : { threads: opts.wasmThreads }),
  });
  const wasmThreads = ours.tf.getBackend() === 'wasm' ? wasmThreadCount(ours.tf, opts.packageDir) : null;
  const backendName = typeof backend === 'string' ? backend : ours.tf.getBackend();
  const lines = [];
  let failed = 0;
  for (const c of spec.cases) {
    let oursRes;
    let oursError;
    try {
      oursRes = benchOurs(ours, c, spec);
    } catch (err) {
      // e.g. the wasm heap (4 GiB max) running out: report the case, keep the PyTorch numbers
      oursError = String(err && err.message ? err.message : err);
      failed++;
    }
    const line = resultLine(c, oursRes, torchResults.get(c.name), backendName);
    line.oursWasmThreads = wasmThreads;
    if (oursError !== undefined) line.oursError = oursError;
    lines.push(line);
    if (opts.json) process.stdout.write(JSON.stringify(line) + '\n');
    if (!opts.json && line.oursProfile) printProfile(c.name, line.oursProfile);
    else if (oursError !== undefined) process.stderr.write(`bench:engine: ${c.name}: our side failed: ${oursError}\n`);
  }
  if (!opts.json) printTable(lines);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  // exitCode, not exit(): exit() would cut piped stdout (e.g. --print-spec) at 64 KiB
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`bench:engine: ${err.message}\n`);
      process.exitCode = err instanceof UsageError || err.code === 'USAGE' ? 2 : 1;
    },
  );
}

module.exports = {
  CASES,
  forwardFlops,
  makeBatch,
  buildSpec,
  parseCli,
  loadOurs,
  buildOurs,
  benchOurs,
  resultLine,
  main,
};
