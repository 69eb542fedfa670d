import * as tf from '@tensorflow/tfjs-core';

/**
 * Sequence kernels behind `FastRNN`: masked uni/bidirectional GRU and LSTM over a whole batch, as plain
 * tfjs ops (differentiated by tfjs' tape) or with a hand-written BPTT (`tf.customGrad`).
 *
 * Layout. Weights keep tfjs-layers' layout per direction (`kernel (D, G·U)`, `recurrent_kernel (U, G·U)`,
 * `bias (G·U)`, gates z,r,h for GRU and i,f,c,o for LSTM), so tfjs GRU/LSTM weights copy in unchanged.
 * The backward direction is the forward kernel run on the time-reversed batch; its outputs are reversed
 * back. (A joint state with block-diagonal recurrent weights was measured slower on wasm: it doubles the
 * recurrent FLOPs, and splitting it per direction costs more than the ops it saves.)
 *
 * Speed on tfjs wasm: XNNPACK runs only rank-2 matMuls without transpose flags, each op costs ~10-30 µs
 * of dispatch, `tanh` is ~50× slower than `sigmoid`, and slicing or concatenating along a minor axis
 * walks rows in JS. So: the input projections of all steps are one `(T·B, D) × (D, G·U)` matMul, split per
 * gate once, outside the loop; the loop keeps one tensor per gate (no per-step split/concat), computes
 * tanh(a) = 2σ(2a) − 1 with the factor 2 folded into the weights, and masks with one multiply. The BPTT
 * computes the per-step gate derivatives for all steps at once, keeps only the recurrence in its reverse
 * loop, and forms every weight gradient as one matMul over `T·B` rows with explicit transposes.
 *
 * Masking. Padding sits at the end of each row, so the forward direction has nothing real after its
 * padding and the backward direction nothing real before it. The state is therefore simply zeroed at
 * padded steps (`h = m ⊙ h_new`): outputs are 0 there, and the backward direction enters each row's last
 * real step with a zero state, exactly as without padding. The last real state is picked from the
 * outputs with the selector `m_s (1 − m_{s+1})`, which is 1 only at each row's last real step.
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

/** Column block `[k·U, (k+1)·U)` of a `(rows, ·)` matrix. */
function columnBlock(m: tf.Tensor, k: number, units: number): tf.Tensor {
  return tf.slice(m, [0, k * units], [m.shape[0], units]);
}

/**
 * `(T, …)` → T tensors `(…)`. tfjs' Unpack gradient fails for a single output (it stacks a bare tensor),
 * so T = 1 becomes a reshape.
 */
function timeSteps(t: tf.Tensor): tf.Tensor[] {
  return t.shape[0] === 1 ? [tf.reshape(t, t.shape.slice(1))] : tf.unstack(t);
}

/** Sizes of one direction's run. */
interface Dims {
  T: number;
  B: number;
  D: number;
  U: number;
  G: number;
}

/** One direction's projections and weights, ready for the step loop. */
interface Prepared {
  d: Dims;
  /** `(T·B, D)` input rows in step order. */
  x2d: tf.Tensor;
  /** Per gate, `(T, B, U)` input projections including bias (the tanh gate ×2). */
  xs: tf.Tensor[];
  /** Per gate, `(U, U)` recurrent matrices (the tanh gate ×2). */
  rs: tf.Tensor[];
}

/** `x (T, B, D)` step order, weights of one direction → projections and per-gate matrices. */
function prepare(x: tf.Tensor, w: DirectionWeights, cell: CellKind, units: number): Prepared {
  const [T, B, D] = x.shape;
  const G = gateCount(cell);
  const d: Dims = { T, B, D, U: units, G };
  const x2d = tf.reshape(x, [T * B, D]);
  const proj = tf.add(tf.matMul(x2d, w.kernel), w.bias); // (T·B, G·U)
  const two = tf.scalar(2);
  const xs: tf.Tensor[] = [];
  const rs: tf.Tensor[] = [];
  for (let g = 0; g < G; g++) {
    const xg = tf.reshape(columnBlock(proj, g, units), [T, B, units]);
    const rg = columnBlock(w.recurrentKernel, g, units);
    xs.push(g === TANH_GATE ? tf.mul(xg, two) : xg);
    rs.push(g === TANH_GATE ? tf.mul(rg, two) : rg);
  }
  return { d, x2d, xs, rs };
}

/** What the GRU loop leaves for the BPTT, per step (each `(B, U)`). */
interface GruTrace {
  z: tf.Tensor[];
  r: tf.Tensor[];
  n: tf.Tensor[];
}

/**
 * GRU loop (tfjs-layers GRUCell, resetAfter=false, sigmoid gates): z = σ(x_z + h R_z),
 * r = σ(x_r + h R_r), n = tanh(x_h + (r ⊙ h) R_h), h' = z ⊙ h + (1 − z) ⊙ n, h = m ⊙ h'.
 * `ms (T, B, 1)`. Returns the state `(B, U)` after every step.
 */
function gruLoop(p: Prepared, ms: tf.Tensor, trace?: GruTrace): tf.Tensor[] {
  const { T, B, U } = p.d;
  const [xz, xr, xh2] = p.xs.map((t) => timeSteps(t));
  const [rz, rr, rh2] = p.rs;
  const mSteps = timeSteps(ms);
  const one = tf.scalar(1);
  const two = tf.scalar(2);
  let h = tf.zeros([B, U]);
  const hs: tf.Tensor[] = [];
  for (let s = 0; s < T; s++) {
    // A scope per step frees its temporaries at once (the tape keeps its own copies of what it needs).
    const step = tf.tidy(() => {
      const z = tf.sigmoid(tf.add(xz[s], tf.matMul(h, rz)));
      const r = tf.sigmoid(tf.add(xr[s], tf.matMul(h, rr)));
      // tanh(a) = 2σ(2a) − 1; x_h and R_h arrive ×2.
      const n = tf.sub(tf.mul(tf.sigmoid(tf.add(xh2[s], tf.matMul(tf.mul(r, h), rh2))), two), one);
      const hNext = tf.mul(mSteps[s], tf.add(n, tf.mul(z, tf.sub(h, n))));
      return trace ? [hNext, z, r, n] : [hNext];
    });
    h = step[0];
    hs.push(h);
    if (trace) {
      trace.z.push(step[1]);
      trace.r.push(step[2]);
      trace.n.push(step[3]);
    }
  }
  return hs;
}

/** What the LSTM loop leaves for the BPTT, per step (each `(B, U)`). */
interface LstmTrace {
  i: tf.Tensor[];
  f: tf.Tensor[];
  g: tf.Tensor[];
  o: tf.Tensor[];
  /** The cell state after the step (masked). */
  c: tf.Tensor[];
  /** tanh of the new cell state */
  tc: tf.Tensor[];
}

/**
 * LSTM loop (tfjs-layers LSTMCell, sigmoid gates): i, f, o = σ(x + h R), g = tanh(x_c + h R_c),
 * c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'), h = m ⊙ h', c = m ⊙ c'. Returns the state `(B, U)` per step.
 */
function lstmLoop(p: Prepared, ms: tf.Tensor, trace?: LstmTrace): tf.Tensor[] {
  const { T, B, U } = p.d;
  const [xi, xf, xg2, xo] = p.xs.map((t) => timeSteps(t));
  const [ri, rf, rg2, ro] = p.rs;
  const mSteps = timeSteps(ms);
  const one = tf.scalar(1);
  const two = tf.scalar(2);
  let h = tf.zeros([B, U]);
  let c = tf.zeros([B, U]);
  const hs: tf.Tensor[] = [];
  for (let s = 0; s < T; s++) {
    const step = tf.tidy(() => {
      const i = tf.sigmoid(tf.add(xi[s], tf.matMul(h, ri)));
      const f = tf.sigmoid(tf.add(xf[s], tf.matMul(h, rf)));
      const o = tf.sigmoid(tf.add(xo[s], tf.matMul(h, ro)));
      const g = tf.sub(tf.mul(tf.sigmoid(tf.add(xg2[s], tf.matMul(h, rg2))), two), one);
      const cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
      const tc = tf.sub(tf.mul(tf.sigmoid(tf.mul(cNew, two)), two), one);
      const m = mSteps[s];
      const hNext = tf.mul(m, tf.mul(o, tc));
      const cNext = tf.mul(m, cNew);
      return trace ? [hNext, cNext, i, f, g, o, tc] : [hNext, cNext];
    });
    h = step[0];
    if (!trace) c.dispose();
    c = step[1];
    hs.push(h);
    if (trace) {
      trace.c.push(c);
      trace.i.push(step[2]);
      trace.f.push(step[3]);
      trace.g.push(step[4]);
      trace.o.push(step[5]);
      trace.tc.push(step[6]);
    }
  }
  if (!trace) c.dispose();
  return hs;
}

/** `hs (T, B, U)` → the state at each row's last real step `(B, U)`; `last (T, B, 1)` one-hot in time. */
function pickLast(hs: tf.Tensor, last: tf.Tensor): tf.Tensor {
  const [T, B, U] = hs.shape;
  const picked = tf.reshape(tf.mul(hs, last), [T, B * U]);
  return tf.reshape(tf.matMul(tf.ones([1, T]), picked), [B, U]);
}

/** States entering each step: `(T, B, U)`, zeros then `hs[0 … T−2]`. */
function previousStates(hs: tf.Tensor): tf.Tensor {
  const [T, B, U] = hs.shape;
  if (T === 1) return tf.zerosLike(hs);
  return tf.concat([tf.zeros([1, B, U]), tf.slice(hs, [0, 0, 0], [T - 1, B, U])], 0);
}

/**
 * Input and weight gradients of one direction from the pre-activation gradients of each gate `(T, B, U)`
 * (step order). `operands` lists, in gate order, each operand `(T, B, U)` that met the recurrent matrix
 * and how many consecutive gates it met (GRU: h_prev for z and r, r ⊙ h_prev for h; LSTM: h_prev for all
 * four), so each group's gradient is one `(U, T·B) × (T·B, k·U)` matMul.
 * Returns `[dx (T, B, D), dKernel, dRecurrentKernel, dBias]`.
 */
function weightGrads(
  gates: tf.Tensor[],
  operands: Array<{ operand: tf.Tensor; gates: number }>,
  x2d: tf.Tensor,
  kernel: tf.Tensor,
  d: Dims,
): tf.Tensor[] {
  const TB = d.T * d.B;
  const gAll = tf.concat(
    gates.map((g) => tf.reshape(g, [TB, d.U])),
    1,
  ); // (T·B, G·U), the kernel's column layout
  const dKernel = tf.matMul(tf.transpose(x2d), gAll);
  const dBias = tf.reshape(tf.matMul(tf.ones([1, TB]), gAll), [d.G * d.U]);
  const dx = tf.reshape(tf.matMul(gAll, tf.transpose(kernel)), [d.T, d.B, d.D]);
  let first = 0;
  const dRec = operands.map(({ operand, gates: count }) => {
    const cols = count === d.G ? gAll : tf.slice(gAll, [0, first * d.U], [TB, count * d.U]);
    first += count;
    return tf.matMul(tf.transpose(tf.reshape(operand, [TB, d.U])), cols);
  });
  return [dx, dKernel, dRec.length === 1 ? dRec[0] : tf.concat(dRec, 1), dBias];
}

/** Output gradient per step `(T, B, U)` from the layer-output gradient `dy`. */
function stepOutputGrads(dy: tf.Tensor, last: tf.Tensor | undefined): tf.Tensor {
  if (last === undefined) return dy;
  return tf.mul(last, tf.expandDims(dy, 0));
}

/** GRU direction with hand-written BPTT: inputs `[x (T,B,D), ms (T,B,1), kernel, recurrentKernel, bias, last?]`. */
const gruBptt = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const save = args[args.length - 1] as tf.GradSaveFunc;
  const [x, ms, kernel, recurrentKernel, bias, last] = args.slice(0, -1) as tf.Tensor[];
  const units = recurrentKernel.shape[0];
  const p = prepare(x, { kernel, recurrentKernel, bias }, 'gru', units);
  const trace: GruTrace = { z: [], r: [], n: [] };
  const hs = tf.stack(gruLoop(p, ms, trace));
  const value = last === undefined ? hs : pickLast(hs, last);
  // The engine disposes everything the forward made except `value` and what is saved here.
  // The engine disposes everything the forward made except `value` and what is saved here; inputs
  // made inside the caller's tidy (mask, selector) are gone by backward time too.
  const inputs = [ms, kernel, recurrentKernel, ...(last === undefined ? [] : [last])];
  save([...inputs, p.x2d, hs, tf.stack(trace.z), tf.stack(trace.r), tf.stack(trace.n)]);
  const d = p.d;
  const withLast = last !== undefined;
  return {
    value,
    // One scope for the whole backward pass: the engine keeps gradient temporaries until the end of
    // `tf.grads` otherwise, which for stacked wide layers is more memory than the wasm heap has.
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [ms, kernel, recurrentKernel] = saved;
        const last = withLast ? saved[3] : undefined;
        const [x2d, hsSaved, z, r, n] = saved.slice(inputs.length);
        const one = tf.scalar(1);
        const hPrev = previousStates(hsSaved);
        // Local derivatives of all steps at once, the mask folded in:
        //   ∂h/∂a_h = m(1 − z)(1 − n²), ∂h/∂a_z = m(h_prev − n)z(1 − z), ∂h/∂h_prev|direct = m z,
        //   ∂(r ⊙ h_prev)/∂a_r = h_prev r(1 − r).
        const zc = tf.sub(one, z);
        const aH = timeSteps(tf.mul(tf.mul(ms, zc), tf.sub(one, tf.square(n))));
        const aZ = timeSteps(tf.mul(tf.mul(ms, tf.sub(hPrev, n)), tf.mul(z, zc)));
        const aR = timeSteps(tf.mul(hPrev, tf.mul(r, tf.sub(one, r))));
        const zm = timeSteps(tf.mul(ms, z));
        const rSteps = timeSteps(r);
        const dOut = timeSteps(stepOutputGrads(dy, last));
        const [rzT, rrT, rhT] = [0, 1, 2].map((g) => tf.transpose(columnBlock(recurrentKernel, g, d.U)));
        let dh = tf.zeros([d.B, d.U]);
        const daZ: tf.Tensor[] = new Array(d.T);
        const daR: tf.Tensor[] = new Array(d.T);
        const daH: tf.Tensor[] = new Array(d.T);
        for (let s = d.T - 1; s >= 0; s--) {
          const [gz, gr, gh, dhPrev] = tf.tidy(() => {
            const g = tf.add(dh, dOut[s]);
            const gh = tf.mul(g, aH[s]);
            const gz = tf.mul(g, aZ[s]);
            const dq = tf.matMul(gh, rhT);
            const gr = tf.mul(dq, aR[s]);
            const dhPrev = tf.add(
              tf.add(tf.mul(g, zm[s]), tf.mul(dq, rSteps[s])),
              tf.add(tf.matMul(gz, rzT), tf.matMul(gr, rrT)),
            );
            return [gz, gr, gh, dhPrev];
          });
          dh.dispose();
          dh = dhPrev;
          daZ[s] = gz;
          daR[s] = gr;
          daH[s] = gh;
        }
        const gates = [daZ, daR, daH].map((list) => tf.stack(list));
        const [dx, dK, dR, dB] = weightGrads(
          gates,
          [
            { operand: hPrev, gates: 2 },
            { operand: tf.mul(r, hPrev), gates: 1 },
          ],
          x2d,
          kernel,
          d,
        );
        const grads = [dx, tf.zerosLike(ms), dK, dR, dB];
        return last === undefined ? grads : [...grads, tf.zerosLike(last)];
      }),
  };
});

/** LSTM direction with hand-written BPTT; inputs as `gruBptt`. */
const lstmBptt = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const save = args[args.length - 1] as tf.GradSaveFunc;
  const [x, ms, kernel, recurrentKernel, bias, last] = args.slice(0, -1) as tf.Tensor[];
  const units = recurrentKernel.shape[0];
  const p = prepare(x, { kernel, recurrentKernel, bias }, 'lstm', units);
  const t: LstmTrace = { i: [], f: [], g: [], o: [], c: [], tc: [] };
  const hs = tf.stack(lstmLoop(p, ms, t));
  const value = last === undefined ? hs : pickLast(hs, last);
  const inputs = [ms, kernel, recurrentKernel, ...(last === undefined ? [] : [last])];
  save([...inputs, p.x2d, hs, ...[t.i, t.f, t.g, t.o, t.c, t.tc].map((list) => tf.stack(list))]);
  const d = p.d;
  const withLast = last !== undefined;
  return {
    value,
    // One scope for the whole backward pass: the engine keeps gradient temporaries until the end of
    // `tf.grads` otherwise, which for stacked wide layers is more memory than the wasm heap has.
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [ms, kernel, recurrentKernel] = saved;
        const last = withLast ? saved[3] : undefined;
        const [x2d, hsSaved, i, f, g, o, c, tc] = saved.slice(inputs.length);
        const one = tf.scalar(1);
        const sig = (s: tf.Tensor) => tf.mul(s, tf.sub(one, s));
        const hPrev = previousStates(hsSaved);
        const cPrev = previousStates(c);
        // Local derivatives of all steps at once, the mask folded into those of h and c:
        //   ∂h/∂a_o = m tanh(c') o(1−o), ∂h/∂c' = m o(1 − tanh²c'), ∂c/∂c' = m,
        //   ∂c'/∂a_i = g i(1−i), ∂c'/∂a_f = c_prev f(1−f), ∂c'/∂a_g = i(1 − g²), ∂c'/∂c_prev = f.
        const pO = timeSteps(tf.mul(ms, tf.mul(tc, sig(o))));
        const pC = timeSteps(tf.mul(ms, tf.mul(o, tf.sub(one, tf.square(tc)))));
        const pI = timeSteps(tf.mul(g, sig(i)));
        const pF = timeSteps(tf.mul(cPrev, sig(f)));
        const pG = timeSteps(tf.mul(i, tf.sub(one, tf.square(g))));
        const mSteps = timeSteps(ms);
        const fSteps = timeSteps(f);
        const dOut = timeSteps(stepOutputGrads(dy, last));
        const rT = [0, 1, 2, 3].map((k) => tf.transpose(columnBlock(recurrentKernel, k, d.U)));
        let dh = tf.zeros([d.B, d.U]);
        let dc = tf.zeros([d.B, d.U]);
        const da: tf.Tensor[][] = [new Array(d.T), new Array(d.T), new Array(d.T), new Array(d.T)];
        for (let s = d.T - 1; s >= 0; s--) {
          const [gi, gf, gg, go, dhPrev, dcPrev] = tf.tidy(() => {
            const gH = tf.add(dh, dOut[s]);
            const dcNew = tf.add(tf.mul(dc, mSteps[s]), tf.mul(gH, pC[s]));
            const gi = tf.mul(dcNew, pI[s]);
            const gf = tf.mul(dcNew, pF[s]);
            const gg = tf.mul(dcNew, pG[s]);
            const go = tf.mul(gH, pO[s]);
            const dhPrev = tf.add(
              tf.add(tf.matMul(gi, rT[0]), tf.matMul(gf, rT[1])),
              tf.add(tf.matMul(gg, rT[2]), tf.matMul(go, rT[3])),
            );
            return [gi, gf, gg, go, dhPrev, tf.mul(dcNew, fSteps[s])];
          });
          tf.dispose([dh, dc]);
          dh = dhPrev;
          dc = dcPrev;
          da[0][s] = gi;
          da[1][s] = gf;
          da[2][s] = gg;
          da[3][s] = go;
        }
        const gates = da.map((list) => tf.stack(list));
        const [dx, dK, dR, dB] = weightGrads(gates, [{ operand: hPrev, gates: 4 }], x2d, kernel, d);
        const grads = [dx, tf.zerosLike(ms), dK, dR, dB];
        return last === undefined ? grads : [...grads, tf.zerosLike(last)];
      }),
  };
});

/**
 * One direction: `x (T, B, D)` and `ms (T, B, 1)` in processing order → states `(T, B, U)` or, given
 * the last-step selector `last (T, B, 1)`, the last real state `(B, U)`.
 */
function direction(
  x: tf.Tensor,
  ms: tf.Tensor,
  w: DirectionWeights,
  last: tf.Tensor | undefined,
  spec: RecurrentSpec,
): tf.Tensor {
  if (spec.implementation === 'bptt' && tf.engine().isTapeOn()) {
    const kernel = spec.cell === 'gru' ? gruBptt : lstmBptt;
    const inputs = [x, ms, w.kernel, w.recurrentKernel, w.bias];
    return kernel(...(last === undefined ? inputs : [...inputs, last]));
  }
  const p = prepare(x, w, spec.cell, spec.units);
  const hs = tf.stack(spec.cell === 'gru' ? gruLoop(p, ms) : lstmLoop(p, ms));
  return last === undefined ? hs : pickLast(hs, last);
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
  return tf.tidy(() => {
    const [B, T] = mask.shape;
    const xT = tf.transpose(x, [1, 0, 2]); // (T, B, D)
    const mT = tf.reshape(tf.transpose(tf.cast(mask, 'float32')), [T, B, 1]);
    const outs = weights.map((w, k) => {
      const xd = k === 0 ? xT : tf.reverse(xT, 0);
      const md = k === 0 ? mT : tf.reverse(mT, 0);
      let last: tf.Tensor | undefined;
      if (!spec.returnSequences) {
        const next =
          T === 1 ? tf.zeros([1, B, 1]) : tf.concat([tf.slice(md, [1, 0, 0], [T - 1, B, 1]), tf.zeros([1, B, 1])], 0);
        last = tf.mul(md, tf.sub(tf.scalar(1), next));
      }
      const out = direction(xd, md, w, last, spec);
      return k === 0 || !spec.returnSequences ? out : tf.reverse(out, 0);
    });
    if (!spec.returnSequences) return outs.length === 1 ? outs[0] : tf.concat(outs, 1);
    return tf.transpose(outs.length === 1 ? outs[0] : tf.concat(outs, 2), [1, 0, 2]);
  });
}
