import { UNKNOWN_LABEL, UsageError } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { indexById, orderedKeys, resolveRelations, unionIds } from './records';
import { prfFromCounts } from './report';
import type { ClassMetrics, PRF } from './report';
import { markdownTable, percent } from './table';
import type { TableOptions } from './table';

/** How `scoreTriples` decides that a predicted triple is a gold one. */
export const TRIPLE_MATCHES = ['offsets', 'text'] as const;
/** `'offsets'`: same label, head and tail spans and types; `'text'`: same (subject, predicate, object) strings. */
export type TripleMatch = (typeof TRIPLE_MATCHES)[number];

/** Options of `scoreTriples`. */
export interface TripleScoreOptions {
  /** Matching (default `'offsets'`); see `scoreTriples`. */
  match?: TripleMatch;
  /** Label of "no relation" (default `'unknown'`); a relation carrying it is not a triple in either file. */
  negativeLabel?: string;
  /**
   * Labels to report, in this order, even when they never occur (support 0 and no predictions).
   * Labels seen in the data but not listed are still reported, after these, in code-point order.
   */
  labels?: string[];
  /** File names used in error locations, e.g. the paths the records were read from. */
  goldFile?: string;
  predFile?: string;
}

/**
 * End-to-end (entities and relations together) scores of predicted triples against gold ones.
 * `perClass` holds every relation label seen in gold or predictions except the negative one;
 * `support` is the number of gold triples; `match` is the matching used.
 */
export interface TripleMetricsReport {
  micro: PRF;
  perClass: Record<string, ClassMetrics>;
  support: number;
  match: TripleMatch;
}

/**
 * Scores the relations of an NER → RE pipeline's output as triples, so that an entity error costs the
 * relations on it (unlike `pairRecords`, which scores relations between given entities).
 *
 * Records are matched by `id`; a record present on one side only is scored as if the other side had no
 * relations. Relations labelled with the negative label (`unknown`) never count. Each record's triples are a
 * set: a triple listed twice counts once, in gold and in predictions alike.
 *
 * - `match: 'offsets'` (default): a triple is (head start, end, type; label; tail start, end, type), so a
 *   predicted relation is correct when the same record has a gold relation with the same label between
 *   entities of the same spans and types. Direction matters.
 * - `match: 'text'`: the CBLUE evaluation of CMeIE. A triple is (subject string, predicate, object string), the
 *   strings being the entities' `text`; offsets and types are ignored, so two mentions of the same string are one.
 *
 * TP = predicted triples that are gold triples, summed over records; per label P = TP / predicted,
 * R = TP / gold; micro pools the counts over labels. Each is 0 when its denominator is 0.
 *
 * @throws CorpusFormatError when a record id repeats within a file or a relation names an entity id the
 *   record does not have.
 * @throws UsageError when `match` is neither `'offsets'` nor `'text'`.
 */
export function scoreTriples(
  gold: EmrRecord[],
  pred: EmrRecord[],
  options: TripleScoreOptions = {},
): TripleMetricsReport {
  const match = options.match ?? 'offsets';
  if (!(TRIPLE_MATCHES as readonly string[]).includes(match)) {
    throw new UsageError(`match must be one of ${TRIPLE_MATCHES.join(', ')}, got ${JSON.stringify(match)}`);
  }
  const neg = options.negativeLabel ?? UNKNOWN_LABEL;
  const goldById = indexById(gold, options.goldFile);
  const predById = indexById(pred, options.predFile);
  const counts = new Map<string, { support: number; predicted: number; tp: number }>();
  const countsOf = (label: string) => {
    let c = counts.get(label);
    if (c === undefined) {
      c = { support: 0, predicted: 0, tp: 0 };
      counts.set(label, c);
    }
    return c;
  };
  for (const l of options.labels ?? []) if (l !== neg) countsOf(l);

  for (const id of unionIds(goldById, predById)) {
    const g = goldById.get(id);
    const p = predById.get(id);
    const goldTriples = g ? tripleSet(g, match, neg, options.goldFile) : new Map<string, string>();
    const predTriples = p ? tripleSet(p, match, neg, options.predFile) : new Map<string, string>();
    for (const label of goldTriples.values()) countsOf(label).support++;
    for (const [key, label] of predTriples) {
      const c = countsOf(label);
      c.predicted++;
      if (goldTriples.has(key)) c.tp++;
    }
  }

  const perClass: Record<string, ClassMetrics> = {};
  let tpAll = 0;
  let predictedAll = 0;
  let support = 0;
  for (const label of orderedKeys(options.labels?.filter((l) => l !== neg) ?? [], counts.keys())) {
    const { tp, predicted, support: s } = countsOf(label);
    perClass[label] = {
      ...prfFromCounts(tp, predicted - tp, s - tp),
      support: s,
      predicted,
      tp,
      fp: predicted - tp,
      fn: s - tp,
    };
    tpAll += tp;
    predictedAll += predicted;
    support += s;
  }
  return { micro: prfFromCounts(tpAll, predictedAll - tpAll, support - tpAll), perClass, support, match };
}

/** A record's triples as a set: key → relation label. The key includes the label. */
function tripleSet(record: EmrRecord, match: TripleMatch, neg: string, file: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const { relation, head, tail } of resolveRelations(record, file)) {
    if (relation.label === neg) continue;
    // JSON arrays as keys: no separator character can make two different triples collide.
    const key =
      match === 'text'
        ? JSON.stringify([head.text, relation.label, tail.text])
        : JSON.stringify([head.start, head.end, head.type, relation.label, tail.start, tail.end, tail.type]);
    out.set(key, relation.label);
  }
  return out;
}

/** The JSON of end-to-end scores: fractions in 0..1, full precision. */
export interface TripleMetricsJSON {
  micro: PRF;
  perClass: Record<string, ClassMetrics>;
  support: number;
  match: TripleMatch;
}

/**
 * The report as the JSON object `{"micro","perClass","support","match"}`, each class
 * `{"precision","recall","f1","support","predicted","tp","fp","fn"}`. A fresh plain copy: numbers unrounded.
 */
export function tripleMetricsToJSON(report: TripleMetricsReport): TripleMetricsJSON {
  const prf = (m: PRF): PRF => ({ precision: m.precision, recall: m.recall, f1: m.f1 });
  const perClass: Record<string, ClassMetrics> = {};
  for (const [label, m] of Object.entries(report.perClass)) {
    perClass[label] = { ...prf(m), support: m.support, predicted: m.predicted, tp: m.tp, fp: m.fp, fn: m.fn };
  }
  return { micro: prf(report.micro), perClass, support: report.support, match: report.match };
}

/** Renders a report as a Markdown table: one row per relation label, then the micro row. */
export function tripleMetricsToMarkdown(report: TripleMetricsReport, options: TableOptions = {}): string {
  const pct = percent(options.digits);
  const row = (name: string, m: PRF, counts: Omit<ClassMetrics, keyof PRF>): string[] => [
    name,
    pct(m.precision),
    pct(m.recall),
    pct(m.f1),
    ...[counts.support, counts.predicted, counts.tp, counts.fp, counts.fn].map(String),
  ];
  const classes = Object.values(report.perClass);
  const sum = (key: 'predicted' | 'tp' | 'fp' | 'fn'): number => classes.reduce((a, m) => a + m[key], 0);
  const rows = Object.entries(report.perClass).map(([label, m]) => row(label, m, m));
  rows.push(
    row(`**micro** (${report.match})`, report.micro, {
      support: report.support,
      predicted: sum('predicted'),
      tp: sum('tp'),
      fp: sum('fp'),
      fn: sum('fn'),
    }),
  );
  return markdownTable(
    ['Relation', 'P (%)', 'R (%)', 'F1 (%)', 'Support', 'Predicted', 'TP', 'FP', 'FN'],
    rows,
    'lrrrrrrrr',
  );
}
