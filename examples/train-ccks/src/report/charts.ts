import { escapeHtml } from './escape';

/**
 * Inline SVG charts drawn by hand (no chart library, nothing fetched): line charts, grouped bar charts and a
 * heat map. Every chart is one `<svg data-chart="<name>">` with a title, axes, tick labels, axis titles and
 * a legend; data marks carry classes (`point`, `bar`, `cell`) and `<title>` tooltips. All text is escaped.
 */

/** One line of a line chart. Points with a non-finite coordinate are skipped. */
export interface LineSeries {
  name: string;
  points: Array<{ x: number; y: number }>;
  /** Optional per-point tooltip suffixes, parallel to `points` (e.g. " (rolled back)"). */
  notes?: string[];
}

/** A line chart: one coloured line with dot markers per series. */
export interface LineChartSpec {
  name: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Whole-number x ticks only (epochs, depths, iterations). */
  integerX?: boolean;
  /** Fixed y range; default: a nice range around the data. */
  yDomain?: [number, number];
  /** Decimals of values in tooltips (default 2). */
  digits?: number;
}

/** A grouped bar chart: for each category, one bar per group. */
export interface BarChartSpec {
  name: string;
  title: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  groups: Array<{ name: string; values: number[] }>;
  yDomain?: [number, number];
  digits?: number;
}

/** A heat map of counts: rows × columns, shaded by each count's share of its row, counts written in the cells. */
export interface HeatmapSpec {
  name: string;
  title: string;
  xLabel: string;
  yLabel: string;
  rowLabels: string[];
  colLabels: string[];
  matrix: number[][];
}

/** Colour-blind-friendly categorical palette (Okabe–Ito, then Tableau) for series and groups. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
  '#8C564B',
  '#7F7F7F',
];

const FONT = 12;

/** Rough rendered width of a label in pixels: CJK and other wide characters ≈ one em, the rest ≈ 0.6 em. */
export function textWidth(text: string, fontSize = FONT): number {
  let w = 0;
  for (const ch of text)
    w +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ||
      ch.codePointAt(0)! > 0xffff
        ? fontSize
        : fontSize * 0.6;
  return w;
}

/**
 * Round tick values covering [min, max]: steps of 1, 2 or 5 × 10^k, about `count` of them, the first at or
 * below `min` and the last at or above `max` (so the ticks are also the axis range).
 */
export function niceTicks(min: number, max: number, count = 5, integer = false): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
    if (integer) {
      min = Math.floor(min);
      max = Math.ceil(max);
    }
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const multiple = [1, 2, 5, 10].find((m) => m * power >= raw) ?? 10;
  let step = multiple * power;
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  // Multiplying an integer index by the step avoids accumulating float error (0.1 + 0.2 …).
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function tickText(value: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return value.toFixed(decimals);
}

/** Widens [min, max] by 5 % on each side so that extreme points do not sit on the plot's border. */
function padded(min: number, max: number): [number, number] {
  const pad = (max - min) * 0.05;
  return [min - pad, max + pad];
}

/** Width a chart needs so its bold 15 px title fits with a margin. */
function titleWidth(title: string): number {
  return textWidth(title, 15) * 1.1 + 40;
}

const num = (x: number): string => (Math.round(x * 100) / 100).toString();

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

function svgOpen(name: string, title: string, width: number, height: number): string {
  const id = `chart-${name}-title`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeHtml(name)}" width="${num(width)}" height="${num(height)}" ` +
    `viewBox="0 0 ${num(width)} ${num(height)}" role="img" aria-labelledby="${escapeHtml(id)}" font-family="sans-serif" font-size="${FONT}">` +
    `<title id="${escapeHtml(id)}">${escapeHtml(title)}</title>` +
    `<rect class="background" x="0" y="0" width="${num(width)}" height="${num(height)}" fill="#ffffff"/>` +
    `<text class="chart-title" x="${num(width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeHtml(title)}</text>`
  );
}

/** The y axis: line, ticks with labels, light grid lines across the plot and the rotated axis title. */
function yAxis(box: Box, ticks: number[], scale: (v: number) => number, label: string): string {
  let out = `<g class="axis y-axis"><line x1="${num(box.left)}" y1="${num(box.top)}" x2="${num(box.left)}" y2="${num(box.top + box.height)}" stroke="#333"/>`;
  for (const t of ticks) {
    const y = scale(t);
    out +=
      `<line class="grid" x1="${num(box.left)}" y1="${num(y)}" x2="${num(box.left + box.width)}" y2="${num(y)}" stroke="#e5e5e5"/>` +
      `<line class="tick" x1="${num(box.left - 5)}" y1="${num(y)}" x2="${num(box.left)}" y2="${num(y)}" stroke="#333"/>` +
      `<text class="tick-label" x="${num(box.left - 8)}" y="${num(y + 4)}" text-anchor="end">${escapeHtml(tickText(t, ticks))}</text>`;
  }
  const cx = box.left - 48;
  const cy = box.top + box.height / 2;
  out += `<text class="axis-title" x="${num(cx)}" y="${num(cy)}" text-anchor="middle" transform="rotate(-90 ${num(cx)} ${num(cy)})">${escapeHtml(label)}</text></g>`;
  return out;
}

function xAxisTitle(box: Box, label: string, offset: number): string {
  return `<text class="axis-title" x="${num(box.left + box.width / 2)}" y="${num(box.top + box.height + offset)}" text-anchor="middle">${escapeHtml(label)}</text>`;
}

/** A legend of coloured swatches, stacked at (x, y). */
function legend(x: number, y: number, items: Array<{ name: string; color: string }>, shape: 'line' | 'box'): string {
  let out = `<g class="legend">`;
  items.forEach((item, i) => {
    const yy = y + i * 20;
    const swatch =
      shape === 'line'
        ? `<line x1="${num(x)}" y1="${num(yy)}" x2="${num(x + 18)}" y2="${num(yy)}" stroke="${item.color}" stroke-width="2.5"/><circle cx="${num(x + 9)}" cy="${num(yy)}" r="3.5" fill="${item.color}"/>`
        : `<rect x="${num(x + 3)}" y="${num(yy - 6)}" width="12" height="12" fill="${item.color}"/>`;
    out += `<g class="legend-item">${swatch}<text x="${num(x + 24)}" y="${num(yy + 4)}">${escapeHtml(item.name)}</text></g>`;
  });
  return out + '</g>';
}

function legendWidth(names: string[]): number {
  return 24 + Math.max(0, ...names.map((n) => textWidth(n)));
}

/** A line chart as one `<svg data-chart=name>`; each drawn point is a `<circle class="point">`. */
export function lineChart(spec: LineChartSpec): string {
  const digits = spec.digits ?? 2;
  const series = spec.series.map((s) => {
    const kept: Array<{ x: number; y: number; note: string }> = [];
    s.points.forEach((p, i) => {
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) kept.push({ ...p, note: s.notes?.[i] ?? '' });
    });
    kept.sort((a, b) => a.x - b.x);
    return { name: s.name, points: kept };
  });
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  // Whole-number axes get a tick per unit while that stays readable (≤ 8 steps).
  const xCount = spec.integerX
    ? Math.min(8, Math.max(2, Math.ceil(xMax - xMin)))
    : Math.min(8, Math.max(1, new Set(xs).size - 1));
  const xTicks = niceTicks(xMin, xMax, xCount, spec.integerX);
  const yTicks = spec.yDomain
    ? niceTicks(spec.yDomain[0], spec.yDomain[1], 5)
    : niceTicks(...padded(Math.min(...ys), Math.max(...ys)), 5);
  const width = 760;
  const height = 380;
  const right = Math.min(260, legendWidth(series.map((s) => s.name)) + 30);
  const box: Box = { left: 72, top: 44, width: width - 72 - right, height: height - 44 - 56 };
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const sx = (v: number): number => box.left + ((v - x0) / (x1 - x0 || 1)) * box.width;
  const sy = (v: number): number => box.top + box.height - ((v - y0) / (y1 - y0 || 1)) * box.height;

  let out = svgOpen(spec.name, spec.title, width, height);
  out += yAxis(box, yTicks, sy, spec.yLabel);
  out += `<g class="axis x-axis"><line x1="${num(box.left)}" y1="${num(box.top + box.height)}" x2="${num(box.left + box.width)}" y2="${num(box.top + box.height)}" stroke="#333"/>`;
  for (const t of xTicks) {
    const x = sx(t);
    out +=
      `<line class="tick" x1="${num(x)}" y1="${num(box.top + box.height)}" x2="${num(x)}" y2="${num(box.top + box.height + 5)}" stroke="#333"/>` +
      `<text class="tick-label" x="${num(x)}" y="${num(box.top + box.height + 19)}" text-anchor="middle">${escapeHtml(tickText(t, xTicks))}</text>`;
  }
  out += xAxisTitle(box, spec.xLabel, 42) + '</g>';
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    out += `<g class="series" data-series="${escapeHtml(s.name)}">`;
    if (s.points.length > 1) {
      const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${num(sx(p.x))},${num(sy(p.y))}`).join(' ');
      out += `<path class="line" d="${d}" fill="none" stroke="${color}" stroke-width="2.5"/>`;
    }
    for (const p of s.points) {
      const tip = `${s.name}, ${spec.xLabel} ${p.x}: ${p.y.toFixed(digits)}${p.note}`;
      const hollow = p.note !== '';
      out +=
        `<circle class="point" cx="${num(sx(p.x))}" cy="${num(sy(p.y))}" r="4" fill="${hollow ? '#ffffff' : color}" stroke="${color}" stroke-width="2">` +
        `<title>${escapeHtml(tip)}</title></circle>`;
    }
    out += '</g>';
  });
  out += legend(
    box.left + box.width + 20,
    box.top + 8,
    series.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length] })),
    'line',
  );
  return out + '</svg>';
}

/** A grouped bar chart as one `<svg data-chart=name>`; each value is a `<rect class="bar">`. */
export function groupedBarChart(spec: BarChartSpec): string {
  const digits = spec.digits ?? 2;
  const values = spec.groups.flatMap((g) => g.values.filter(Number.isFinite));
  const yTicks = spec.yDomain
    ? niceTicks(spec.yDomain[0], spec.yDomain[1], 5)
    : niceTicks(Math.min(0, ...values), Math.max(...values), 5);
  const n = Math.max(1, spec.categories.length);
  const right = Math.min(260, legendWidth(spec.groups.map((g) => g.name)) + 30);
  const band = Math.max(36, Math.min(90, 600 / n));
  const maxLabel = Math.max(0, ...spec.categories.map((c) => textWidth(c)));
  const rotate = maxLabel > band - 6;
  // Rotated labels hang below the axis; leave room for the longest one (sin 40° ≈ 0.64).
  const labelDepth = rotate ? Math.min(160, maxLabel * 0.64 + 16) : 22;
  const box: Box = { left: 72, top: 44, width: band * n, height: 260 };
  const width = Math.max(box.left + box.width + right, titleWidth(spec.title));
  const height = box.top + box.height + labelDepth + 40;
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const sy = (v: number): number =>
    box.top + box.height - ((Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0 || 1)) * box.height;

  let out = svgOpen(spec.name, spec.title, width, height);
  out += yAxis(box, yTicks, sy, spec.yLabel);
  const baseY = sy(Math.max(y0, Math.min(0, y1)));
  out += `<g class="axis x-axis"><line x1="${num(box.left)}" y1="${num(box.top + box.height)}" x2="${num(box.left + box.width)}" y2="${num(box.top + box.height)}" stroke="#333"/>`;
  spec.categories.forEach((c, i) => {
    const cx = box.left + band * (i + 0.5);
    const ly = box.top + box.height + 16;
    out += rotate
      ? `<text class="tick-label" x="${num(cx)}" y="${num(ly)}" text-anchor="end" transform="rotate(-40 ${num(cx)} ${num(ly)})">${escapeHtml(c)}</text>`
      : `<text class="tick-label" x="${num(cx)}" y="${num(ly)}" text-anchor="middle">${escapeHtml(c)}</text>`;
  });
  out += xAxisTitle(box, spec.xLabel, labelDepth + 30) + '</g>';
  const inner = band * 0.8;
  const barWidth = inner / Math.max(1, spec.groups.length);
  spec.groups.forEach((g, gi) => {
    const color = PALETTE[gi % PALETTE.length];
    out += `<g class="series" data-series="${escapeHtml(g.name)}">`;
    spec.categories.forEach((c, ci) => {
      const v = g.values[ci];
      if (!Number.isFinite(v)) return;
      const x = box.left + band * ci + band * 0.1 + barWidth * gi;
      const y = sy(v);
      out +=
        `<rect class="bar" data-category="${escapeHtml(c)}" x="${num(x)}" y="${num(Math.min(y, baseY))}" width="${num(barWidth - 1)}" height="${num(Math.abs(baseY - y))}" fill="${color}">` +
        `<title>${escapeHtml(`${c} ${g.name}: ${v.toFixed(digits)}`)}</title></rect>`;
    });
    out += '</g>';
  });
  out += legend(
    box.left + box.width + 20,
    box.top + 8,
    spec.groups.map((g, i) => ({ name: g.name, color: PALETTE[i % PALETTE.length] })),
    'box',
  );
  return out + '</svg>';
}

/** Blue shade for a share in 0..1, from near-white to dark blue (linear in RGB). */
export function shade(share: number): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0));
  const from = [247, 251, 255];
  const to = [8, 48, 107];
  const hex = from.map((f, i) =>
    Math.round(f + (to[i] - f) * t)
      .toString(16)
      .padStart(2, '0'),
  );
  return `#${hex.join('')}`;
}

/**
 * A heat map as one `<svg data-chart=name>`; each cell is a `<rect class="cell">` with its count written on it
 * (`<text class="count">`). Cells are shaded by their share of the row, so rare classes stay readable next to
 * a large negative class.
 */
export function heatmap(spec: HeatmapSpec): string {
  const rows = spec.rowLabels.length;
  const cols = spec.colLabels.length;
  const cell = Math.max(22, Math.min(56, Math.floor(560 / Math.max(1, rows, cols))));
  const rowLabelWidth = Math.max(0, ...spec.rowLabels.map((l) => textWidth(l))) + 12;
  const maxColLabel = Math.max(0, ...spec.colLabels.map((l) => textWidth(l)));
  const rotate = maxColLabel > cell - 4;
  const colLabelDepth = rotate ? Math.min(160, maxColLabel * 0.64 + 16) : 22;
  const box: Box = { left: 40 + rowLabelWidth, top: 44, width: cell * cols, height: cell * rows };
  const legendX = box.left + box.width + 30;
  const width = Math.max(legendX + 110, titleWidth(spec.title));
  const height = box.top + box.height + colLabelDepth + 40;
  const countSize = Math.max(8, Math.min(FONT, Math.floor(cell * 0.4)));

  let out = svgOpen(spec.name, spec.title, width, height);
  out += `<defs><linearGradient id="${escapeHtml(`${spec.name}-scale`)}" x1="0" y1="1" x2="0" y2="0"><stop offset="0" stop-color="${shade(0)}"/><stop offset="1" stop-color="${shade(1)}"/></linearGradient></defs>`;
  out += '<g class="cells">';
  spec.matrix.slice(0, rows).forEach((row, r) => {
    const total = row.reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
    row.slice(0, cols).forEach((count, c) => {
      const share = total > 0 ? count / total : 0;
      const x = box.left + c * cell;
      const y = box.top + r * cell;
      const label = Number.isFinite(count) ? String(count) : '-';
      const tip = `${spec.yLabel} ${spec.rowLabels[r]}, ${spec.xLabel} ${spec.colLabels[c]}: ${label} (${(share * 100).toFixed(1)}% of row)`;
      out +=
        `<rect class="cell" data-row="${escapeHtml(spec.rowLabels[r])}" data-col="${escapeHtml(spec.colLabels[c])}" data-count="${escapeHtml(label)}" ` +
        `x="${num(x)}" y="${num(y)}" width="${num(cell)}" height="${num(cell)}" fill="${shade(share)}" stroke="#ffffff"><title>${escapeHtml(tip)}</title></rect>` +
        `<text class="count" x="${num(x + cell / 2)}" y="${num(y + cell / 2 + countSize / 3)}" text-anchor="middle" font-size="${countSize}" fill="${share > 0.5 ? '#ffffff' : '#222222'}">${escapeHtml(label)}</text>`;
    });
  });
  out += '</g><g class="axis y-axis">';
  spec.rowLabels.forEach((l, r) => {
    out += `<text class="tick-label" x="${num(box.left - 6)}" y="${num(box.top + r * cell + cell / 2 + 4)}" text-anchor="end">${escapeHtml(l)}</text>`;
  });
  const cx = 16;
  const cy = box.top + box.height / 2;
  out += `<text class="axis-title" x="${cx}" y="${num(cy)}" text-anchor="middle" transform="rotate(-90 ${cx} ${num(cy)})">${escapeHtml(spec.yLabel)}</text></g>`;
  out += '<g class="axis x-axis">';
  spec.colLabels.forEach((l, c) => {
    const x = box.left + c * cell + cell / 2;
    const y = box.top + box.height + 16;
    out += rotate
      ? `<text class="tick-label" x="${num(x)}" y="${num(y)}" text-anchor="end" transform="rotate(-40 ${num(x)} ${num(y)})">${escapeHtml(l)}</text>`
      : `<text class="tick-label" x="${num(x)}" y="${num(y)}" text-anchor="middle">${escapeHtml(l)}</text>`;
  });
  out += xAxisTitle(box, spec.xLabel, colLabelDepth + 30) + '</g>';
  const barHeight = Math.min(160, Math.max(80, box.height));
  out +=
    `<g class="legend"><text x="${num(legendX)}" y="${num(box.top - 6)}">share of row</text>` +
    `<rect x="${num(legendX)}" y="${num(box.top)}" width="14" height="${num(barHeight)}" fill="url(#${escapeHtml(`${spec.name}-scale`)})" stroke="#999"/>` +
    `<text x="${num(legendX + 20)}" y="${num(box.top + 10)}">100%</text><text x="${num(legendX + 20)}" y="${num(box.top + barHeight)}">0%</text></g>`;
  return out + '</svg>';
}
