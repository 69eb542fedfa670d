import * as tf from '@tensorflow/tfjs-core';

/**
 * Sequence kernels behind `FastRNN`: masked uni/bidirectional GRU and LSTM over a whole batch, as plain
 * tfjs ops (differentiated by tfjs' tape) or with a hand-written BPTT (`tf.customGrad`).
 *
 * Layout. Weights keep tfjs-layers' layout per direction (`kernel (D, G·U)`, `recurrent_kernel (U, G·U)`,
 * `bias (G·U)`, gates z,r,h for GRU and i,f,c,o for LSTM), so tfjs GRU/LSTM weights copy in unchanged.
 * Inside the loop both directions run as one state `h (B, N)`, `N = dirs·U`, `[forward | backward]`:
 * step `s` feeds the forward direction time `s` and the backward direction time `T-1-s`. Gate
 * pre-activations are gate-major, `(B, G·N)` = `[gate0: fwd bwd | gate1: fwd bwd | …]`, so a gate is one
 * contiguous slice for both directions, and the recurrent weights form one block-diagonal `(N, G·N)`
 * matrix: one rank-2 matMul per step for both directions.
 *
 * Speed (tfjs wasm runs XNNPACK only for rank-2 matMuls without transpose flags): the input
 * projections of all steps are one `(T·B, D) × (D, dirs·G·U)` matMul; only `(B, N) × (N, ·)` stays in the
 * loop. The BPTT keeps only the recurrence in its reverse loop; per-step gate derivatives are computed
 * for all steps at once beforehand, and all weight gradients are single matMuls over `T·B` rows with
 * explicit transposes.
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

/**
 * Time-order, direction-major `(T, B, dirs·G·U)` → step-order, gate-major `(T, B, G·dirs·U)`: the backward
 * direction's columns are reversed in time and interleaved per gate.
 */
function toStepOrder(p: tf.Tensor, dirs: number, gates: number, units: number): tf.Tensor {
  if (dirs === 1) return p;
  const [T, B] = p.shape;
  const [fwd, bwd] = tf.split(p, 2, 2);
  const f = tf.reshape(fwd, [T, B, gates, 1, units]);
  const b = tf.reshape(tf.reverse(bwd, 0), [T, B, gates, 1, units]);
  return tf.reshape(tf.concat([f, b], 3), [T, B, gates * 2 * units]);
}

/** Inverse of `toStepOrder`: `(T, B, G·dirs·U)` step order → `(T, B, dirs·G·U)` time order. */
function fromStepOrder(s: tf.Tensor, dirs: number, gates: number, units: number): tf.Tensor {
  if (dirs === 1) return s;
  const [T, B] = s.shape;
  const [f, b] = tf.split(tf.reshape(s, [T, B, gates, 2, units]), 2, 3);
  return tf.concat([tf.reshape(f, [T, B, gates * units]), tf.reverse(tf.reshape(b, [T, B, gates * units]), 0)], 2);
}

/** Columns of direction `d` from a step-order gate-major `(R, G·dirs·U)` matrix → `(R, G·U)`. */
function directionColumns(m: tf.Tensor, d: number, dirs: number, gates: number, units: number): tf.Tensor {
  if (dirs === 1) return m;
  const rows = m.shape[0];
  const cols = tf.slice(tf.reshape(m, [rows, gates, dirs, units]), [0, 0, d, 0], [rows, gates, 1, units]);
  return tf.reshape(cols, [rows, gates * units]);
}

/**
 * Block-diagonal, gate-major recurrent matrix for gates `[first, first + count)` of every direction:
 * `(dirs·U, count·dirs·U)`; row block `d` holds direction `d`'s `(U, U)` gate blocks in its own columns.
 */
function combinedRecurrent(kernels: tf.Tensor[], first: number, count: number, units: number): tf.Tensor {
  const parts = kernels.map((k) => tf.slice(k, [0, first * units], [units, count * units]));
  if (kernels.length === 1) return parts[0];
  const zeros = tf.zeros([units, count, 1, units]);
  const rows = parts.map((p, d) => {
    const block = tf.reshape(p, [units, count, 1, units]);
    return tf.reshape(tf.concat(d === 0 ? [block, zeros] : [zeros, block], 2), [units, count * 2 * units]);
  });
  return tf.concat(rows, 0);
}

/** Per-step mask `(T, B, 1)` for one direction, `(T, B, N)` step order for two. */
function stepMask(maskTB: tf.Tensor, dirs: number, units: number): tf.Tensor {
  const [T, B] = maskTB.shape;
  if (dirs === 1) return tf.reshape(maskTB, [T, B, 1]);
  const both = tf.stack([maskTB, tf.reverse(maskTB, 0)], 2); // (T, B, 2)
  return tf.reshape(tf.mul(tf.reshape(both, [T, B, 2, 1]), tf.ones([1, 1, 1, units])), [T, B, 2 * units]);
}

/** What the BPTT needs of `Prepared` (everything but the projections). */
type BpttContext = Omit<Prepared, 'xs'>;

/** Everything the loops need, derived from the layer inputs and weights. */
interface Prepared {
  T: number;
  B: number;
  D: number;
  dirs: number;
  /** `(T·B, D)` time-major input rows. */
  x2d: tf.Tensor;
  /** `(D, dirs·G·U)` all directions' input kernels side by side. */
  wx: tf.Tensor;
  /** `(T, B, G·N)` step-order input projections including bias. */
  xs: tf.Tensor;
  /** `(T, B, 1 | N)` step-order mask. */
  ms: tf.Tensor;
}

function prepare(x: tf.Tensor, mask: tf.Tensor, weights: DirectionWeights[], spec: RecurrentSpec): Prepared {
  const [B, T, D] = x.shape;
  const dirs = weights.length;
  const gates = gateCount(spec.cell);
  const x2d = tf.reshape(tf.transpose(x, [1, 0, 2]), [T * B, D]);
  const wx = dirs === 1 ? weights[0].kernel : tf.concat(weights.map((w) => w.kernel), 1);
  const bx = dirs === 1 ? weights[0].bias : tf.concat(weights.map((w) => w.bias), 0);
  const proj = tf.reshape(tf.add(tf.matMul(x2d, wx), bx), [T, B, dirs * gates * spec.units]);
  const xs = toStepOrder(proj, dirs, gates, spec.units);
  const ms = stepMask(tf.transpose(tf.cast(mask, 'float32')), dirs, spec.units);
  return { T, B, D, dirs, x2d, wx, xs, ms };
}

/** Step-order outputs `(T, B, N)` → `(B, T, N)` with each direction's outputs at their own times. */
function sequenceOutput(outs: tf.Tensor[], dirs: number, units: number): tf.Tensor {
  return tf.transpose(fromStepOrder(tf.stack(outs), dirs, 1, units), [1, 0, 2]);
}

/** What a forward loop leaves for the BPTT (all step order, `(T, B, N)` unless noted). */
interface GruTrace {
  hPrev: tf.Tensor;
  z: tf.Tensor;
  r: tf.Tensor;
  n: tf.Tensor;
}

/**
 * GRU loop (tfjs-layers GRUCell, resetAfter=false, sigmoid gates): z = σ(x_z + h R_z), r = σ(x_r + h R_r),
 * n = tanh(x_h + (r ⊙ h) R_h), h' = z ⊙ h + (1 − z) ⊙ n; padded steps keep h and output 0.
 * `xs (T, B, 3N)`, `ms (T, B, 1|N)`, `r1 (N, 2N)`, `r2 (N, N)` → outputs `(T, B, N)` list or final `(B, N)`.
 */
function gruLoop(
  xs: tf.Tensor,
  ms: tf.Tensor,
  r1: tf.Tensor,
  r2: tf.Tensor,
  n: number,
  returnSequences: boolean,
  trace: boolean,
): { outs: tf.Tensor[]; last: tf.Tensor; trace?: GruTrace } {
  const [T, B] = xs.shape;
  const xSteps = tf.unstack(xs);
  const mSteps = tf.unstack(ms);
  let h: tf.Tensor = tf.zeros([B, n]);
  const outs: tf.Tensor[] = [];
  const hs: tf.Tensor[] = [];
  const zs: tf.Tensor[] = [];
  const rs: tf.Tensor[] = [];
  const ns: tf.Tensor[] = [];
  for (let s = 0; s < T; s++) {
    const [xzr, xh] = tf.split(xSteps[s], [2 * n, n], 1);
    const zr = tf.sigmoid(tf.add(xzr, tf.matMul(h, r1)));
    const [z, r] = tf.split(zr, 2, 1);
    const cand = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h), r2)));
    const hNew = tf.add(cand, tf.mul(z, tf.sub(h, cand)));
    const m = mSteps[s];
    if (trace) {
      hs.push(h);
      zs.push(z);
      rs.push(r);
      ns.push(cand);
    }
    if (returnSequences) outs.push(tf.mul(m, hNew));
    h = tf.add(h, tf.mul(m, tf.sub(hNew, h)));
  }
  const result: { outs: tf.Tensor[]; last: tf.Tensor; trace?: GruTrace } = { outs, last: h };
  if (trace) {
    result.trace = {
      hPrev: tf.stack(hs),
      z: tf.stack(zs),
      r: tf.stack(rs),
      n: tf.stack(ns),
    };
  }
  return result;
}

/** What the LSTM loop leaves for the BPTT (step order, `(T, B, N)`). */
interface LstmTrace {
  hPrev: tf.Tensor;
  cPrev: tf.Tensor;
  i: tf.Tensor;
  f: tf.Tensor;
  g: tf.Tensor;
  o: tf.Tensor;
  /** tanh of the new cell state */
  tc: tf.Tensor;
}

/**
 * LSTM loop (tfjs-layers LSTMCell, sigmoid gates): i, f, o = σ(·), g = tanh(·), c' = f ⊙ c + i ⊙ g,
 * h' = o ⊙ tanh(c'); padded steps keep h and c and output 0.
 * `xs (T, B, 4N)`, `ms (T, B, 1|N)`, `rk (N, 4N)` → outputs `(T, B, N)` list or final `(B, N)`.
 */
function lstmLoop(
  xs: tf.Tensor,
  ms: tf.Tensor,
  rk: tf.Tensor,
  n: number,
  returnSequences: boolean,
  trace: boolean,
): { outs: tf.Tensor[]; last: tf.Tensor; trace?: LstmTrace } {
  const [T, B] = xs.shape;
  const xSteps = tf.unstack(xs);
  const mSteps = tf.unstack(ms);
  let h: tf.Tensor = tf.zeros([B, n]);
  let c: tf.Tensor = tf.zeros([B, n]);
  const outs: tf.Tensor[] = [];
  const t: Record<keyof LstmTrace, tf.Tensor[]> = { hPrev: [], cPrev: [], i: [], f: [], g: [], o: [], tc: [] };
  for (let s = 0; s < T; s++) {
    const a = tf.add(xSteps[s], tf.matMul(h, rk));
    const [i, f, , o] = tf.split(tf.sigmoid(a), 4, 1);
    const g = tf.tanh(tf.slice(a, [0, 2 * n], [B, n]));
    const cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
    const tc = tf.tanh(cNew);
    const hNew = tf.mul(o, tc);
    const m = mSteps[s];
    if (trace) {
      t.hPrev.push(h);
      t.cPrev.push(c);
      t.i.push(i);
      t.f.push(f);
      t.g.push(g);
      t.o.push(o);
      t.tc.push(tc);
    }
    if (returnSequences) outs.push(tf.mul(m, hNew));
    h = tf.add(h, tf.mul(m, tf.sub(hNew, h)));
    c = tf.add(c, tf.mul(m, tf.sub(cNew, c)));
  }
  const result: { outs: tf.Tensor[]; last: tf.Tensor; trace?: LstmTrace } = { outs, last: h };
  if (trace) {
    const st = (list: tf.Tensor[]) => tf.stack(list);
    result.trace = {
      hPrev: st(t.hPrev),
      cPrev: st(t.cPrev),
      i: st(t.i),
      f: st(t.f),
      g: st(t.g),
      o: st(t.o),
      tc: st(t.tc),
    };
  }
  return result;
}

/** Plain forward (autodiff, or inference): the loops as ordinary ops. */
function forward(x: tf.Tensor, mask: tf.Tensor, weights: DirectionWeights[], spec: RecurrentSpec): tf.Tensor {
  const p = prepare(x, mask, weights, spec);
  const n = p.dirs * spec.units;
  const rks = weights.map((w) => w.recurrentKernel);
  const run =
    spec.cell === 'gru'
      ? gruLoop(
          p.xs,
          p.ms,
          combinedRecurrent(rks, 0, 2, spec.units),
          combinedRecurrent(rks, 2, 1, spec.units),
          n,
          spec.returnSequences,
          false,
        )
      : lstmLoop(p.xs, p.ms, combinedRecurrent(rks, 0, 4, spec.units), n, spec.returnSequences, false);
  return spec.returnSequences ? sequenceOutput(run.outs, p.dirs, spec.units) : run.last;
}

/** `dy` of the layer output → step-order, masked output gradients `(T, B, N)` (null for final-state output). */
function stepOutputGrads(dy: tf.Tensor, p: BpttContext, units: number, returnSequences: boolean): tf.Tensor[] | null {
  if (!returnSequences) return null;
  const d = toStepOrder(tf.transpose(dy, [1, 0, 2]), p.dirs, 1, units);
  return tf.unstack(tf.mul(d, p.ms));
}

/**
 * Gradients of the inputs and of every direction's weights, from the step-order pre-activation gradients
 * `gates (T·B, G·N)` (gate-major) and the previous-state operands of each recurrent matMul.
 * `recurrentOperands[k]` `(T·B, N)` multiplies gate group k; `groupGates[k]` says how many gates it spans.
 */
function weightGrads(
  gates: tf.Tensor,
  p: BpttContext,
  spec: RecurrentSpec,
  recurrentOperands: tf.Tensor[],
  groupGates: number[],
): { dx: tf.Tensor; perDirection: tf.Tensor[][] } {
  const { T, B, D, dirs } = p;
  const U = spec.units;
  const G = gateCount(spec.cell);
  // Time-order, direction-major rows pair with the input rows of x2d.
  const gTime = tf.reshape(fromStepOrder(tf.reshape(gates, [T, B, G * dirs * U]), dirs, G, U), [T * B, dirs * G * U]);
  const dWx = tf.matMul(tf.transpose(p.x2d), gTime); // (D, dirs·G·U)
  const dB = tf.sum(gTime, 0);
  const dx = tf.transpose(tf.reshape(tf.matMul(gTime, tf.transpose(p.wx)), [T, B, D]), [1, 0, 2]);
  const dWxParts = dirs === 1 ? [dWx] : tf.split(dWx, dirs, 1);
  const dBParts = dirs === 1 ? [dB] : tf.split(dB, dirs, 0);
  const perDirection: tf.Tensor[][] = [];
  for (let d = 0; d < dirs; d++) {
    const gD = directionColumns(gates, d, dirs, G, U); // (T·B, G·U), gate order of the weights
    const groups = groupGates.length === 1 ? [gD] : tf.split(gD, groupGates.map((k) => k * U), 1);
    const dRk = groups.map((gk, k) => tf.matMul(tf.transpose(directionColumns(recurrentOperands[k], d, dirs, 1, U)), gk));
    perDirection.push([dWxParts[d], dRk.length === 1 ? dRk[0] : tf.concat(dRk, 1), dBParts[d]]);
  }
  return { dx: dx, perDirection };
}

/** GRU with hand-written BPTT; inputs `[x, mask, ...per direction (kernel, recurrentKernel, bias)]`. */
function gruBptt(spec: RecurrentSpec, dirs: number) {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [x, mask, ...w] = args.slice(0, -1) as tf.Tensor[];
    const weights = directionWeights(w, dirs);
    const p = prepare(x, mask, weights, spec);
    const U = spec.units;
    const N = dirs * U;
    const rks = weights.map((wd) => wd.recurrentKernel);
    const r1 = combinedRecurrent(rks, 0, 2, U);
    const r2 = combinedRecurrent(rks, 2, 1, U);
    const run = gruLoop(p.xs, p.ms, r1, r2, N, spec.returnSequences, true);
    const value = spec.returnSequences ? sequenceOutput(run.outs, dirs, U) : run.last;
    const tr = run.trace as GruTrace;
    // The engine disposes everything the forward made except `value` and what is saved here.
    save([p.x2d, p.wx, p.ms, r1, r2, tr.hPrev, tr.z, tr.r, tr.n]);
    const { T, B, D } = p;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x2d, wx, ms, r1, r2, hPrev, z, r, cand] = saved;
        const p = savedPrepared(T, B, D, dirs, x2d, wx, ms);
        const dOut = stepOutputGrads(dy, p, U, spec.returnSequences);
        // Per-step local derivatives, for all steps at once:
        //   ∂h'/∂a_h = (1 − z)(1 − n²), ∂h'/∂a_z = (h − n) z (1 − z), ∂(r ⊙ h)/∂a_r = h r (1 − r).
        const one = tf.scalar(1);
        const aH = tf.unstack(tf.mul(tf.sub(one, z), tf.sub(one, tf.square(cand))));
        const aZ = tf.unstack(tf.mul(tf.sub(hPrev, cand), tf.mul(z, tf.sub(one, z))));
        const aR = tf.unstack(tf.mul(hPrev, tf.mul(r, tf.sub(one, r))));
        const zSteps = tf.unstack(z);
        const rSteps = tf.unstack(r);
        const mSteps = tf.unstack(p.ms);
        const r1T = tf.transpose(r1);
        const r2T = tf.transpose(r2);
        let dh: tf.Tensor = spec.returnSequences ? tf.zeros([B, N]) : dy;
        const dZR: tf.Tensor[] = new Array(T);
        const dH: tf.Tensor[] = new Array(T);
        for (let s = T - 1; s >= 0; s--) {
          const kept = tf.mul(mSteps[s], dh);
          const dhNew = dOut ? tf.add(kept, dOut[s]) : kept;
          const daH = tf.mul(dhNew, aH[s]);
          const daZ = tf.mul(dhNew, aZ[s]);
          const dq = tf.matMul(daH, r2T);
          const daR = tf.mul(dq, aR[s]);
          const daZR = tf.concat([daZ, daR], 1);
          dh = tf.addN([tf.sub(dh, kept), tf.mul(dhNew, zSteps[s]), tf.mul(dq, rSteps[s]), tf.matMul(daZR, r1T)]);
          dZR[s] = daZR;
          dH[s] = daH;
        }
        const gates = tf.reshape(tf.concat([tf.stack(dZR), tf.stack(dH)], 2), [T * B, 3 * N]);
        const h2d = tf.reshape(hPrev, [T * B, N]);
        const q2d = tf.reshape(tf.mul(r, hPrev), [T * B, N]);
        const g = weightGrads(gates, p, spec, [h2d, q2d], [2, 1]);
        return [g.dx, tf.zerosLike(mask), ...g.perDirection.flat()];
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
    const U = spec.units;
    const N = dirs * U;
    const rk = combinedRecurrent(
      weights.map((wd) => wd.recurrentKernel),
      0,
      4,
      U,
    );
    const run = lstmLoop(p.xs, p.ms, rk, N, spec.returnSequences, true);
    const value = spec.returnSequences ? sequenceOutput(run.outs, dirs, U) : run.last;
    const tr = run.trace as LstmTrace;
    save([p.x2d, p.wx, p.ms, rk, tr.hPrev, tr.cPrev, tr.i, tr.f, tr.g, tr.o, tr.tc]);
    const { T, B, D } = p;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x2d, wx, ms, rk, hPrev, cPrev, i, f, g, o, tc] = saved;
        const p = savedPrepared(T, B, D, dirs, x2d, wx, ms);
        const dOut = stepOutputGrads(dy, p, U, spec.returnSequences);
        const one = tf.scalar(1);
        const sig = (s: tf.Tensor) => tf.mul(s, tf.sub(one, s));
        // Local derivatives for all steps: ∂h'/∂a_o = tanh(c') o(1−o), ∂h'/∂c' = o(1 − tanh²c'),
        // ∂c'/∂a_i = g i(1−i), ∂c'/∂a_f = c f(1−f), ∂c'/∂a_g = i(1 − g²).
        const pO = tf.unstack(tf.mul(tc, sig(o)));
        const pC = tf.unstack(tf.mul(o, tf.sub(one, tf.square(tc))));
        const pIFG = tf.unstack(
          tf.stack([tf.mul(g, sig(i)), tf.mul(cPrev, sig(f)), tf.mul(i, tf.sub(one, tf.square(g)))], 2),
        ); // (B, 3, N) per step
        const fSteps = tf.unstack(f);
        const mSteps = tf.unstack(p.ms);
        const rkT = tf.transpose(rk);
        let dh: tf.Tensor = spec.returnSequences ? tf.zeros([B, N]) : dy;
        let dc: tf.Tensor = tf.zeros([B, N]);
        const dA: tf.Tensor[] = new Array(T);
        for (let s = T - 1; s >= 0; s--) {
          const m = mSteps[s];
          const keptH = tf.mul(m, dh);
          const dhNew = dOut ? tf.add(keptH, dOut[s]) : keptH;
          const keptC = tf.mul(m, dc);
          const dcNew = tf.add(keptC, tf.mul(dhNew, pC[s]));
          const dIFG = tf.reshape(tf.mul(tf.reshape(dcNew, [B, 1, N]), pIFG[s]), [B, 3 * N]);
          const da = tf.concat([dIFG, tf.mul(dhNew, pO[s])], 1);
          dc = tf.add(tf.sub(dc, keptC), tf.mul(dcNew, fSteps[s]));
          dh = tf.add(tf.sub(dh, keptH), tf.matMul(da, rkT));
          dA[s] = da;
        }
        const gates = tf.reshape(tf.stack(dA), [T * B, 4 * N]);
        const h2d = tf.reshape(hPrev, [T * B, N]);
        const gr = weightGrads(gates, p, spec, [h2d], [4]);
        return [gr.dx, tf.zerosLike(mask), ...gr.perDirection.flat()];
      },
    };
  });
}

/** The BPTT's context, rebuilt from saved tensors. */
function savedPrepared(
  T: number,
  B: number,
  D: number,
  dirs: number,
  x2d: tf.Tensor,
  wx: tf.Tensor,
  ms: tf.Tensor,
): BpttContext {
  return { T, B, D, dirs, x2d: x2d, wx: wx, ms: ms };
}

function directionWeights(flat: tf.Tensor[], dirs: number): DirectionWeights[] {
  const out: DirectionWeights[] = [];
  for (let d = 0; d < dirs; d++) {
    out.push({
      kernel: flat[3 * d],
      recurrentKernel: flat[3 * d + 1],
      bias: flat[3 * d + 2],
    });
  }
  return out;
}

/**
 * Runs a masked GRU/LSTM over a batch: `x (B, T, D)`, `mask (B, T)` 1 on real steps with padding at the
 * end of each row, one `DirectionWeights` per direction (forward first) → `(B, T, dirs·U)` when
 * `returnSequences`, else the last real state `(B, dirs·U)`. Padded steps carry the state and output 0;
 * the backward direction starts at each row's last real step.
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
    const flat = weights.flatMap((w) => [w.kernel, w.recurrentKernel, w.bias]);
    return kernel(x, mask, ...flat);
  }
  return tf.tidy(() => forward(x, mask, weights, spec));
}
