import type { EmrRecord, Entity } from '@emr-re/tokenize';
import { indexById, orderedKeys, unionIds } from './records';
import { prfFromCounts } from './report';
import type { PRF } from './report';
import { markdownTable, percent } from './table';
import type { TableOptions } from './table';

/** The scores of one entity type (or of all types pooled) with the counts behind them. `support` = gold entities. */
export interface EntityTypeMetrics extends PRF {
  support: number;
  tp: number;
  fp: number;
  fn: number;
}

/**
 * Named-entity-recognition scores of predicted entities against gold ones.
 *
 * - `micro`, `macro`, `perType`: strict matching (same record, same `start`, `end` and `type`).
 * - `relaxed`: overlap matching within a type, pooled over types (see `scoreEntities`).
 * - `support`: the number of gold entities.
 */
export interface EntityMetricsReport {
  micro: PRF;
  macro: PRF;
  perType: Record<string, EntityTypeMetrics>;
  relaxed: EntityTypeMetrics;
  support: number;
}

/** Options of `scoreEntities`. */
export interface EntityScoreOptions {
  /**
   * Types to report, in this order, even when they never occur (support 0 and no predictions).
   * Types seen in the data but not listed are still reported, after these, in code-point order.
   */
  types?: string[];
  /** File names used in error locations, e.g. the paths the records were read from. */
  goldFile?: string;
  predFile?: string;
}

/**
 * Scores predicted entity mentions against gold ones, record by record.
 *
 * Records are matched by `id`; a record present on one side only is scored as if the other side had no
 * entities (its gold entities are false negatives, its predicted ones false positives). Entity ids are ignored.
 *
 * **Strict**: a predicted entity is a true positive when a gold entity of the same record has the same
 * `start`, `end` and `type`. Matching is one-to-one, so a mention listed twice in one file is two mentions
 * (a repeated prediction is one TP and one FP). An entity with the right span but the wrong type is an FP of
 * its predicted type and an FN of its gold type. Per type: P = TP / predicted, R = TP / gold; micro pools the
 * counts over types; macro P, R and F1 are the unweighted means over the types with gold support, as in the
 * relation metrics. Each is 0 when its denominator is 0.
 *
 * **Relaxed**: a predicted entity is matched when it shares at least one character with a gold entity of the
 * same type that is not matched yet. The matching is greedy and one-to-one, per record and type: first the
 * strict (exact-span) matches are made, so an exact prediction is never displaced by a partial one; then the
 * remaining predictions, in (start, end) order, each take the unmatched overlapping gold entity with the
 * largest overlap (on a tie, the one that starts first). Relaxed TP ≥ strict TP always. Only micro figures
 * are reported.
 *
 * @throws CorpusFormatError when a record id repeats within a file.
 */
export function scoreEntities(
  gold: EmrRecord[],
  pred: EmrRecord[],
  options: EntityScoreOptions = {},
): EntityMetricsReport {
  const goldById = indexById(gold, options.goldFile);
  const predById = indexById(pred, options.predFile);
  const counts = new Map<string, { gold: number; pred: number; strict: number; relaxed: number }>();
  const countsOf = (type: string) => {
    let c = counts.get(type);
    if (c === undefined) {
      c = { gold: 0, pred: 0, strict: 0, relaxed: 0 };
      counts.set(type, c);
    }
    return c;
  };
  for (const t of options.types ?? []) countsOf(t);

  for (const id of unionIds(goldById, predById)) {
    const goldByType = byType(goldById.get(id)?.entities ?? []);
    const predByType = byType(predById.get(id)?.entities ?? []);
    for (const type of new Set([...goldByType.keys(), ...predByType.keys()])) {
      const g = goldByType.get(type) ?? [];
      const p = predByType.get(type) ?? [];
      const m = matchMentions(g, p);
      const c = countsOf(type);
      c.gold += g.length;
      c.pred += p.length;
      c.strict += m.strict;
      c.relaxed += m.strict + m.overlap;
    }
  }

  const perType: Record<string, EntityTypeMetrics> = {};
  let goldAll = 0;
  let predAll = 0;
  let strictAll = 0;
  let relaxedAll = 0;
  for (const type of orderedKeys(options.types ?? [], counts.keys())) {
    const c = countsOf(type);
    perType[type] = typeMetrics(c.strict, c.pred, c.gold);
    goldAll += c.gold;
    predAll += c.pred;
    strictAll += c.strict;
    relaxedAll += c.relaxed;
  }
  const goldTypes = Object.values(perType).filter((m) => m.support > 0);
  const mean = (key: keyof PRF): number =>
    goldTypes.length === 0 ? 0 : goldTypes.reduce((a, m) => a + m[key], 0) / goldTypes.length;
  return {
    micro: prfFromCounts(strictAll, predAll - strictAll, goldAll - strictAll),
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    perType,
    relaxed: typeMetrics(relaxedAll, predAll, goldAll),
    support: goldAll,
  };
}

function typeMetrics(tp: number, predicted: number, support: number): EntityTypeMetrics {
  const fp = predicted - tp;
  const fn = support - tp;
  return { ...prfFromCounts(tp, fp, fn), support, tp, fp, fn };
}

function byType(entities: readonly Entity[]): Map<string, Entity[]> {
  const out = new Map<string, Entity[]>();
  for (const e of entities) {
    const list = out.get(e.type);
    if (list === undefined) out.set(e.type, [e]);
    else list.push(e);
  }
  return out;
}

/** Characters shared by two `[start, end)` spans (0 when they do not overlap). */
function overlap(a: Entity, b: Entity): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/**
 * One-to-one matching of the gold and predicted mentions of one type in one record: `strict` exact-span
 * pairs, then `overlap` further pairs made greedily among the mentions left (see `scoreEntities`).
 */
function matchMentions(gold: readonly Entity[], pred: readonly Entity[]): { strict: number; overlap: number } {
  // Array.prototype.sort is stable, so mentions on the same span keep their file order.
  const bySpan = (a: Entity, b: Entity): number => a.start - b.start || a.end - b.end;
  const g = [...gold].sort(bySpan);
  const p = [...pred].sort(bySpan);
  const goldTaken = new Array<boolean>(g.length).fill(false);
  const predLeft: Entity[] = [];
  let strict = 0;
  for (const e of p) {
    const i = g.findIndex((x, j) => !goldTaken[j] && x.start === e.start && x.end === e.end);
    if (i >= 0) {
      goldTaken[i] = true;
      strict++;
    } else {
      predLeft.push(e);
    }
  }
  let matched = 0;
  for (const e of predLeft) {
    let best = -1;
    let bestOverlap = 0;
    g.forEach((x, j) => {
      const o = goldTaken[j] ? 0 : overlap(x, e);
      if (o > bestOverlap) {
        best = j;
        bestOverlap = o;
      }
    });
    if (best >= 0) {
      goldTaken[best] = true;
      matched++;
    }
  }
  return { strict, overlap: matched };
}

/** The JSON contract of `emr-re ner evaluate --json`: fractions in 0..1, full precision. */
export interface EntityMetricsJSON {
  micro: PRF;
  macro: PRF;
  perType: Record<string, EntityTypeMetrics>;
  relaxed: PRF;
}

/**
 * The report as the CLI's JSON object `{"micro","macro","perType","relaxed"}`, each type
 * `{"precision","recall","f1","support","tp","fp","fn"}`. A fresh plain copy: numbers unrounded, key order fixed.
 */
export function entityMetricsToJSON(report: EntityMetricsReport): EntityMetricsJSON {
  const prf = (m: PRF): PRF => ({ precision: m.precision, recall: m.recall, f1: m.f1 });
  const perType: Record<string, EntityTypeMetrics> = {};
  for (const [type, m] of Object.entries(report.perType)) {
    perType[type] = { ...prf(m), support: m.support, tp: m.tp, fp: m.fp, fn: m.fn };
  }
  return { micro: prf(report.micro), macro: prf(report.macro), perType, relaxed: prf(report.relaxed) };
}

/** Renders a report as a Markdown table: one row per type, then micro, macro and relaxed (micro) rows. */
export function entityMetricsToMarkdown(report: EntityMetricsReport, options: TableOptions = {}): string {
  const pct = percent(options.digits);
  const row = (name: string, m: PRF, counts?: EntityTypeMetrics): string[] => [
    name,
    pct(m.precision),
    pct(m.recall),
    pct(m.f1),
    ...(counts ? [counts.support, counts.tp, counts.fp, counts.fn].map(String) : ['', '', '', '']),
  ];
  const types = Object.values(report.perType);
  const sum = (key: 'tp' | 'fp' | 'fn'): number => types.reduce((a, m) => a + m[key], 0);
  const rows = Object.entries(report.perType).map(([type, m]) => row(type, m, m));
  rows.push(
    row('**micro**', report.micro, {
      ...report.micro,
      support: report.support,
      tp: sum('tp'),
      fp: sum('fp'),
      fn: sum('fn'),
    }),
  );
  rows.push(row('**macro**', report.macro));
  rows.push(row('**relaxed**', report.relaxed, report.relaxed));
  return markdownTable(['Type', 'P (%)', 'R (%)', 'F1 (%)', 'Support', 'TP', 'FP', 'FN'], rows, 'lrrrrrrr');
}
