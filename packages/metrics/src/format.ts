import type { ClassMetrics, MetricsReport, PRF } from './report';
import { markdownTable, percent, unique } from './table';
import type { TableOptions } from './table';

/** The JSON contract of `emr-re evaluate --json`: fractions in 0..1, full precision. */
export interface MetricsJSON {
  micro: PRF;
  macro: PRF;
  perClass: Record<string, ClassMetrics>;
  support: number;
  confusion: { labels: string[]; matrix: number[][] };
}

/**
 * The report as the CLI's JSON object `{"micro","macro","perClass","support","confusion"}`.
 * A fresh plain copy: numbers unrounded, key order fixed, safe to `JSON.stringify`.
 */
export function metricsToJSON(report: MetricsReport): MetricsJSON {
  const prf = (m: PRF): PRF => ({ precision: m.precision, recall: m.recall, f1: m.f1 });
  const perClass: Record<string, ClassMetrics> = {};
  for (const [label, m] of Object.entries(report.perClass)) {
    perClass[label] = { ...prf(m), support: m.support, predicted: m.predicted, tp: m.tp, fp: m.fp, fn: m.fn };
  }
  return {
    micro: prf(report.micro),
    macro: prf(report.macro),
    perClass,
    support: report.support,
    confusion: { labels: [...report.confusion.labels], matrix: report.confusion.matrix.map((row) => [...row]) },
  };
}

/** Options of `metricsToMarkdown`. */
export interface MarkdownOptions extends TableOptions {
  /** Include the confusion matrix (default true). */
  confusion?: boolean;
}

/** Renders a report as Markdown: a per-class table with micro and macro rows, then the confusion matrix. */
export function metricsToMarkdown(report: MetricsReport, options: MarkdownOptions = {}): string {
  const pct = percent(options.digits);
  const rows: string[][] = Object.entries(report.perClass).map(([label, m]) => [
    label,
    pct(m.precision),
    pct(m.recall),
    pct(m.f1),
    String(m.support),
    String(m.predicted),
    String(m.tp),
    String(m.fp),
    String(m.fn),
  ]);
  const sum = (key: 'predicted' | 'tp' | 'fp' | 'fn'): string =>
    String(Object.values(report.perClass).reduce((a, m) => a + m[key], 0));
  rows.push([
    '**micro**',
    pct(report.micro.precision),
    pct(report.micro.recall),
    pct(report.micro.f1),
    String(report.support),
    sum('predicted'),
    sum('tp'),
    sum('fp'),
    sum('fn'),
  ]);
  rows.push([
    '**macro**',
    pct(report.macro.precision),
    pct(report.macro.recall),
    pct(report.macro.f1),
    '',
    '',
    '',
    '',
    '',
  ]);
  let out = markdownTable(
    ['Relation', 'P (%)', 'R (%)', 'F1 (%)', 'Support', 'Predicted', 'TP', 'FP', 'FN'],
    rows,
    'lrrrrrrrr',
  );
  if (options.confusion ?? true) {
    const { labels, matrix } = report.confusion;
    out += '\nConfusion matrix (rows gold, columns predicted):\n\n';
    out += markdownTable(
      ['gold \\ pred', ...labels],
      labels.map((l, i) => [l, ...matrix[i].map(String)]),
      'l' + 'r'.repeat(labels.length),
    );
  }
  return out;
}

/**
 * The paper's Table 4: F1 of each model at each training-set size. `sizes` maps a size (e.g. "17000")
 * to a micro F1 in 0..1; columns are the sizes in first-seen order, numeric keys headed `N=<size>`.
 */
export function table4DataSize(
  rows: Array<{ model: string; sizes: Record<string, number> }>,
  options: TableOptions = {},
): string {
  const pct = percent(options.digits);
  const sizes = unique(rows.flatMap((r) => Object.keys(r.sizes)));
  const header = ['Models', ...sizes.map((s) => (/^\d+$/.test(s) ? `N=${s}` : s))];
  const body = rows.map((r) => [r.model, ...sizes.map((s) => (r.sizes[s] === undefined ? '-' : pct(r.sizes[s])))]);
  return markdownTable(header, body, 'l' + 'r'.repeat(sizes.length));
}

/** The paper's Table 5: micro precision, recall and F1 of each model over all relation classes. */
export function table5Models(
  rows: Array<{ model: string; report: MetricsReport }>,
  options: TableOptions = {},
): string {
  const pct = percent(options.digits);
  const body = rows.map((r) => [
    r.model,
    pct(r.report.micro.precision),
    pct(r.report.micro.recall),
    pct(r.report.micro.f1),
  ]);
  return markdownTable(['Models', 'Precision', 'Recall', 'F1-score'], body, 'lrrr');
}

/**
 * The paper's Table 6: F1 of each model per relation class. Columns are `labels` when given, otherwise every
 * class with gold support in any report, in first-seen order. A class a report lacks shows `-`.
 */
export function table6PerClass(
  rows: Array<{ model: string; report: MetricsReport }>,
  labels?: string[],
  options: TableOptions = {},
): string {
  const pct = percent(options.digits);
  const columns =
    labels ??
    unique(
      rows.flatMap((r) =>
        Object.entries(r.report.perClass)
          .filter(([, m]) => m.support > 0)
          .map(([l]) => l),
      ),
    );
  const body = rows.map((r) => [
    r.model,
    ...columns.map((c) => (r.report.perClass[c] === undefined ? '-' : pct(r.report.perClass[c].f1))),
  ]);
  return markdownTable(['Models', ...columns], body, 'l' + 'r'.repeat(columns.length));
}
