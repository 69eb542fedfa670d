import type { Candidate, FitOptions, FitReport, RelationClassifier } from '@emr-re/tokenize';

/** Calls made to recording classifiers, as `"name.method"` strings in call order. */
export type CallLog = string[];

/**
 * A fake classifier that records every call in a shared log, answers `predictProba` with `rowOf(candidate)`,
 * and throws from a method named in `failIn`. For tests of the code that drives classifiers, not of learning.
 */
export class RecordingClassifier implements RelationClassifier {
  disposed = false;
  /** The arguments of the last `fit`. */
  lastFit?: { train: Candidate[]; options?: FitOptions };
  /** Directories passed to `save` and `load`. */
  saved: string[] = [];
  loaded: string[] = [];

  constructor(
    readonly name: string,
    readonly log: CallLog,
    readonly labels: readonly string[] = ['unknown', 'A', 'B'],
    private readonly behaviour: { rowOf?: (c: Candidate) => number[]; failIn?: string } = {},
  ) {}

  async fit(train: Candidate[], options?: FitOptions): Promise<FitReport> {
    this.record('fit');
    this.lastFit = { train, options };
    return { epochs: 2, loss: [0.9, 0.4] };
  }

  async predictProba(batch: Candidate[]): Promise<Float32Array[]> {
    this.record('predictProba');
    const rowOf = this.behaviour.rowOf ?? (() => this.labels.map((_, j) => (j === 0 ? 1 : 0)));
    return batch.map((c) => Float32Array.from(rowOf(c)));
  }

  async save(dir: string): Promise<void> {
    this.record('save');
    this.saved.push(dir);
  }

  async load(dir: string): Promise<void> {
    this.record('load');
    this.loaded.push(dir);
  }

  dispose(): void {
    this.log.push(`${this.name}.dispose`);
    this.disposed = true;
  }

  private record(method: string): void {
    this.log.push(`${this.name}.${method}`);
    if (this.behaviour.failIn === method) throw new Error(`${this.name}.${method} failed`);
  }
}
