/**
 * The word2vec training loop (skip-gram or CBOW, negative sampling) as plain typed-array code, after
 * Mikolov et al.'s word2vec.c. One kernel is one training thread; several kernels may share `syn0`/`syn1`
 * on SharedArrayBuffers and update them without locks (Hogwild), each over its own slice of the corpus.
 * This file imports nothing so that worker threads load it alone.
 */

/** Sigmoid table resolution and range, as in word2vec.c: sigma(x) for x in [-MAX_EXP, MAX_EXP]. */
export const EXP_TABLE_SIZE = 1000;
/** Beyond |x| > MAX_EXP the sigmoid is taken as 0 or 1. */
export const MAX_EXP = 6;
/** Long lines are trained in pieces of this many kept tokens (word2vec.c's MAX_SENTENCE_LENGTH). */
export const MAX_SENTENCE = 1000;
/** `ids` value that ends a sentence (same as corpus.ts' SENTENCE_END). */
const SENTENCE_END = -1;
/** How often (in words) a thread refreshes the learning rate from the global progress. */
const LR_UPDATE_WORDS = 10000;
/** Values per thread in `stats`: words read, loss sum, loss terms. */
export const STATS_PER_THREAD = 3;

/*
 * Precomputed sigmoid and its negative logs (for the loss estimate), EXP_TABLE_SIZE + 1 entries as in
 * word2vec.c: a score just below MAX_EXP can round to index EXP_TABLE_SIZE.
 */
const EXP_TABLE = new Float64Array(EXP_TABLE_SIZE + 1);
const NLOG_SIG = new Float64Array(EXP_TABLE_SIZE + 1);
const NLOG_ONE_MINUS_SIG = new Float64Array(EXP_TABLE_SIZE + 1);
for (let i = 0; i <= EXP_TABLE_SIZE; i++) {
  const x = ((i / EXP_TABLE_SIZE) * 2 - 1) * MAX_EXP;
  const s = 1 / (1 + Math.exp(-x));
  EXP_TABLE[i] = s;
  NLOG_SIG[i] = -Math.log(s);
  NLOG_ONE_MINUS_SIG[i] = -Math.log(1 - s);
}

/**
 * The three tables one after the other (sigmoid, -log sigmoid, -log(1 - sigmoid); `EXP_TABLE_SIZE + 1`
 * f64 values each), the layout the wasm kernel reads them in.
 */
export function sigmoidTables(): Float64Array {
  const all = new Float64Array(3 * (EXP_TABLE_SIZE + 1));
  all.set(EXP_TABLE, 0);
  all.set(NLOG_SIG, EXP_TABLE_SIZE + 1);
  all.set(NLOG_ONE_MINUS_SIG, 2 * (EXP_TABLE_SIZE + 1));
  return all;
}

/*
 * Vector loops, unrolled by four with independent accumulators: V8 neither vectorises nor reorders float
 * additions, so this breaks the add-latency chain of the dot product and halves the training time.
 * `Hidden` variants take the CBOW hidden vector (Float64Array) so that every call site stays monomorphic.
 */

/** Dot product of `a[ao..ao+n)` and `b[bo..bo+n)`. */
function dotRows(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let f0 = 0;
  let f1 = 0;
  let f2 = 0;
  let f3 = 0;
  let k = 0;
  const n4 = n & ~3;
  for (; k < n4; k += 4) {
    f0 += a[ao + k] * b[bo + k];
    f1 += a[ao + k + 1] * b[bo + k + 1];
    f2 += a[ao + k + 2] * b[bo + k + 2];
    f3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) f0 += a[ao + k] * b[bo + k];
  return f0 + f1 + f2 + f3;
}

/** The gradient step of one (input, output) pair: `grad += g * out`, then `out += g * input`. */
function stepRows(
  grad: Float64Array,
  out: Float32Array,
  oo: number,
  input: Float32Array,
  io: number,
  g: number,
  n: number,
): void {
  let k = 0;
  const n4 = n & ~3;
  for (; k < n4; k += 4) {
    const a0 = out[oo + k];
    const a1 = out[oo + k + 1];
    const a2 = out[oo + k + 2];
    const a3 = out[oo + k + 3];
    grad[k] += g * a0;
    grad[k + 1] += g * a1;
    grad[k + 2] += g * a2;
    grad[k + 3] += g * a3;
    out[oo + k] = a0 + g * input[io + k];
    out[oo + k + 1] = a1 + g * input[io + k + 1];
    out[oo + k + 2] = a2 + g * input[io + k + 2];
    out[oo + k + 3] = a3 + g * input[io + k + 3];
  }
  for (; k < n; k++) {
    const a = out[oo + k];
    grad[k] += g * a;
    out[oo + k] = a + g * input[io + k];
  }
}

/** `stepRows` for the first output of a pair: sets `grad` instead of adding (saves zeroing it). */
function firstStepRows(
  grad: Float64Array,
  out: Float32Array,
  oo: number,
  input: Float32Array,
  io: number,
  g: number,
  n: number,
): void {
  let k = 0;
  const n4 = n & ~3;
  for (; k < n4; k += 4) {
    const a0 = out[oo + k];
    const a1 = out[oo + k + 1];
    const a2 = out[oo + k + 2];
    const a3 = out[oo + k + 3];
    grad[k] = g * a0;
    grad[k + 1] = g * a1;
    grad[k + 2] = g * a2;
    grad[k + 3] = g * a3;
    out[oo + k] = a0 + g * input[io + k];
    out[oo + k + 1] = a1 + g * input[io + k + 1];
    out[oo + k + 2] = a2 + g * input[io + k + 2];
    out[oo + k + 3] = a3 + g * input[io + k + 3];
  }
  for (; k < n; k++) {
    const a = out[oo + k];
    grad[k] = g * a;
    out[oo + k] = a + g * input[io + k];
  }
}

/** `dotRows` with a Float64Array hidden vector. */
function dotHidden(h: Float64Array, b: Float32Array, bo: number, n: number): number {
  let f0 = 0;
  let f1 = 0;
  let f2 = 0;
  let f3 = 0;
  let k = 0;
  const n4 = n & ~3;
  for (; k < n4; k += 4) {
    f0 += h[k] * b[bo + k];
    f1 += h[k + 1] * b[bo + k + 1];
    f2 += h[k + 2] * b[bo + k + 2];
    f3 += h[k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) f0 += h[k] * b[bo + k];
  return f0 + f1 + f2 + f3;
}

/** `stepRows` with a Float64Array hidden vector. */
function stepHidden(grad: Float64Array, out: Float32Array, oo: number, h: Float64Array, g: number, n: number): void {
  let k = 0;
  const n4 = n & ~3;
  for (; k < n4; k += 4) {
    const a0 = out[oo + k];
    const a1 = out[oo + k + 1];
    const a2 = out[oo + k + 2];
    const a3 = out[oo + k + 3];
    grad[k] += g * a0;
    grad[k + 1] += g * a1;
    grad[k + 2] += g * a2;
    grad[k + 3] += g * a3;
    out[oo + k] = a0 + g * h[k];
    out[oo + k + 1] = a1 + g * h[k + 1];
    out[oo + k + 2] = a2 + g * h[k + 2];
    out[oo + k + 3] = a3 + g * h[k + 3];
  }
  for (; k < n; k++) {
    const a = out[oo + k];
    grad[k] += g * a;
    out[oo + k] = a + g * h[k];
  }
}

/** `stepHidden` for the first output: sets `grad` instead of adding. */
function firstStepHidden(
  grad: Float64Array,
  out: Float32Array,
  oo: number,
  h: Float64Array,
  g: number,
  n: number,
): void {
  let k = 0;
  const n4 = n & ~3;
  for (; k < n4; k += 4) {
    const a0 = out[oo + k];
    const a1 = out[oo + k + 1];
    const a2 = out[oo + k + 2];
    const a3 = out[oo + k + 3];
    grad[k] = g * a0;
    grad[k + 1] = g * a1;
    grad[k + 2] = g * a2;
    grad[k + 3] = g * a3;
    out[oo + k] = a0 + g * h[k];
    out[oo + k + 1] = a1 + g * h[k + 1];
    out[oo + k + 2] = a2 + g * h[k + 2];
    out[oo + k + 3] = a3 + g * h[k + 3];
  }
  for (; k < n; k++) {
    const a = out[oo + k];
    grad[k] = g * a;
    out[oo + k] = a + g * h[k];
  }
}

/** The arrays a kernel reads and writes (shared between threads when training in parallel). */
export interface KernelArrays {
  /** Input (token) vectors `(vocab, dim)`: the embeddings. */
  syn0: Float32Array;
  /** Output vectors `(vocab, dim)` of negative sampling. */
  syn1: Float32Array;
  /** Token ids, `-1` after each sentence. */
  ids: Int32Array;
  /** Unigram^0.75 table: token ids in proportion to count^0.75. */
  negTable: Int32Array;
  /** Per token, the probability of keeping an occurrence (subsampling of frequent tokens). */
  keep: Float32Array;
  /** `STATS_PER_THREAD` values per thread: words read, loss sum, loss terms. */
  stats: Float64Array;
  /** `[0]` is set to 1 to stop every thread. */
  control: Int32Array;
}

/** The scalar settings of a kernel. */
export interface KernelConfig {
  dim: number;
  window: number;
  negative: number;
  cbow: boolean;
  /** Starting learning rate; decays linearly to `learningRate * 1e-4` over `totalWords`. */
  learningRate: number;
  epochs: number;
  /** `epochs * trainWords`: the words all threads read together. */
  totalWords: number;
  threads: number;
  /** This thread's index in `0..threads-1`. */
  thread: number;
  /** This thread's slice `[from, to)` of `ids`. */
  from: number;
  to: number;
  seed: number;
}

/** A non-zero 32-bit RNG state for (seed, stream). */
export function seedState(seed: number, stream: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h === 0 ? 0x2545f491 : h;
}

/** word2vec.c's initialisation: syn0 uniform in [-0.5/dim, 0.5/dim), seeded (syn1 stays zero). */
export function initInputVectors(syn0: Float32Array, dim: number, seed: number): void {
  let r = seedState(seed, -1);
  for (let i = 0; i < syn0.length; i++) {
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    syn0[i] = ((r >>> 0) / 4294967296 - 0.5) / dim;
  }
}

/**
 * One training thread's loop state; `run` advances it. Deterministic for a given seed when alone.
 * `run` reads sentences (with subsampling) into `sentence` and trains each with `trainSentence`, which a
 * subclass may replace (the wasm kernel does) as long as it draws from `rng` the same way.
 */
export class Word2VecKernel {
  private epoch = 0;
  private pos: number;
  /** xorshift32 state, shared by subsampling, window shrinking and noise draws. */
  protected rng: number;
  private words = 0;
  /** Sum and count of the per-pair losses so far. */
  protected lossSum = 0;
  protected lossTerms = 0;
  /** Current learning rate. */
  protected alpha: number;
  private nextLrUpdate = 0;
  /** The current sentence's token ids (`MAX_SENTENCE` capacity). */
  protected readonly sen: Int32Array;
  private readonly neu1: Float64Array;
  private readonly neu1e: Float64Array;

  /** `sentence`, if given, is the buffer (length >= MAX_SENTENCE) that sentences are read into. */
  constructor(
    protected readonly a: KernelArrays,
    protected readonly c: KernelConfig,
    sentence?: Int32Array,
  ) {
    this.sen = sentence ?? new Int32Array(MAX_SENTENCE);
    this.pos = c.from;
    this.rng = seedState(c.seed, c.thread);
    this.alpha = c.learningRate;
    this.neu1 = new Float64Array(c.dim);
    this.neu1e = new Float64Array(c.dim);
  }

  /** True when every epoch of this thread's slice is done. */
  get finished(): boolean {
    return this.epoch >= this.c.epochs;
  }

  /** The current learning rate. */
  get learningRate(): number {
    return this.alpha;
  }

  /**
   * Trains on whole sentences until at least `budget` words were read, the slice's epochs are done,
   * or `control[0]` is set. Returns the number of words read.
   */
  run(budget: number): number {
    const { ids, keep, stats, control } = this.a;
    const { from, to, epochs, thread } = this.c;
    const sen = this.sen;
    let read = 0;
    while (read < budget && this.epoch < epochs) {
      if (Atomics.load(control, 0) !== 0) break;
      if (this.words >= this.nextLrUpdate) {
        this.updateLearningRate();
        this.nextLrUpdate = this.words + LR_UPDATE_WORDS;
      }
      // Read one sentence, dropping frequent tokens at random (word2vec.c's subsampling).
      let len = 0;
      let pos = this.pos;
      let rng = this.rng;
      let words = 0;
      while (pos < to && len < MAX_SENTENCE) {
        const w = ids[pos++];
        if (w === SENTENCE_END) {
          if (len > 0) break;
          continue;
        }
        words++;
        const k = keep[w];
        if (k < 1) {
          rng ^= rng << 13;
          rng ^= rng >>> 17;
          rng ^= rng << 5;
          if (k < (rng >>> 0) / 4294967296) continue;
        }
        sen[len++] = w;
      }
      this.rng = rng;
      if (pos >= to) {
        this.epoch++;
        pos = from;
      }
      this.pos = pos;
      this.words += words;
      read += words;
      if (len > 0) this.trainSentence(len);
      stats[thread * STATS_PER_THREAD] = this.words;
      stats[thread * STATS_PER_THREAD + 1] = this.lossSum;
      stats[thread * STATS_PER_THREAD + 2] = this.lossTerms;
    }
    return read;
  }

  /** Trains on `sen[0..len)`, advancing `rng` and adding to `lossSum`/`lossTerms`. */
  protected trainSentence(len: number): void {
    if (this.c.cbow) this.trainCbow(len);
    else this.trainSkipGram(len);
  }

  private updateLearningRate(): void {
    const { stats } = this.a;
    let done = 0;
    for (let t = 0; t < this.c.threads; t++) done += t === this.c.thread ? this.words : stats[t * STATS_PER_THREAD];
    const lr = this.c.learningRate;
    this.alpha = Math.max(lr * (1 - done / (this.c.totalWords + 1)), lr * 1e-4);
  }

  /** Skip-gram: each context token's vector predicts the centre token against `negative` noise tokens. */
  private trainSkipGram(len: number): void {
    const { syn0, syn1, negTable } = this.a;
    const { dim, window, negative } = this.c;
    const sen = this.sen;
    const neu1e = this.neu1e;
    const alpha = this.alpha;
    const tableScale = negTable.length / 4294967296;
    const windowScale = window / 4294967296;
    const expScale = EXP_TABLE_SIZE / MAX_EXP / 2;
    let rng = this.rng;
    let lossSum = 0;
    let lossTerms = 0;
    for (let p = 0; p < len; p++) {
      const word = sen[p];
      rng ^= rng << 13;
      rng ^= rng >>> 17;
      rng ^= rng << 5;
      const b = ((rng >>> 0) * windowScale) | 0; // shrinks the window at random, as word2vec.c
      const lo = Math.max(0, p - window + b);
      const hi = Math.min(len - 1, p + window - b);
      for (let c = lo; c <= hi; c++) {
        if (c === p) continue;
        const l1 = sen[c] * dim;
        for (let d = 0; d <= negative; d++) {
          let target: number;
          let label: number;
          if (d === 0) {
            target = word;
            label = 1;
          } else {
            rng ^= rng << 13;
            rng ^= rng >>> 17;
            rng ^= rng << 5;
            target = negTable[((rng >>> 0) * tableScale) | 0];
            if (target === word) continue;
            label = 0;
          }
          const l2 = target * dim;
          const f = dotRows(syn0, l1, syn1, l2, dim);
          let g: number;
          if (f > MAX_EXP) {
            g = (label - 1) * alpha;
            if (label === 0) lossSum += f;
          } else if (f < -MAX_EXP) {
            g = label * alpha;
            if (label === 1) lossSum -= f;
          } else {
            const i = ((f + MAX_EXP) * expScale) | 0;
            g = (label - EXP_TABLE[i]) * alpha;
            lossSum += label === 1 ? NLOG_SIG[i] : NLOG_ONE_MINUS_SIG[i];
          }
          lossTerms++;
          if (d === 0) firstStepRows(neu1e, syn1, l2, syn0, l1, g, dim);
          else stepRows(neu1e, syn1, l2, syn0, l1, g, dim);
        }
        for (let k = 0; k < dim; k++) syn0[l1 + k] += neu1e[k];
      }
    }
    this.rng = rng;
    this.lossSum += lossSum;
    this.lossTerms += lossTerms;
  }

  /** CBOW: the mean of the context vectors predicts the centre token against `negative` noise tokens. */
  private trainCbow(len: number): void {
    const { syn0, syn1, negTable } = this.a;
    const { dim, window, negative } = this.c;
    const sen = this.sen;
    const neu1 = this.neu1;
    const neu1e = this.neu1e;
    const alpha = this.alpha;
    const tableScale = negTable.length / 4294967296;
    const windowScale = window / 4294967296;
    const expScale = EXP_TABLE_SIZE / MAX_EXP / 2;
    let rng = this.rng;
    let lossSum = 0;
    let lossTerms = 0;
    for (let p = 0; p < len; p++) {
      const word = sen[p];
      rng ^= rng << 13;
      rng ^= rng >>> 17;
      rng ^= rng << 5;
      const b = ((rng >>> 0) * windowScale) | 0;
      const lo = Math.max(0, p - window + b);
      const hi = Math.min(len - 1, p + window - b);
      const cw = hi - lo; // context tokens (the centre excluded)
      if (cw === 0) continue;
      for (let k = 0; k < dim; k++) neu1[k] = 0;
      for (let c = lo; c <= hi; c++) {
        if (c === p) continue;
        const l = sen[c] * dim;
        for (let k = 0; k < dim; k++) neu1[k] += syn0[l + k];
      }
      for (let k = 0; k < dim; k++) neu1[k] /= cw;
      for (let d = 0; d <= negative; d++) {
        let target: number;
        let label: number;
        if (d === 0) {
          target = word;
          label = 1;
        } else {
          rng ^= rng << 13;
          rng ^= rng >>> 17;
          rng ^= rng << 5;
          target = negTable[((rng >>> 0) * tableScale) | 0];
          if (target === word) continue;
          label = 0;
        }
        const l2 = target * dim;
        const f = dotHidden(neu1, syn1, l2, dim);
        let g: number;
        if (f > MAX_EXP) {
          g = (label - 1) * alpha;
          if (label === 0) lossSum += f;
        } else if (f < -MAX_EXP) {
          g = label * alpha;
          if (label === 1) lossSum -= f;
        } else {
          const i = ((f + MAX_EXP) * expScale) | 0;
          g = (label - EXP_TABLE[i]) * alpha;
          lossSum += label === 1 ? NLOG_SIG[i] : NLOG_ONE_MINUS_SIG[i];
        }
        lossTerms++;
        if (d === 0) firstStepHidden(neu1e, syn1, l2, neu1, g, dim);
        else stepHidden(neu1e, syn1, l2, neu1, g, dim);
      }
      for (let c = lo; c <= hi; c++) {
        if (c === p) continue;
        const l = sen[c] * dim;
        for (let k = 0; k < dim; k++) syn0[l + k] += neu1e[k];
      }
    }
    this.rng = rng;
    this.lossSum += lossSum;
    this.lossTerms += lossTerms;
  }
}
