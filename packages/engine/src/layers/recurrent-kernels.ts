import * as tf from '@tensorflow/tfjs-core';

/**
 * Sequence kernels behind `FastRNN`: masked uni/bidirectional GRU and LSTM over a whole batch, as plain tfjs ops
 * (inference, or differentiated by tfjs' tape) or with a hand-written BPTT (`tf.customGrad`).
 *
 * Layout. Weights keep tfjs-layers' layout per direction (`kernel (D, G·U)`, `recurrent_kernel (U, G·U)`,
 * `bias (G·U)`, gates z,r,h for GRU and i,f,c,o for LSTM), so tfjs GRU/LSTM weights copy in unchanged.
 * Internally the layer works time-major, on rows `(T·B, ·)` ordered (step, batch row): the input is transposed once,
 * every step reads the contiguous rows `[s·B, (s+1)·B)`, and the backward direction simply walks the steps from
 * the last to the first (no reversed copies of the input or the outputs).
 *
 * Speed on tfjs wasm: XNNPACK runs only rank-2 matMuls without transpose flags, each op costs ~10-25 µs of
 * dispatch, `tanh` is ~6× slower than `sigmoid`. So: the input projections of all steps are one or two
 * `(T·B, D) × (D, ·)` matMuls (bias fused) before the loop; a step makes one recurrent product per group of gates
 * that meets the same operand (GRU: z and r together, then h; LSTM: all four), one sigmoid per group and no
 * concatenations; tanh(a) = 2σ(2a) − 1 with the factor 2 folded into the weights. The BPTT computes the local
 * derivative factors of all steps at once, keeps only the recurrence in its reverse loop (reading each step's
 * rows with a copy-free slice), and forms every weight gradient as one matMul over `T·B` rows with explicit
 * transposes; the bias gradient rides along as an extra row of ones under the input (`[xᵀ; 1] · G`).
 *
 * Memory. With `bptt` the whole layer (both directions, the transposes in and out) is one node on tfjs' tape, so
 * tfjs keeps only what the layer saves (the transposed input, the mask, and per direction the states and gate
 * activations: 4 GRU or 7 LSTM `(T·B, U)` tensors), not the layer's intermediate tensors and their gradients until
 * the end of `tf.grads`. The backward pass frees each direction's saved tensors as soon as it is done with them
 * and works direction by direction, so its peak is about one direction's factors and gate gradients.
 *
 * Masking. Padding sits at the end of each row, so the forward direction has nothing real after its
 * padding and the backward direction nothing real before it. The state is therefore simply zeroed at
 * padded steps (`h = m ⊙ h_new`): outputs are 0 there, and the backward direction enters each row's last
 * real step with a zero state, exactly as without padding. The forward direction's last real state is picked from
 * the outputs with the selector `m_s (1 − m_{s+1})`, which is 1 only at each row's last real step; the backward
 * direction's is its state at step 0.
 */

/** The recurrent cell. */
export type CellKind = 'gru' | 'lstm';

/** How gradients are computed: tfjs autodiff through the step loop, or the hand-written BPTT. */
export type RnnImplementation = 'autodiff' | 'bptt';

/** One direction's weights in tfjs-layers layout. */
export interface DirectionWeights {
  /** `(inputDim, gates × units)` */
  kernel: tf.Tensor;
  /** `(units, gates × units)` */
  recurrentKernel: tf.Tensor;
  /** `(gates × units)` */
  bias: tf.Tensor;
}

/** What `recurrentSequence` computes. */
export interface RecurrentSpec {
  cell: CellKind;
  units: number;
  /** `true`: all outputs `(B, T, N)`; `false`: the last real state `(B, N)`. */
  returnSequences: boolean;
  implementation: RnnImplementation;
}

/** Number of gate blocks of a cell's weights: 3 (GRU z, r, h) or 4 (LSTM i, f, c, o). */
export function gateCount(cell: CellKind): number {
  return cell === 'gru' ? 3 : 4;
}

/** Index of the tanh gate (GRU h, LSTM c), whose projections and recurrent weights are pre-scaled by 2. */
const TANH_GATE = 2;

/** Sizes of one layer run. */
interface Dims {
  T: number;
  B: number;
  D: number;
  U: number;
}

/**
 * A direction's gate groups: gates that meet the same recurrent operand share one projection and one product.
 * GRU: `[z r]` (operand h) and `[h]` (operand r ⊙ h); LSTM: `[i f c o]` (operand h).
 */
function groupsOf(cell: CellKind): Array<{ first: number; count: number }> {
  return cell === 'gru'
    ? [
        { first: 0, count: 2 },
        { first: 2, count: 1 },
      ]
    : [{ first: 0, count: 4 }];
}

/** `(1, G·U)`-broadcastable column scale: 2 on the tanh gate's block, 1 elsewhere (only if the group has it). */
function gateScale(first: number, count: number, units: number): tf.Tensor | undefined {
  if (TANH_GATE < first || TANH_GATE >= first + count) return undefined;
  const values = new Float32Array(count * units).fill(1);
  values.fill(2, (TANH_GATE - first) * units, (TANH_GATE - first + 1) * units);
  return tf.tensor1d(values);
}

/** Column block of gates `[first, first + count)` of a `(rows, G·U)` matrix (or a `(G·U)` vector). */
function gateColumns(m: tf.Tensor, first: number, count: number, units: number): tf.Tensor {
  if (m.rank === 1) return tf.slice(m, [first * units], [count * units]);
  return tf.slice(m, [0, first * units], [m.shape[0], count * units]);
}

/** One direction's per-group input projections `(T·B, k·U)` (bias included) and recurrent matrices `(U, k·U)`. */
interface Prepared {
  proj: tf.Tensor[];
  rec: tf.Tensor[];
}

/** `x2d (T·B, D)` rows in step order, one direction's weights → projections and recurrent matrices, tanh gate ×2. */
function prepare(x2d: tf.Tensor, w: DirectionWeights, cell: CellKind, units: number): Prepared {
  const proj: tf.Tensor[] = [];
  const rec: tf.Tensor[] = [];
  for (const { first, count } of groupsOf(cell)) {
    const scale = gateScale(first, count, units);
    let kernel = gateColumns(w.kernel, first, count, units);
    let bias = gateColumns(w.bias, first, count, units);
    let recurrent = gateColumns(w.recurrentKernel, first, count, units);
    if (scale !== undefined) {
      kernel = tf.mul(kernel, scale);
      bias = tf.mul(bias, scale);
      recurrent = tf.mul(recurrent, scale);
    }
    proj.push(tf.fused.matMul({ a: x2d as tf.Tensor2D, b: kernel as tf.Tensor2D, bias }));
    rec.push(recurrent);
  }
  return { proj, rec };
}

/** Rows `[s·B, (s+1)·B)` of a `(T·B, n)` matrix: step s. */
function stepRows(m: tf.Tensor, s: number, B: number): tf.Tensor {
  return tf.slice(m, [s * B, 0], [B, m.shape[1] as number]);
}

/** Constants of a layer run. */
interface Consts {
  one: tf.Scalar;
  two: tf.Scalar;
}

/**
 * GRU step (tfjs-layers GRUCell, resetAfter=false, sigmoid gates): z, r = σ(x_zr + h R_zr),
 * n = tanh(x_h + (r ⊙ h) R_h), h' = z ⊙ h + (1 − z) ⊙ n, h = m ⊙ h'. Returns `[h, z, r, n]`, each `(B, U)`.
 */
function gruStep(p: Prepared, s: number, h: tf.Tensor, m: tf.Tensor, d: Dims, k: Consts): tf.Tensor[] {
  const zr = tf.sigmoid(tf.add(stepRows(p.proj[0], s, d.B), tf.matMul(h, p.rec[0])));
  const [z, r] = tf.split(zr, 2, 1);
  // tanh(a) = 2σ(2a) − 1; x_h and R_h arrive ×2.
  const n = tf.sub(
    tf.mul(tf.sigmoid(tf.add(stepRows(p.proj[1], s, d.B), tf.matMul(tf.mul(r, h), p.rec[1]))), k.two),
    k.one,
  );
  const hNext = tf.mul(m, tf.add(n, tf.mul(z, tf.sub(h, n))));
  return [hNext, z, r, n];
}

/**
 * LSTM step (tfjs-layers LSTMCell, sigmoid gates): i, f, o = σ(x + h R), g = tanh(x_c + h R_c),
 * c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'), h = m ⊙ h', c = m ⊙ c'. Returns `[h, c, i, f, g, o, tanh c']`.
 */
function lstmStep(p: Prepared, s: number, h: tf.Tensor, c: tf.Tensor, m: tf.Tensor, d: Dims, k: Consts): tf.Tensor[] {
  const gates = tf.sigmoid(tf.add(stepRows(p.proj[0], s, d.B), tf.matMul(h, p.rec[0])));
  const [i, f, g2, o] = tf.split(gates, 4, 1);
  const g = tf.sub(tf.mul(g2, k.two), k.one);
  const cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
  const tc = tf.sub(tf.mul(tf.sigmoid(tf.mul(cNew, k.two)), k.two), k.one);
  return [tf.mul(m, tf.mul(o, tc)), tf.mul(m, cNew), i, f, g, o, tc];
}

/** Number of per-step activations a cell's BPTT keeps: GRU z, r, n; LSTM i, f, g, o, c, tanh c. */
function traceCount(cell: CellKind): number {
  return cell === 'gru' ? 3 : 6;
}

/** A layer run: per direction the states `(T·B, U)` in step order and, when traced, the activations. */
interface LayerRun {
  dims: Dims;
  /** `(T·B, D)` input rows in step order. */
  x2d: tf.Tensor;
  /** `(T·B, 1)` mask rows in step order. */
  m2d: tf.Tensor;
  states: tf.Tensor[];
  /** Per direction, `traceCount(cell)` tensors `(T·B, U)` (empty unless traced). */
  traces: tf.Tensor[][];
}

/**
 * Runs every direction over `x (B, T, D)` with `mask (B, T)`. With `trace`, also returns the activations the BPTT
 * needs, and frees the per-step tensors as it assembles them (only valid with the tape off, as in a custom
 * gradient's forward pass).
 */
function runLayer(
  x: tf.Tensor,
  mask: tf.Tensor,
  weights: DirectionWeights[],
  spec: RecurrentSpec,
  trace: boolean,
): LayerRun {
  const [B, T, D] = x.shape;
  const U = spec.units;
  const dims: Dims = { T, B, D, U };
  const x2d = tf.reshape(tf.transpose(x, [1, 0, 2]), [T * B, D]);
  const m2d = tf.reshape(tf.transpose(tf.cast(mask, 'float32')), [T * B, 1]);
  const mSteps = Array.from({ length: T }, (_, s) => stepRows(m2d, s, B));
  const k: Consts = { one: tf.scalar(1), two: tf.scalar(2) };
  const states: tf.Tensor[] = [];
  const traces: tf.Tensor[][] = [];
  weights.forEach((w, dir) => {
    const p = prepare(x2d, w, spec.cell, U);
    const perStep: tf.Tensor[][] = Array.from({ length: 1 + (trace ? traceCount(spec.cell) : 0) }, () => new Array(T));
    let h = tf.zeros([B, U]);
    let c = spec.cell === 'lstm' ? tf.zeros([B, U]) : undefined;
    const initial = [h, c];
    for (let j = 0; j < T; j++) {
      const s = dir === 0 ? j : T - 1 - j;
      // A scope per step frees its temporaries at once (the tape keeps its own copies of what it needs).
      const out = tf.tidy(() =>
        spec.cell === 'gru'
          ? gruStep(p, s, h, mSteps[s], dims, k)
          : lstmStep(p, s, h, c as tf.Tensor, mSteps[s], dims, k),
      );
      h = out[0];
      perStep[0][s] = h;
      if (spec.cell === 'lstm') {
        if (!trace && c !== initial[1]) (c as tf.Tensor).dispose();
        c = out[1];
        if (trace) perStep[5][s] = c; // the (masked) cell state
        out.slice(2, 6).forEach((t, q) => (trace ? (perStep[1 + q][s] = t) : t.dispose()));
        if (trace) perStep[6][s] = out[6];
        else out[6].dispose();
      } else if (trace) {
        out.slice(1).forEach((t, q) => (perStep[1 + q][s] = t));
      } else {
        tf.dispose(out.slice(1));
      }
    }
    if (spec.cell === 'lstm' && !trace) (c as tf.Tensor).dispose();
    tf.dispose([...p.proj, ...p.rec, ...initial.filter((t): t is tf.Tensor => t !== undefined)]);
    // Assemble one (T·B, U) tensor per list, freeing each list as soon as it is copied (tape off).
    const assembled = perStep.map((list) => {
      const whole = tf.concat(list, 0);
      if (trace) tf.dispose(list);
      return whole;
    });
    states.push(assembled[0]);
    traces.push(assembled.slice(1));
  });
  tf.dispose([...mSteps, k.one, k.two]);
  return { dims, x2d, m2d, states, traces };
}

/** `(T·B, 1)` selector of each row's last real step: `m_s (1 − m_{s+1})`. */
function lastStepSelector(m2d: tf.Tensor, d: Dims): tf.Tensor {
  const { T, B } = d;
  const next = T === 1 ? tf.zeros([B, 1]) : tf.concat([tf.slice(m2d, [B, 0], [(T - 1) * B, 1]), tf.zeros([B, 1])], 0);
  return tf.mul(m2d, tf.sub(1, next));
}

/** The layer output from its states: `(B, T, dirs·U)`, or the last real states `(B, dirs·U)`. */
function layerOutput(run: LayerRun, returnSequences: boolean): tf.Tensor {
  const { T, B, U } = run.dims;
  const dirs = run.states.length;
  if (returnSequences) {
    const rows = dirs === 1 ? run.states[0] : tf.concat(run.states, 1); // (T·B, dirs·U)
    return tf.transpose(tf.reshape(rows, [T, B, dirs * U]), [1, 0, 2]);
  }
  const selected = tf.reshape(tf.mul(run.states[0], lastStepSelector(run.m2d, run.dims)), [T, B * U]);
  const forward = tf.reshape(tf.matMul(tf.ones([1, T]), selected), [B, U]);
  if (dirs === 1) return forward;
  return tf.concat([forward, stepRows(run.states[1], 0, B)], 1);
}

/** `hs (T·B, U)` → the state entering each step of direction `dir`: the previous step's (0 before the first). */
function previousStates(hs: tf.Tensor, dir: number, d: Dims): tf.Tensor {
  const { T, B, U } = d;
  if (T === 1) return tf.zerosLike(hs);
  const zeros = tf.zeros([B, U]);
  return dir === 0
    ? tf.concat([zeros, tf.slice(hs, [0, 0], [(T - 1) * B, U])], 0)
    : tf.concat([tf.slice(hs, [B, 0], [(T - 1) * B, U]), zeros], 0);
}

/** Gradient flowing into each step's output for one direction. */
type StepOutputGrad = (s: number) => tf.Tensor | undefined;

/**
 * One GRU direction's backward pass. Returns `[dx2d (T·B, D), dKernel, dRecurrentKernel, dBias]`.
 * `xT1 (D+1, T·B)` is the input transposed with a row of ones appended (its last product row is the bias gradient).
 */
function gruBackward(
  w: { kernel: tf.Tensor; recurrentKernel: tf.Tensor },
  states: tf.Tensor,
  [z, r, n]: tf.Tensor[],
  m2d: tf.Tensor,
  xT1: tf.Tensor,
  dOut: StepOutputGrad,
  dir: number,
  d: Dims,
): tf.Tensor[] {
  const { T, B, U, D } = d;
  const hPrev = previousStates(states, dir, d);
  // Local derivatives of all steps at once, the mask folded in:
  //   ∂h/∂a_h = m(1 − z)(1 − n²), ∂h/∂a_z = m(h_prev − n)z(1 − z), ∂h/∂h_prev|direct = m z,
  //   ∂(r ⊙ h_prev)/∂a_r = h_prev r(1 − r).
  const [aH, aZ, aR, zm, rh] = tf.tidy(() => {
    const zc = tf.sub(1, z);
    return [
      tf.mul(tf.mul(m2d, zc), tf.sub(1, tf.square(n))),
      tf.mul(tf.mul(m2d, tf.sub(hPrev, n)), tf.mul(z, zc)),
      tf.mul(hPrev, tf.mul(r, tf.sub(1, r))),
      tf.mul(m2d, z),
      tf.mul(r, hPrev),
    ];
  });
  tf.dispose([z, n]);
  const rzrT = tf.transpose(gateColumns(w.recurrentKernel, 0, 2, U)); // (2U, U)
  const rhT = tf.transpose(gateColumns(w.recurrentKernel, 2, 1, U)); // (U, U)
  let dh = tf.zeros([B, U]);
  const gzr: tf.Tensor[] = new Array(T);
  const gh: tf.Tensor[] = new Array(T);
  for (let j = 0; j < T; j++) {
    const s = dir === 0 ? T - 1 - j : j;
    const [gzrS, ghS, dhPrev] = tf.tidy(() => {
      const out = dOut(s);
      const g = out === undefined ? dh : tf.add(dh, out);
      const ghs = tf.mul(g, stepRows(aH, s, B));
      const gzs = tf.mul(g, stepRows(aZ, s, B));
      const dq = tf.matMul(ghs, rhT);
      const gzrs = tf.concat([gzs, tf.mul(dq, stepRows(aR, s, B))], 1);
      const dhp = tf.add(tf.add(tf.mul(g, stepRows(zm, s, B)), tf.mul(dq, stepRows(r, s, B))), tf.matMul(gzrs, rzrT));
      return [gzrs, ghs, dhp];
    });
    dh.dispose();
    dh = dhPrev;
    gzr[s] = gzrS;
    gh[s] = ghS;
  }
  tf.dispose([dh, aH, aZ, aR, zm, r, rzrT, rhT]);
  const gZR = tf.concat(gzr, 0); // (T·B, 2U), the kernel's z,r columns
  tf.dispose(gzr);
  const gH = tf.concat(gh, 0); // (T·B, U)
  tf.dispose(gh);
  const dKB = tf.concat([tf.matMul(xT1, gZR), tf.matMul(xT1, gH)], 1); // (D+1, 3U)
  const dKernel = tf.slice(dKB, [0, 0], [D, 3 * U]);
  const dBias = tf.reshape(tf.slice(dKB, [D, 0], [1, 3 * U]), [3 * U]);
  const dRec = tf.concat([tf.matMul(tf.transpose(hPrev), gZR), tf.matMul(tf.transpose(rh), gH)], 1);
  const dx2d = tf.add(
    tf.matMul(gZR, tf.transpose(gateColumns(w.kernel, 0, 2, U))),
    tf.matMul(gH, tf.transpose(gateColumns(w.kernel, 2, 1, U))),
  );
  return [dx2d, dKernel, dRec, dBias];
}

/** One LSTM direction's backward pass; as `gruBackward`. */
function lstmBackward(
  w: { kernel: tf.Tensor; recurrentKernel: tf.Tensor },
  states: tf.Tensor,
  [i, f, g, o, c, tc]: tf.Tensor[],
  m2d: tf.Tensor,
  xT1: tf.Tensor,
  dOut: StepOutputGrad,
  dir: number,
  d: Dims,
): tf.Tensor[] {
  const { T, B, U, D } = d;
  const hPrev = previousStates(states, dir, d);
  // Local derivatives of all steps at once, the mask folded into those of h and c:
  //   ∂h/∂a_o = m tanh(c') o(1−o), ∂h/∂c' = m o(1 − tanh²c'), ∂c/∂c' = m,
  //   ∂c'/∂a_i = g i(1−i), ∂c'/∂a_f = c_prev f(1−f), ∂c'/∂a_g = i(1 − g²), ∂c'/∂c_prev = f.
  const [pO, pC, pI, pF, pG] = tf.tidy(() => {
    const sig = (t: tf.Tensor) => tf.mul(t, tf.sub(1, t));
    const cPrev = previousStates(c, dir, d);
    return [
      tf.mul(m2d, tf.mul(tc, sig(o))),
      tf.mul(m2d, tf.mul(o, tf.sub(1, tf.square(tc)))),
      tf.mul(g, sig(i)),
      tf.mul(cPrev, sig(f)),
      tf.mul(i, tf.sub(1, tf.square(g))),
    ];
  });
  tf.dispose([i, g, o, c, tc]);
  const rT = tf.transpose(w.recurrentKernel); // (4U, U)
  let dh = tf.zeros([B, U]);
  let dc = tf.zeros([B, U]);
  const gates: tf.Tensor[] = new Array(T);
  for (let j = 0; j < T; j++) {
    const s = dir === 0 ? T - 1 - j : j;
    const [gAll, dhPrev, dcPrev] = tf.tidy(() => {
      const out = dOut(s);
      const gH = out === undefined ? dh : tf.add(dh, out);
      const dcNew = tf.add(tf.mul(dc, stepRows(m2d, s, B)), tf.mul(gH, stepRows(pC, s, B)));
      const all = tf.concat(
        [
          tf.mul(dcNew, stepRows(pI, s, B)),
          tf.mul(dcNew, stepRows(pF, s, B)),
          tf.mul(dcNew, stepRows(pG, s, B)),
          tf.mul(gH, stepRows(pO, s, B)),
        ],
        1,
      );
      return [all, tf.matMul(all, rT), tf.mul(dcNew, stepRows(f, s, B))];
    });
    tf.dispose([dh, dc]);
    dh = dhPrev;
    dc = dcPrev;
    gates[s] = gAll;
  }
  tf.dispose([dh, dc, pO, pC, pI, pF, pG, f, rT]);
  const gAll = tf.concat(gates, 0); // (T·B, 4U)
  tf.dispose(gates);
  const dKB = tf.matMul(xT1, gAll); // (D+1, 4U)
  const dKernel = tf.slice(dKB, [0, 0], [D, 4 * U]);
  const dBias = tf.reshape(tf.slice(dKB, [D, 0], [1, 4 * U]), [4 * U]);
  const dRec = tf.matMul(tf.transpose(hPrev), gAll);
  const dx2d = tf.matMul(gAll, tf.transpose(w.kernel));
  return [dx2d, dKernel, dRec, dBias];
}

/**
 * The whole layer with hand-written BPTT: inputs `[x (B, T, D), mask (B, T), kernel, recurrentKernel, bias, …]`
 * (three weights per direction), output as `recurrentSequence`.
 */
function layerBptt(spec: RecurrentSpec, dirs: number) {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [x, mask, ...flat] = args.slice(0, -1) as tf.Tensor[];
    const weights = Array.from({ length: dirs }, (_, k) => ({
      kernel: flat[3 * k],
      recurrentKernel: flat[3 * k + 1],
      bias: flat[3 * k + 2],
    }));
    const run = runLayer(x, mask, weights, spec, true);
    const value = layerOutput(run, spec.returnSequences);
    // Saved: the weights (inputs), then tensors made here, which the backward pass frees when done with them.
    const inputsSaved = weights.flatMap((w) => [w.kernel, w.recurrentKernel]);
    save([...inputsSaved, run.x2d, run.m2d, ...run.states, ...run.traces.flat()]);
    const dims = run.dims;
    const traceLength = traceCount(spec.cell);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const { T, B, D, U } = dims;
          const [x2d, m2d] = saved.slice(inputsSaved.length, inputsSaved.length + 2);
          const states = saved.slice(inputsSaved.length + 2, inputsSaved.length + 2 + dirs);
          const traceTensors = saved.slice(inputsSaved.length + 2 + dirs);
          // [xᵀ; 1] (D+1, T·B): one product gives the kernel and the bias gradients.
          const xT1 = tf.concat([tf.transpose(x2d), tf.ones([1, T * B])], 0);
          x2d.dispose();
          let dyRows: tf.Tensor | undefined;
          let lastForward: tf.Tensor | undefined;
          if (spec.returnSequences) {
            dyRows = tf.reshape(tf.transpose(dy, [1, 0, 2]), [T * B, dirs * U]);
          } else {
            // Only each row's last real step (forward) and step 0 (backward) reach the output.
            const selector = lastStepSelector(m2d, dims);
            const dyForward = dirs === 1 ? dy : tf.slice(dy, [0, 0], [B, U]);
            lastForward = tf.reshape(tf.mul(tf.reshape(selector, [T, B, 1]), tf.expandDims(dyForward, 0)), [T * B, U]);
          }
          let dx2d: tf.Tensor | undefined;
          const weightGrads: tf.Tensor[] = [];
          for (let dir = 0; dir < dirs; dir++) {
            const dOut: StepOutputGrad = (s) => {
              if (dyRows !== undefined) return tf.slice(dyRows, [s * B, dir * U], [B, U]);
              if (dir === 0) return stepRows(lastForward as tf.Tensor, s, B);
              return s === 0 ? tf.slice(dy, [0, U], [B, U]) : undefined;
            };
            const backward = spec.cell === 'gru' ? gruBackward : lstmBackward;
            const [dxDir, dKernel, dRec, dBias] = tf.tidy(() =>
              backward(
                { kernel: saved[2 * dir], recurrentKernel: saved[2 * dir + 1] },
                states[dir],
                traceTensors.slice(dir * traceLength, (dir + 1) * traceLength),
                m2d,
                xT1,
                dOut,
                dir,
                dims,
              ),
            );
            states[dir].dispose();
            weightGrads.push(dKernel, dRec, dBias);
            if (dx2d === undefined) dx2d = dxDir;
            else {
              const sum = tf.add(dx2d, dxDir);
              tf.dispose([dx2d, dxDir]);
              dx2d = sum;
            }
          }
          const dx = tf.transpose(tf.reshape(dx2d as tf.Tensor, [T, B, D]), [1, 0, 2]);
          return [dx, tf.zerosLike(mask), ...weightGrads];
        }),
    };
  });
}

/**
 * Runs a masked GRU/LSTM over a batch: `x (B, T, D)`, `mask (B, T)` 1 on real steps with padding at the
 * end of each row, one `DirectionWeights` per direction (forward first) → `(B, T, dirs·U)` when
 * `returnSequences`, else the last real state `(B, dirs·U)`. Padded steps output 0; each row gives the
 * same results as without its padding (the backward direction starts at the row's last real step).
 */
export function recurrentSequence(
  x: tf.Tensor,
  mask: tf.Tensor,
  weights: DirectionWeights[],
  spec: RecurrentSpec,
): tf.Tensor {
  if (spec.implementation === 'bptt' && tf.engine().isTapeOn()) {
    const maskFloat = mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32');
    const flat = weights.flatMap((w) => [w.kernel, w.recurrentKernel, w.bias]);
    const out = layerBptt(spec, weights.length)(x, maskFloat, ...flat);
    if (maskFloat !== mask) maskFloat.dispose();
    return out;
  }
  return tf.tidy(() => layerOutput(runLayer(x, mask, weights, spec, false), spec.returnSequences));
}
