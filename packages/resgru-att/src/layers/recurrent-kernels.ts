import * as tf from '@tensorflow/tfjs-core';

/**
 * Sequence kernels behind `FastRNN`: masked uni/bidirectional GRU and LSTM over a whole batch, as plain
 * tfjs ops (differentiated by tfjs' tape) or with a hand-written BPTT (`tf.customGrad`).
 *
 * Layout. Weights keep tfjs-layers' layout per direction (`kernel (D, G·U)`, `recurrent_kernel (U, G·U)`,
 * `bias (G·U)`, gates z,r,h for GRU and i,f,c,o for LSTM), so tfjs GRU/LSTM weights copy in unchanged.
 * In the loop both directions run as one state `h (B, N)`, `N = dirs·U`, `[forward | backward]`: step `s`
 * feeds the forward direction time `s` and the backward direction time `T-1-s`, and each gate's
 * recurrent weights form one block-diagonal `(N, N)` matrix, so both directions cost one op per step.
 *
 * Speed on tfjs wasm (measured there, see the package README): XNNPACK runs only rank-2 matMuls without
 * transpose flags, every op costs ~10-100 µs of dispatch, `tanh` is ~10× slower than `sigmoid`, and
 * slicing or concatenating along a minor axis walks rows in JS. So: the input projections of all steps
 * are one `(T·B, D) × (D, dirs·G·U)` matMul, split per gate once, outside the loop; the loop keeps one
 * tensor per gate (no per-step split/concat), uses tanh(x) = 2σ(2x) − 1 with the factor 2 folded into
 * the weights, and masks with one multiply. The BPTT computes the per-step gate derivatives for all steps
 * at once, keeps only the recurrence in its reverse loop, and forms every weight gradient as one matMul
 * over `T·B` rows with explicit transposes.
 *
 * Masking. Padding sits at the end of each row, so each direction's real steps are contiguous: the
 * forward direction has nothing real after its padding and the backward one nothing real before it. The
 * state is therefore simply zeroed at padded steps (`h = m ⊙ h_new`): outputs are 0 there, the backward
 * direction enters each row's last real step with a zero state, exactly as without padding. The last real
 * state of the forward direction is picked from the outputs with a one-hot "last real step" selector.
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

/** Sizes shared by every stage. */
interface Dims {
  T: number;
  B: number;
  D: number;
  U: number;
  dirs: number;
  /** dirs·U */
  N: number;
  G: number;
}

/**
 * Step-order `(T, B, N)` → per direction, time-order `(T·B, U)` column blocks (forward, backward).
 * Inverse direction of `directionsToStepOrder`.
 */
function stepOrderToDirections(s: tf.Tensor, d: Dims): tf.Tensor[] {
  const flat = tf.reshape(s, [d.T * d.B, d.N]);
  if (d.dirs === 1) return [flat];
  const fwd = tf.slice(flat, [0, 0], [d.T * d.B, d.U]);
  const bwd = tf.slice(flat, [0, d.U], [d.T * d.B, d.U]);
  return [fwd, tf.reshape(tf.reverse(tf.reshape(bwd, [d.T, d.B, d.U]), 0), [d.T * d.B, d.U])];
}

/** Time-order `(T·B, U)` blocks, forward then backward → step-order `(T, B, N)`. */
function directionsToStepOrder(parts: tf.Tensor[], d: Dims): tf.Tensor {
  const fwd = tf.reshape(parts[0], [d.T, d.B, d.U]);
  if (d.dirs === 1) return fwd;
  return tf.concat([fwd, tf.reverse(tf.reshape(parts[1], [d.T, d.B, d.U]), 0)], 2);
}

/** Column block `[k·U, (k+1)·U)` of a `(rows, ·)` matrix. */
function columnBlock(m: tf.Tensor, k: number, units: number): tf.Tensor {
  return tf.slice(m, [0, k * units], [m.shape[0], units]);
}

/** Per gate, the block-diagonal `(N, N)` recurrent matrix of all directions. */
function recurrentPerGate(kernels: tf.Tensor[], gates: number, units: number): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (let g = 0; g < gates; g++) {
    const blocks = kernels.map((k) => columnBlock(k, g, units));
    if (blocks.length === 1) {
      out.push(blocks[0]);
    } else {
      const zeros = tf.zeros([units, units]);
      out.push(tf.concat([tf.concat([blocks[0], zeros], 1), tf.concat([zeros, blocks[1]], 1)], 0));
    }
  }
  return out;
}

/** Everything the loops need, derived from the layer inputs and weights. */
interface Prepared {
  d: Dims;
  /** `(T·B, D)` time-major input rows. */
  x2d: tf.Tensor;
  /** `(D, dirs·G·U)` all directions' input kernels side by side. */
  wx: tf.Tensor;
  /** Per gate, `(T, B, N)` step-order projections including bias (the tanh gate ×2). */
  xs: tf.Tensor[];
  /** Per gate, `(N, N)` recurrent matrices (the tanh gate ×2). */
  rs: tf.Tensor[];
  /** `(T, B, 1 | N)` step-order mask. */
  ms: tf.Tensor;
  /** `(T, B, 1 | N)` one-hot selector of each direction's last real step (final-state output only). */
  last?: tf.Tensor;
}

/** Step-order version `(T, B, 1 | N)` of a `(T, B)` per-time quantity; `bwd` is the backward direction's. */
function stepOrderMask(fwd: tf.Tensor, bwd: tf.Tensor, d: Dims): tf.Tensor {
  if (d.dirs === 1) return tf.reshape(fwd, [d.T, d.B, 1]);
  const ones = tf.ones([1, 1, d.U]);
  return tf.concat([tf.mul(tf.reshape(fwd, [d.T, d.B, 1]), ones), tf.mul(tf.reshape(bwd, [d.T, d.B, 1]), ones)], 2);
}

function prepare(x: tf.Tensor, mask: tf.Tensor, weights: DirectionWeights[], spec: RecurrentSpec): Prepared {
  const [B, T, D] = x.shape;
  const dirs = weights.length;
  const G = gateCount(spec.cell);
  const U = spec.units;
  const d: Dims = { T, B, D, U, dirs, N: dirs * U, G };
  const x2d = tf.reshape(tf.transpose(x, [1, 0, 2]), [T * B, D]);
  const wx = dirs === 1 ? weights[0].kernel : tf.concat(weights.map((w) => w.kernel), 1);
  const bx = dirs === 1 ? weights[0].bias : tf.concat(weights.map((w) => w.bias), 0);
  const proj = tf.add(tf.matMul(x2d, wx), bx); // (T·B, dirs·G·U), time order
  const two = tf.scalar(2);
  const xs: tf.Tensor[] = [];
  for (let g = 0; g < G; g++) {
    const parts = weights.map((_, k) => columnBlock(proj, k * G + g, U));
    const stepOrder = directionsToStepOrder(parts, d);
    xs.push(g === TANH_GATE ? tf.mul(stepOrder, two) : stepOrder);
  }
  const rs = recurrentPerGate(
    weights.map((w) => w.recurrentKernel),
    G,
    U,
  ).map((r, g) => (g === TANH_GATE ? tf.mul(r, two) : r));
  const mT = tf.transpose(tf.cast(mask, 'float32')); // (T, B)
  const mRev = tf.reverse(mT, 0);
  const ms = stepOrderMask(mT, mRev, d);
  let last: tf.Tensor | undefined;
  if (!spec.returnSequences) {
    // Forward: m_t − m_{t+1} is 1 exactly at the last real step. Backward: its last step is s = T−1.
    const next = T === 1 ? tf.zeros([1, B]) : tf.concat([tf.slice(mT, [1, 0], [T - 1, B]), tf.zeros([1, B])], 0);
    const atEnd = T === 1 ? tf.ones([1, B]) : tf.concat([tf.zeros([T - 1, B]), tf.ones([1, B])], 0);
    last = stepOrderMask(tf.sub(mT, next), tf.mul(atEnd, mRev), d);
  }
  return { d, x2d, wx, xs, rs, ms, last };
}

/**
 * Layer output from the step-order states `hs (T, B, N)`: `(B, T, N)` with each direction's outputs at
 * their own times, or the last real state `(B, N)`.
 */
function layerOutput(hs: tf.Tensor, p: Prepared): tf.Tensor {
  const d = p.d;
  if (p.last !== undefined) {
    const picked = tf.reshape(tf.mul(hs, p.last), [d.T, d.B * d.N]);
    return tf.reshape(tf.matMul(tf.ones([1, d.T]), picked), [d.B, d.N]);
  }
  const parts = stepOrderToDirections(hs, d).map((t) => tf.reshape(t, [d.T, d.B, d.U]));
  const timeOrder = parts.length === 1 ? parts[0] : tf.concat(parts, 2);
  return tf.transpose(timeOrder, [1, 0, 2]);
}

/** What the GRU loop leaves for the BPTT, per step (each `(B, N)`). */
interface GruTrace {
  z: tf.Tensor[];
  r: tf.Tensor[];
  n: tf.Tensor[];
}

/**
 * GRU loop (tfjs-layers GRUCell, resetAfter=false, sigmoid gates): z = σ(x_z + h R_z),
 * r = σ(x_r + h R_r), n = tanh(x_h + (r ⊙ h) R_h), h' = z ⊙ h + (1 − z) ⊙ n, h = m ⊙ h'.
 * Returns the states `(B, N)` of every step, in step order.
 */
function gruLoop(p: Prepared, trace?: GruTrace): tf.Tensor[] {
  const { T, B, N } = p.d;
  const [xz, xr, xh2] = p.xs.map((t) => tf.unstack(t));
  const [rz, rr, rh2] = p.rs;
  const mSteps = tf.unstack(p.ms);
  const one = tf.scalar(1);
  const two = tf.scalar(2);
  let h = tf.zeros([B, N]);
  const hs: tf.Tensor[] = [];
  for (let s = 0; s < T; s++) {
    const z = tf.sigmoid(tf.add(xz[s], tf.matMul(h, rz)));
    const r = tf.sigmoid(tf.add(xr[s], tf.matMul(h, rr)));
    // tanh(a) = 2σ(2a) − 1; x_h and R_h arrive ×2.
    const n = tf.sub(tf.mul(tf.sigmoid(tf.add(xh2[s], tf.matMul(tf.mul(r, h), rh2))), two), one);
    h = tf.mul(mSteps[s], tf.add(n, tf.mul(z, tf.sub(h, n))));
    hs.push(h);
    if (trace) {
      trace.z.push(z);
      trace.r.push(r);
      trace.n.push(n);
    }
  }
  return hs;
}

/** What the LSTM loop leaves for the BPTT, per step (each `(B, N)`). */
interface LstmTrace {
  i: tf.Tensor[];
  f: tf.Tensor[];
  g: tf.Tensor[];
  o: tf.Tensor[];
  /** The new cell state before masking. */
  c: tf.Tensor[];
  /** tanh of it */
  tc: tf.Tensor[];
}

/**
 * LSTM loop (tfjs-layers LSTMCell, sigmoid gates): i, f, o = σ(x + h R), g = tanh(x_c + h R_c),
 * c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'), h = m ⊙ h', c = m ⊙ c'. Returns the states `(B, N)` per step.
 */
function lstmLoop(p: Prepared, trace?: LstmTrace): tf.Tensor[] {
  const { T, B, N } = p.d;
  const [xi, xf, xg2, xo] = p.xs.map((t) => tf.unstack(t));
  const [ri, rf, rg2, ro] = p.rs;
  const mSteps = tf.unstack(p.ms);
  const one = tf.scalar(1);
  const two = tf.scalar(2);
  let h = tf.zeros([B, N]);
  let c = tf.zeros([B, N]);
  const hs: tf.Tensor[] = [];
  for (let s = 0; s < T; s++) {
    const i = tf.sigmoid(tf.add(xi[s], tf.matMul(h, ri)));
    const f = tf.sigmoid(tf.add(xf[s], tf.matMul(h, rf)));
    const o = tf.sigmoid(tf.add(xo[s], tf.matMul(h, ro)));
    const g = tf.sub(tf.mul(tf.sigmoid(tf.add(xg2[s], tf.matMul(h, rg2))), two), one);
    const cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
    const tc = tf.sub(tf.mul(tf.sigmoid(tf.mul(cNew, two)), two), one);
    const m = mSteps[s];
    h = tf.mul(m, tf.mul(o, tc));
    c = tf.mul(m, cNew);
    hs.push(h);
    if (trace) {
      trace.i.push(i);
      trace.f.push(f);
      trace.g.push(g);
      trace.o.push(o);
      trace.c.push(cNew);
      trace.tc.push(tc);
    }
  }
  return hs;
}

/** Plain forward (autodiff, or inference): the loops as ordinary ops. */
function forward(x: tf.Tensor, mask: tf.Tensor, weights: DirectionWeights[], spec: RecurrentSpec): tf.Tensor {
  const p = prepare(x, mask, weights, spec);
  const hs = spec.cell === 'gru' ? gruLoop(p) : lstmLoop(p);
  return layerOutput(tf.stack(hs), p);
}

/** The tensors the BPTT keeps from its forward pass, besides the cell's own trace. */
interface SavedCommon {
  x2d: tf.Tensor;
  wx: tf.Tensor;
  ms: tf.Tensor;
  /** Unscaled per-gate recurrent matrices `(N, N)`. */
  rs: tf.Tensor[];
  /** `(T, B, N)` step-order states. */
  hs: tf.Tensor;
  last?: tf.Tensor;
}

/** Gradient of the loss w.r.t. each step's state output, step order `(T, B, N)`. */
function stepOutputGrads(dy: tf.Tensor, sv: SavedCommon, d: Dims): tf.Tensor {
  if (sv.last !== undefined) return tf.mul(sv.last, tf.reshape(dy, [1, d.B, d.N]));
  const timeMajor = tf.reshape(tf.transpose(dy, [1, 0, 2]), [d.T * d.B, d.N]);
  const parts = d.dirs === 1 ? [timeMajor] : [0, 1].map((k) => columnBlock(timeMajor, k, d.U));
  return directionsToStepOrder(parts, d);
}

/** States entering each step: `(T, B, N)`, zeros then `hs[0 … T−2]`. */
function previousStates(hs: tf.Tensor, d: Dims): tf.Tensor {
  if (d.T === 1) return tf.zerosLike(hs);
  return tf.concat([tf.zeros([1, d.B, d.N]), tf.slice(hs, [0, 0, 0], [d.T - 1, d.B, d.N])], 0);
}

/**
 * Input and weight gradients from the step-order pre-activation gradients of each gate `(T, B, N)` and
 * the operand that multiplied each gate's recurrent matrix (`(T, B, N)`, step order).
 * Returns `dx (B, T, D)` and per direction `[dKernel, dRecurrentKernel, dBias]`.
 */
function weightGrads(gates: tf.Tensor[], operands: tf.Tensor[], sv: SavedCommon, d: Dims): tf.Tensor[] {
  const TB = d.T * d.B;
  // Gate gradients in time order, columns laid out as `wx`: [dir0: g0 … | dir1: g0 …].
  const perGate = gates.map((g) => stepOrderToDirections(g, d));
  const columns: tf.Tensor[] = [];
  for (let k = 0; k < d.dirs; k++) for (let g = 0; g < d.G; g++) columns.push(perGate[g][k]);
  const gTime = columns.length === 1 ? columns[0] : tf.concat(columns, 1); // (T·B, dirs·G·U)
  const dWx = tf.matMul(tf.transpose(sv.x2d), gTime);
  const dB = tf.reshape(tf.matMul(tf.ones([1, TB]), gTime), [d.dirs * d.G * d.U]);
  const dx = tf.transpose(tf.reshape(tf.matMul(gTime, tf.transpose(sv.wx)), [d.T, d.B, d.D]), [1, 0, 2]);
  // Recurrent: step order is fine (each step's operand meets its own gradient); per direction, the
  // operand's rows come contiguous from its transpose.
  const opT = operands.map((o) => tf.transpose(tf.reshape(o, [TB, d.N]))); // (N, T·B)
  const out: tf.Tensor[] = [dx];
  for (let k = 0; k < d.dirs; k++) {
    const dRk = gates.map((g, gi) => {
      const gk = d.dirs === 1 ? tf.reshape(g, [TB, d.N]) : columnBlock(tf.reshape(g, [TB, d.N]), k, d.U);
      const ok = d.dirs === 1 ? opT[gi] : tf.slice(opT[gi], [k * d.U, 0], [d.U, TB]);
      return tf.matMul(ok, gk);
    });
    const span = d.G * d.U;
    out.push(
      columnBlock(dWx, k, span),
      tf.concat(dRk, 1),
      tf.slice(dB, [k * span], [span]),
    );
  }
  return out;
}

/** GRU with hand-written BPTT; inputs `[x, mask, ...per direction (kernel, recurrentKernel, bias)]`. */
function gruBptt(spec: RecurrentSpec, dirs: number) {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [x, mask, ...w] = args.slice(0, -1) as tf.Tensor[];
    const weights = directionWeights(w, dirs);
    const p = prepare(x, mask, weights, spec);
    const trace: GruTrace = { z: [], r: [], n: [] };
    const hs = tf.stack(gruLoop(p, trace));
    const value = layerOutput(hs, p);
    const rs = recurrentPerGate(
      weights.map((wd) => wd.recurrentKernel),
      3,
      spec.units,
    );
    // The engine disposes everything the forward made except `value` and what is saved here.
    const common = [p.x2d, p.wx, p.ms, ...rs, hs, ...(p.last ? [p.last] : [])];
    save([...common, tf.stack(trace.z), tf.stack(trace.r), tf.stack(trace.n)]);
    const d = p.d;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const nc = common.length;
        const sv: SavedCommon = {
          x2d: saved[0],
          wx: saved[1],
          ms: saved[2],
          rs: saved.slice(3, 6),
          hs: saved[6],
          last: p.last ? saved[7] : undefined,
        };
        const [z, r, n] = saved.slice(nc);
        const one = tf.scalar(1);
        const hPrev = previousStates(sv.hs, d);
        // Local derivatives of all steps at once, the mask folded in:
        //   ∂h/∂a_h = m(1 − z)(1 − n²), ∂h/∂a_z = m(h_prev − n)z(1 − z), ∂h/∂h_prev|direct = m z,
        //   ∂(r ⊙ h_prev)/∂a_r = h_prev r(1 − r).
        const zc = tf.sub(one, z);
        const aH = tf.unstack(tf.mul(tf.mul(sv.ms, zc), tf.sub(one, tf.square(n))));
        const aZ = tf.unstack(tf.mul(tf.mul(sv.ms, tf.sub(hPrev, n)), tf.mul(z, zc)));
        const aR = tf.unstack(tf.mul(hPrev, tf.mul(r, tf.sub(one, r))));
        const zm = tf.unstack(tf.mul(sv.ms, z));
        const rSteps = tf.unstack(r);
        const dOut = tf.unstack(stepOutputGrads(dy, sv, d));
        const [rzT, rrT, rhT] = sv.rs.map((m) => tf.transpose(m));
        let dh = tf.zeros([d.B, d.N]);
        const daZ: tf.Tensor[] = new Array(d.T);
        const daR: tf.Tensor[] = new Array(d.T);
        const daH: tf.Tensor[] = new Array(d.T);
        for (let s = d.T - 1; s >= 0; s--) {
          const g = tf.add(dh, dOut[s]);
          const gh = tf.mul(g, aH[s]);
          const gz = tf.mul(g, aZ[s]);
          const dq = tf.matMul(gh, rhT);
          const gr = tf.mul(dq, aR[s]);
          dh = tf.add(tf.add(tf.mul(g, zm[s]), tf.mul(dq, rSteps[s])), tf.add(tf.matMul(gz, rzT), tf.matMul(gr, rrT)));
          daZ[s] = gz;
          daR[s] = gr;
          daH[s] = gh;
        }
        const q = tf.mul(r, hPrev);
        const grads = weightGrads([tf.stack(daZ), tf.stack(daR), tf.stack(daH)], [hPrev, hPrev, q], sv, d);
        return [grads[0], tf.zerosLike(mask), ...grads.slice(1)];
      },
    };
  });
}

/** LSTM with hand-written BPTT; inputs as `gruBptt`. */
function lstmBptt(spec: RecurrentSpec, dirs: number) {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [x, mask, ...w] = args.slice(0, -1) as tf.Tensor[];
    const weights = directionWeights(w, dirs);
    const p = prepare(x, mask, weights, spec);
    const trace: LstmTrace = { i: [], f: [], g: [], o: [], c: [], tc: [] };
    const hs = tf.stack(lstmLoop(p, trace));
    const value = layerOutput(hs, p);
    const rs = recurrentPerGate(
      weights.map((wd) => wd.recurrentKernel),
      4,
      spec.units,
    );
    const common = [p.x2d, p.wx, p.ms, ...rs, hs, ...(p.last ? [p.last] : [])];
    const t = trace;
    save([...common, ...[t.i, t.f, t.g, t.o, t.c, t.tc].map((list) => tf.stack(list))]);
    const d = p.d;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const nc = common.length;
        const sv: SavedCommon = {
          x2d: saved[0],
          wx: saved[1],
          ms: saved[2],
          rs: saved.slice(3, 7),
          hs: saved[7],
          last: p.last ? saved[8] : undefined,
        };
        const [i, f, g, o, cNew, tc] = saved.slice(nc);
        const one = tf.scalar(1);
        const sig = (s: tf.Tensor) => tf.mul(s, tf.sub(one, s));
        const hPrev = previousStates(sv.hs, d);
        const cPrev = previousStates(tf.mul(sv.ms, cNew), d);
        // Local derivatives of all steps at once, the mask folded into those of h and c:
        //   ∂h/∂a_o = m tanh(c') o(1−o), ∂h/∂c' = m o(1 − tanh²c'), ∂c/∂c' = m,
        //   ∂c'/∂a_i = g i(1−i), ∂c'/∂a_f = c_prev f(1−f), ∂c'/∂a_g = i(1 − g²), ∂c'/∂c_prev = f.
        const pO = tf.unstack(tf.mul(sv.ms, tf.mul(tc, sig(o))));
        const pC = tf.unstack(tf.mul(sv.ms, tf.mul(o, tf.sub(one, tf.square(tc)))));
        const pI = tf.unstack(tf.mul(g, sig(i)));
        const pF = tf.unstack(tf.mul(cPrev, sig(f)));
        const pG = tf.unstack(tf.mul(i, tf.sub(one, tf.square(g))));
        const mSteps = tf.unstack(sv.ms);
        const fSteps = tf.unstack(f);
        const dOut = tf.unstack(stepOutputGrads(dy, sv, d));
        const rT = sv.rs.map((m) => tf.transpose(m));
        let dh = tf.zeros([d.B, d.N]);
        let dc = tf.zeros([d.B, d.N]);
        const da: tf.Tensor[][] = [new Array(d.T), new Array(d.T), new Array(d.T), new Array(d.T)];
        for (let s = d.T - 1; s >= 0; s--) {
          const gH = tf.add(dh, dOut[s]);
          const dcNew = tf.add(tf.mul(dc, mSteps[s]), tf.mul(gH, pC[s]));
          const gi = tf.mul(dcNew, pI[s]);
          const gf = tf.mul(dcNew, pF[s]);
          const gg = tf.mul(dcNew, pG[s]);
          const go = tf.mul(gH, pO[s]);
          dc = tf.mul(dcNew, fSteps[s]);
          dh = tf.add(
            tf.add(tf.matMul(gi, rT[0]), tf.matMul(gf, rT[1])),
            tf.add(tf.matMul(gg, rT[2]), tf.matMul(go, rT[3])),
          );
          da[0][s] = gi;
          da[1][s] = gf;
          da[2][s] = gg;
          da[3][s] = go;
        }
        const grads = weightGrads(
          da.map((list) => tf.stack(list)),
          [hPrev, hPrev, hPrev, hPrev],
          sv,
          d,
        );
        return [grads[0], tf.zerosLike(mask), ...grads.slice(1)];
      },
    };
  });
}

function directionWeights(flat: tf.Tensor[], dirs: number): DirectionWeights[] {
  const out: DirectionWeights[] = [];
  for (let d = 0; d < dirs; d++) {
    out.push({ kernel: flat[3 * d], recurrentKernel: flat[3 * d + 1], bias: flat[3 * d + 2] });
  }
  return out;
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
    const dirs = weights.length;
    const kernel = spec.cell === 'gru' ? gruBptt(spec, dirs) : lstmBptt(spec, dirs);
    return kernel(x, mask, ...weights.flatMap((w) => [w.kernel, w.recurrentKernel, w.bias]));
  }
  return tf.tidy(() => forward(x, mask, weights, spec));
}
