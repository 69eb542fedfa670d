import { scoreTriples } from '@emr-re/metrics';
import type { EmrRecord } from '@emr-re/tokenize';
import type { EdgeScore, GraphThresholdChoice } from './report';

/** The relation probabilities tried as the graph's threshold: 0, 0.05, …, 0.95. */
export const GRAPH_THRESHOLDS: readonly number[] = Array.from({ length: 20 }, (_, i) => i / 20);

/** The edge precision the default threshold aims at (issue 20's target). */
export const TARGET_EDGE_PRECISION = 0.85;

/** The records with only the relations whose score is at least `minScore` (a relation without a score counts as 1). */
export function withMinScore(records: readonly EmrRecord[], minScore: number): EmrRecord[] {
  return records.map((r) => ({ ...r, relations: r.relations.filter((rel) => (rel.score ?? 1) >= minScore) }));
}

/**
 * Edge precision and recall of extracted records against annotated ones at a threshold: the relations scoring at
 * least `threshold` as triples (`scoreTriples` of @emr-re/metrics, `match: 'offsets'`: same head and tail spans and
 * types and the same label), so a wrong entity costs its relations; `unknown` never counts.
 */
export function edgeScore(gold: readonly EmrRecord[], predicted: readonly EmrRecord[], threshold: number): EdgeScore {
  const report = scoreTriples([...gold], withMinScore(predicted, threshold), { match: 'offsets' });
  const classes = Object.values(report.perClass);
  return {
    threshold,
    edges: classes.reduce((n, c) => n + c.predicted, 0),
    correct: classes.reduce((n, c) => n + c.tp, 0),
    gold: report.support,
    precision: report.micro.precision,
    recall: report.micro.recall,
    f1: report.micro.f1,
  };
}

/**
 * The graph's threshold, chosen on annotated documents the models were not trained on: the lowest of `thresholds`
 * whose edge precision (`edgeScore`) is at least `target` with at least one edge; when none is, the one with the
 * highest edge precision (ties: the lowest threshold). `predicted` holds the relations of every score (extracted
 * at threshold 0), so one extraction serves every threshold.
 */
export function chooseGraphThreshold(
  gold: readonly EmrRecord[],
  predicted: readonly EmrRecord[],
  options: { thresholds?: readonly number[]; target?: number } = {},
): GraphThresholdChoice {
  const target = options.target ?? TARGET_EDGE_PRECISION;
  const sweep = (options.thresholds ?? GRAPH_THRESHOLDS).map((t) => edgeScore(gold, predicted, t));
  if (sweep.length === 0) throw new RangeError('chooseGraphThreshold: no thresholds to try');
  const reaching = sweep.find((s) => s.edges > 0 && s.precision >= target);
  const best = sweep.reduce((a, b) => (b.precision > a.precision ? b : a));
  const chosen = reaching ?? best;
  return { threshold: chosen.threshold, target, reached: reaching !== undefined, sweep };
}
