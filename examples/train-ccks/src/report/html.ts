import { DEFAULT_TITLE, reportBlocks } from './document';
import type { Block, Table } from './document';
import { escapeHtml } from './escape';
import { reportFigure } from './figures';
import type { ReportData } from './types';

/**
 * The run report as ONE self-contained HTML file: the same blocks and tables as the Markdown report, plus the
 * charts as inline SVG (`<svg data-chart="depth|per-class-pr|loss|confusion|bootstrap">`). No scripts, no
 * external fonts, styles or images; a Content-Security-Policy forbids any fetch. A chart whose data is absent
 * is replaced by a short note (`<p class="note" data-chart-missing="<name>">`).
 */
export function renderHtml(data: ReportData): string {
  const title = data.title ?? DEFAULT_TITLE;
  const body = reportBlocks(data)
    .map((b) => blockToHtml(b, data))
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const STYLE = [
  'body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222;line-height:1.45}',
  'h1{border-bottom:2px solid #0072B2;padding-bottom:.3rem}',
  'h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}',
  'table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.9rem}',
  'th,td{border:1px solid #ccc;padding:.25rem .6rem}',
  'th{background:#f2f5f8}',
  'td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}',
  'p.note{color:#666;font-style:italic}',
  'figure.chart{margin:.5rem 0 1.5rem;overflow-x:auto}',
].join('\n');

function blockToHtml(block: Block, data: ReportData): string {
  switch (block.kind) {
    case 'heading':
      return `<h${block.level}>${escapeHtml(block.text)}</h${block.level}>`;
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'note':
      return `<p class="note">${escapeHtml(block.text)}</p>`;
    case 'table':
      return tableToHtml(block.table);
    case 'chart': {
      const figure = reportFigure(data, block.chart);
      return 'svg' in figure
        ? `<figure class="chart">${figure.svg}</figure>`
        : `<p class="note" data-chart-missing="${escapeHtml(block.chart)}">${escapeHtml(figure.missing)}</p>`;
    }
  }
}

/** A table as HTML; right-aligned columns get `class="r"`, bold total rows `<strong>`. */
export function tableToHtml(table: Table): string {
  const cls = (i: number): string => (table.align[i] === 'r' ? ' class="r"' : '');
  const head = table.header.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const rows = table.rows
    .map(
      (row) =>
        `<tr>${row.map((c, i) => `<td${cls(i)}>${c.strong ? `<strong>${escapeHtml(c.text)}</strong>` : escapeHtml(c.text)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
}
