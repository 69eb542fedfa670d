import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Candidate, FitOptions, FitReport, RelationClassifier } from '@emr-re/tokenize';

/**
 * A real, deterministic test classifier: multinomial logistic regression over counts of the character
 * unigrams and bigrams of the sentence text between the two entities, trained by full-batch gradient descent
 * from zero weights. Features first seen at fit time get a weight row; unseen features are ignored when
 * predicting, which is what makes bootstrapping useful on the chain task of the tests. Honours `exampleWeights`.
 */
export class CharNgramLogReg implements RelationClassifier {
  readonly labels: readonly string[];
  private weights = new Map<string, Float64Array>();
  private bias: Float64Array;
  fitCalls = 0;
  disposed = false;
  /** The `exampleWeights` of the last fit (each example's loss is scaled by its weight). */
  lastExampleWeights?: readonly number[];

  constructor(
    labels: readonly string[],
    private readonly settings = { epochs: 150, learningRate: 0.5, l2: 1e-3 },
  ) {
    this.labels = labels;
    this.bias = new Float64Array(labels.length);
  }

  async fit(train: Candidate[], options?: FitOptions): Promise<FitReport> {
    this.fitCalls++;
    const k = this.labels.length;
    const xs = train.map(betweenFeatures);
    const ys = train.map((c) => {
      const y = this.labels.indexOf(c.label);
      if (y < 0) throw new Error(`label ${c.label} is not one of the classifier's labels`);
      return y;
    });
    for (const x of xs) for (const f of x.keys()) if (!this.weights.has(f)) this.weights.set(f, new Float64Array(k));
    const weightOf = options?.exampleWeights ?? train.map(() => 1);
    if (weightOf.length !== train.length) throw new Error(`${weightOf.length} example weights for ${train.length}`);
    this.lastExampleWeights = options?.exampleWeights;
    const epochs = options?.epochs ?? this.settings.epochs;
    const loss: number[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (options?.signal?.aborted) throw new Error('aborted');
      const gradW = new Map<string, Float64Array>();
      const gradB = new Float64Array(k);
      let total = 0;
      xs.forEach((x, n) => {
        const p = this.probabilities(x);
        const weight = weightOf[n];
        total -= weight * Math.log(Math.max(p[ys[n]], 1e-12));
        p[ys[n]] -= 1;
        for (let j = 0; j < k; j++) p[j] *= weight;
        for (let j = 0; j < k; j++) gradB[j] += p[j];
        for (const [f, v] of x) {
          let g = gradW.get(f);
          if (g === undefined) gradW.set(f, (g = new Float64Array(k)));
          for (let j = 0; j < k; j++) g[j] += p[j] * v;
        }
      });
      const scale = this.settings.learningRate / Math.max(1, xs.length);
      for (let j = 0; j < k; j++) this.bias[j] -= scale * gradB[j];
      for (const [f, w] of this.weights) {
        const g = gradW.get(f);
        for (let j = 0; j < k; j++)
          w[j] -= scale * (g === undefined ? 0 : g[j]) + this.settings.learningRate * this.settings.l2 * w[j];
      }
      loss.push(total / Math.max(1, xs.length));
      options?.onProgress?.({ phase: 'epoch', done: epoch + 1, total: epochs, values: { loss: loss[epoch] } });
    }
    return { epochs, loss };
  }

  async predictProba(batch: Candidate[]): Promise<Float32Array[]> {
    return batch.map((c) => Float32Array.from(this.probabilities(betweenFeatures(c))));
  }

  async save(dir: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    const json = { labels: this.labels, bias: [...this.bias], weights: [...this.weights].map(([f, w]) => [f, [...w]]) };
    const file = path.join(dir, 'logreg.json');
    await fs.writeFile(`${file}.tmp`, JSON.stringify(json));
    await fs.rename(`${file}.tmp`, file);
  }

  async load(dir: string): Promise<void> {
    const json = JSON.parse(await fs.readFile(path.join(dir, 'logreg.json'), 'utf8')) as {
      labels: string[];
      bias: number[];
      weights: [string, number[]][];
    };
    if (json.labels.join('\n') !== this.labels.join('\n')) throw new Error('saved classifier has other labels');
    this.bias = Float64Array.from(json.bias);
    this.weights = new Map(json.weights.map(([f, w]) => [f, Float64Array.from(w)]));
  }

  dispose(): void {
    this.disposed = true;
  }

  private probabilities(x: Map<string, number>): Float64Array {
    const z = Float64Array.from(this.bias);
    for (const [f, v] of x) {
      const w = this.weights.get(f);
      if (w !== undefined) for (let j = 0; j < z.length; j++) z[j] += w[j] * v;
    }
    let max = -Infinity;
    for (const v of z) max = Math.max(max, v);
    let sum = 0;
    for (let j = 0; j < z.length; j++) sum += z[j] = Math.exp(z[j] - max);
    for (let j = 0; j < z.length; j++) z[j] /= sum;
    return z;
  }
}

/** Counts of the character unigrams and bigrams of the sentence text strictly between the two entities. */
export function betweenFeatures(c: Candidate): Map<string, number> {
  const from = Math.min(c.head.end, c.tail.end) - c.sentence.start;
  const to = Math.max(c.head.start, c.tail.start) - c.sentence.start;
  const text = c.sentence.text.slice(from, to);
  const counts = new Map<string, number>();
  const add = (f: string): void => void counts.set(f, (counts.get(f) ?? 0) + 1);
  for (let i = 0; i < text.length; i++) {
    add(`1:${text[i]}`);
    if (i + 1 < text.length) add(`2:${text.slice(i, i + 2)}`);
  }
  return counts;
}

let recordCounter = 0;

/**
 * A candidate whose sentence is `甲{between}乙`: head 甲 (a disease), tail 乙 (a drug), `between` the text
 * the classifier sees. Each call makes a new record id so keys stay distinct.
 */
export function makeCandidate(between: string, label: string, recordId = `r${++recordCounter}`): Candidate {
  const text = `甲${between}乙`;
  return {
    recordId,
    sentence: { index: 0, start: 0, end: text.length, text },
    head: { id: 'T1', type: '疾病', start: 0, end: 1, text: '甲' },
    tail: { id: 'T2', type: '药物', start: text.length - 1, end: text.length, text: '乙' },
    label,
  };
}

/**
 * The same logistic regression, blind to one label: that label's probability goes to `unknown`, so it never
 * predicts it. An agreement partner that disagrees with `CharNgramLogReg` in a known way.
 */
export class LabelBlindLogReg extends CharNgramLogReg {
  constructor(
    labels: readonly string[],
    private readonly blind: string,
  ) {
    super(labels);
  }

  override async predictProba(batch: Candidate[]): Promise<Float32Array[]> {
    const rows = await super.predictProba(batch);
    const b = this.labels.indexOf(this.blind);
    const u = this.labels.indexOf('unknown');
    for (const row of rows) {
      row[u] += row[b];
      row[b] = 0;
    }
    return rows;
  }
}
