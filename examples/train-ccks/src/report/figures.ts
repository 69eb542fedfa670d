import { groupedBarChart, heatmap, lineChart } from './charts';
import type { LineSeries } from './charts';
import { classColumns, focusResult, percent } from './document';
import type { ChartName } from './document';
import type { ReportData } from './types';

/** A drawn chart (`svg`), or why it is left out (`missing`, a short sentence for the reader). */
export type Figure = { svg: string } | { missing: string };

/** Draws one of the report's charts from the data, or says which data it lacks. Never throws on absent data. */
export function reportFigure(data: ReportData, chart: ChartName): Figure {
  switch (chart) {
    case 'depth':
      return depthFigure(data);
    case 'per-class-pr':
      return perClassFigure(data);
    case 'loss':
      return lossFigure(data);
    case 'confusion':
      return confusionFigure(data);
    case 'bootstrap':
      return bootstrapFigure(data);
    case 'reliability':
      return reliabilityFigure(data);
  }
}

const finite = (p: { x: number; y: number }): boolean => Number.isFinite(p.x) && Number.isFinite(p.y);

function depthFigure(data: ReportData): Figure {
  const points = data.depth ?? [];
  const models = [...new Set(points.map((p) => p.model))];
  const series: LineSeries[] = models.map((m) => ({
    name: m,
    points: points.filter((p) => p.model === m).map((p) => ({ x: p.depth, y: p.f1 * 100 })),
  }));
  if (!series.some((s) => s.points.some(finite)))
    return { missing: 'Figure 7 is not shown: this run has no depth study.' };
  return {
    svg: lineChart({
      name: 'depth',
      title: 'Figure 7. F1-score at different network depths',
      xLabel: 'Depth (layers)',
      yLabel: 'F1-score (%)',
      series,
      integerX: true,
    }),
  };
}

function perClassFigure(data: ReportData): Figure {
  const focus = focusResult(data);
  if (!focus) return { missing: 'Figure 8 is not shown: this run has no model results.' };
  const classes = classColumns(data).filter((c) => focus.report.perClass[c] !== undefined);
  if (classes.length === 0) return { missing: `Figure 8 is not shown: ${focus.model} has no per-class scores.` };
  const metric = (key: 'precision' | 'recall'): number[] => classes.map((c) => focus.report.perClass[c][key] * 100);
  return {
    svg: groupedBarChart({
      name: 'per-class-pr',
      title: `Figure 8. Precision and recall of ${focus.model} per relation class`,
      xLabel: 'Relation class',
      yLabel: 'Score (%)',
      categories: classes,
      groups: [
        { name: 'Precision', values: metric('precision') },
        { name: 'Recall', values: metric('recall') },
      ],
      yDomain: [0, 100],
    }),
  };
}

function lossFigure(data: ReportData): Figure {
  const series: LineSeries[] = (data.losses ?? []).map((c) => ({
    name: c.model,
    points: c.points.map((p) => ({ x: p.epoch, y: p.loss })),
  }));
  if (!series.some((s) => s.points.some(finite)))
    return { missing: 'The loss chart is not shown: this run recorded no training losses.' };
  return {
    svg: lineChart({
      name: 'loss',
      title: 'Training loss per epoch',
      xLabel: 'Epoch',
      yLabel: 'Loss',
      series,
      integerX: true,
      digits: 4,
    }),
  };
}

function confusionFigure(data: ReportData): Figure {
  const focus = focusResult(data);
  if (!focus) return { missing: 'The confusion matrix is not shown: this run has no model results.' };
  const { labels, matrix } = focus.report.confusion;
  const square =
    labels.length > 0 && matrix.length === labels.length && matrix.every((row) => row.length === labels.length);
  if (!square)
    return {
      missing: `The confusion matrix of ${focus.model} is not shown: it is empty or not ${labels.length} × ${labels.length}.`,
    };
  return {
    svg: heatmap({
      name: 'confusion',
      title: `Confusion matrix of ${focus.model}`,
      xLabel: 'Predicted',
      yLabel: 'Gold',
      rowLabels: labels,
      colLabels: labels,
      matrix,
    }),
  };
}

function bootstrapFigure(data: ReportData): Figure {
  if ((data.bootstrap ?? []).length === 0) return { missing: 'No bootstrapping in this run.' };
  const rows = (data.bootstrap ?? []).filter((r) => r.devF1 !== undefined && Number.isFinite(r.devF1));
  if (rows.length === 0) return { missing: 'The bootstrapping chart is not shown: no iteration has a dev F1-score.' };
  return {
    svg: lineChart({
      name: 'bootstrap',
      title: 'Dev F1-score per bootstrapping iteration',
      xLabel: 'Iteration',
      yLabel: 'Dev F1-score (%)',
      series: [
        {
          name: 'Dev micro F1',
          points: rows.map((r) => ({ x: r.iteration, y: (r.devF1 as number) * 100 })),
          notes: rows.map((r) => (r.rolledBack ? ' (rolled back)' : '')),
        },
      ],
      integerX: true,
    }),
  };
}

function reliabilityFigure(data: ReportData): Figure {
  const rows = data.calibration ?? [];
  if (rows.length === 0) return { missing: 'The reliability diagram is not shown: no model was calibrated.' };
  // The last calibrated model (in the example, the one that extracts the graph): one point per non-empty bin, mean
  // top score against the share right, before and after; the diagonal is perfect calibration.
  const r = rows[rows.length - 1];
  const series: LineSeries[] = [
    {
      name: 'perfectly calibrated',
      points: [
        { x: 0, y: 0 },
        { x: 100, y: 100 },
      ],
    },
  ];
  for (const [when, side] of [
    ['before', r.before],
    ['after', r.after],
  ] as const) {
    series.push({
      name: `${when} (ECE ${percent(side.ece)} %)`,
      points: side.bins.filter((b) => b.count > 0).map((b) => ({ x: b.confidence * 100, y: b.accuracy * 100 })),
    });
  }
  return {
    svg: lineChart({
      name: 'reliability',
      title: `Reliability diagram of ${r.model} on dev, before and after temperature scaling (T = ${r.temperature.toFixed(2)})`,
      xLabel: 'Confidence (%)',
      yLabel: 'Accuracy (%)',
      series,
      yDomain: [0, 100],
    }),
  };
}
