import { UNKNOWN_LABEL } from '@emr-re/tokenize';
import { compareCodePoints } from './records';

/** Precision, recall and F1, each a fraction in 0..1 (0 when its denominator is 0). */
export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

/** The scores of one relation class with the counts behind them. `support` = gold pairs, `predicted` = predicted pairs. */
export interface ClassMetrics extends PRF {
  support: number;
  predicted: number;
  tp: number;
  fp: number;
  fn: number;
}

/** Gold × predicted label counts; rows are gold labels, columns predicted labels, both in `labels` order. */
export interface ConfusionMatrix {
  labels: string[];
  matrix: number[][];
}

/**
 * Relation-extraction scores over candidate pairs.
 * `perClass` holds every class seen in gold or predictions except the negative label;
 * `support` is the number of gold pairs with a non-negative label; `confusion` includes the negative label.
 */
export interface MetricsReport {
  micro: PRF;
  macro: PRF;
  perClass: Record<string, ClassMetrics>;
  support: number;
  confusion: ConfusionMatrix;
}

/** Options of scoring. */
export interface ScoreOptions {
  /** The label of a pair in no relation, excluded from micro/macro and `perClass` (default `'unknown'`). */
  negativeLabel?: string;
  /**
   * Classes to report, in this order, even when they never occur (support 0 and no predictions).
   * Labels seen in the data but not listed are still reported, after these, in code-point order.
   */
  labels?: string[];
}

/** One scored candidate pair: its gold and predicted label (either may be the negative label). */
export interface LabelPair {
  gold: string;
  pred: string;
}

/** P, R and F1 from counts; each is 0 when its denominator is 0. */
export function prfFromCounts(tp: number, fp: number, fn: number): PRF {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/**
 * Streams (gold, predicted) label pairs into counts and turns them into a `MetricsReport`.
 * For class c: TP = gold c and predicted c; FP = predicted c, gold not c; FN = gold c, predicted not c.
 * Micro pools TP/FP/FN over all classes but the negative one; macro P, R and F1 are the unweighted means
 * of the per-class P, R and F1 over the classes present in the gold data (support > 0).
 */
export class MetricsAccumulator {
  private readonly negativeLabel: string;
  private readonly fixedLabels: string[];
  /** gold label → predicted label → count. */
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly seen = new Set<string>();

  constructor(options: ScoreOptions = {}) {
    this.negativeLabel = options.negativeLabel ?? UNKNOWN_LABEL;
    this.fixedLabels = [...new Set(options.labels ?? [])].filter((l) => l !== this.negativeLabel);
  }

  /** Counts one candidate pair. */
  add(gold: string, pred: string): void {
    let row = this.counts.get(gold);
    if (row === undefined) {
      row = new Map();
      this.counts.set(gold, row);
    }
    row.set(pred, (row.get(pred) ?? 0) + 1);
    this.seen.add(gold);
    this.seen.add(pred);
  }

  /** The scores of everything added so far (the accumulator can keep receiving pairs afterwards). */
  report(): MetricsReport {
    const neg = this.negativeLabel;
    const fixed = new Set(this.fixedLabels);
    const extra = [...this.seen].filter((l) => l !== neg && !fixed.has(l)).sort(compareCodePoints);
    const classes = [...this.fixedLabels, ...extra];
    const labels = [...classes, neg];
    const count = (g: string, p: string): number => this.counts.get(g)?.get(p) ?? 0;
    const matrix = labels.map((g) => labels.map((p) => count(g, p)));

    const perClass: Record<string, ClassMetrics> = {};
    let tpAll = 0;
    let fpAll = 0;
    let fnAll = 0;
    let support = 0;
    classes.forEach((c, i) => {
      const tp = matrix[i][i];
      const classSupport = matrix[i].reduce((a, b) => a + b, 0);
      const predicted = matrix.reduce((a, row) => a + row[i], 0);
      const fp = predicted - tp;
      const fn = classSupport - tp;
      perClass[c] = { ...prfFromCounts(tp, fp, fn), support: classSupport, predicted, tp, fp, fn };
      tpAll += tp;
      fpAll += fp;
      fnAll += fn;
      support += classSupport;
    });

    const goldClasses = classes.filter((c) => perClass[c].support > 0);
    const mean = (key: keyof PRF): number =>
      goldClasses.length === 0 ? 0 : goldClasses.reduce((a, c) => a + perClass[c][key], 0) / goldClasses.length;
    return {
      micro: prfFromCounts(tpAll, fpAll, fnAll),
      macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
      perClass,
      support,
      confusion: { labels, matrix },
    };
  }
}

/** Scores (gold, predicted) label pairs; see `MetricsAccumulator` for the definitions. */
export function scorePairs(pairs: Iterable<LabelPair>, options?: ScoreOptions): MetricsReport {
  const acc = new MetricsAccumulator(options);
  for (const p of pairs) acc.add(p.gold, p.pred);
  return acc.report();
}
