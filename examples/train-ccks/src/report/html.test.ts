import { scorePairs } from '@emr-re/metrics';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import type { ReportData } from './types';
import { emptyReport, fullReport, nerSummary } from './__tests__/fixture';

const CHARTS = ['depth', 'per-class-pr', 'loss', 'confusion', 'bootstrap'];

/** The one `<svg data-chart=name>…</svg>` of a chart (charts never nest svgs). */
function chartSvg(html: string, name: string): string {
  const matches = [...html.matchAll(new RegExp(`<svg [^>]*data-chart="${name}"[^>]*>[\\s\\S]*?</svg>`, 'g'))];
  if (matches.length !== 1) throw new Error(`${matches.length} charts named ${name}`);
  return matches[0][0];
}

/** Start tags `<tag …class="cls"…>` in `svg`. */
function elements(svg: string, tag: string, cls: string): string[] {
  return [...svg.matchAll(new RegExp(`<${tag} class="${cls}"[^>]*>`, 'g'))].map((m) => m[0]);
}

const attr = (element: string, name: string): string => {
  const m = new RegExp(` ${name}="([^"]*)"`).exec(element);
  if (!m) throw new Error(`no ${name} in ${element}`);
  return m[1];
};

describe('renderHtml', () => {
  const html = renderHtml(fullReport());

  test('is one self-contained UTF-8 document: no scripts, no external resources, fetches forbidden', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain(`default-src 'none'`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|\bsrc=|\bhref=/i);
    // The only URL is the SVG namespace; url(...) only points into the document.
    expect([...html.matchAll(/https?:\/\/[^\s"']+/g)].map((m) => m[0])).toEqual(
      Array(6).fill('http://www.w3.org/2000/svg'),
    );
    expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1])).toEqual(['#confusion-scale']);
  });

  test('every chart appears once, with a title, axes, tick labels and a legend', () => {
    for (const name of CHARTS) {
      const svg = chartSvg(html, name);
      expect(svg).toMatch(/<text class="chart-title"[^>]*>[^<]+<\/text>/);
      expect(svg).toContain('<g class="axis y-axis">');
      expect(svg).toContain('<g class="axis x-axis">');
      expect(svg).toContain('<g class="legend">');
      expect(elements(svg, 'text', 'tick-label').length).toBeGreaterThanOrEqual(2);
      expect(elements(svg, 'text', 'axis-title')).toHaveLength(2);
    }
  });

  test('Figure 7: one line per encoder family, one point per (family, depth)', () => {
    const svg = chartSvg(html, 'depth');
    expect(elements(svg, 'circle', 'point')).toHaveLength(5);
    expect(elements(svg, 'path', 'line')).toHaveLength(2);
    expect(svg.match(/<g class="legend-item">/g)).toHaveLength(2);
    expect(svg).toContain('data-series="CNN"');
    expect(svg).toContain('data-series="ResNet"');
  });

  test('Figure 8: precision and recall bars per class of the best model, heights proportional to the scores', () => {
    const svg = chartSvg(html, 'per-class-pr');
    const bars = elements(svg, 'rect', 'bar');
    expect(bars).toHaveLength(4); // 2 classes × (precision, recall)
    expect(bars.map((b) => attr(b, 'data-category'))).toEqual(['DAP', 'SAP', 'DAP', 'SAP']);
    // ResGRU-Att: DAP P = R = 50 %, SAP P = R = 75 %, on a fixed 0..100 axis.
    const heights = bars.map((b) => Number(attr(b, 'height')));
    expect(heights[1] / heights[0]).toBeCloseTo(1.5, 2);
    expect(heights[2]).toBeCloseTo(heights[0], 5);
    expect(svg).toContain('<title>SAP Precision: 75.00</title>');
  });

  test('loss: one line per model, one point per epoch', () => {
    const svg = chartSvg(html, 'loss');
    expect(elements(svg, 'circle', 'point')).toHaveLength(7);
    expect(elements(svg, 'path', 'line')).toHaveLength(2);
    expect(svg).toContain('<title>ResGRU-Att, Epoch 4: 0.4500</title>');
  });

  test('confusion: one shaded cell with its count per (gold, predicted), row by row', () => {
    const svg = chartSvg(html, 'confusion');
    const cells = elements(svg, 'rect', 'cell');
    expect(cells).toHaveLength(9);
    expect(cells.map((c) => attr(c, 'data-count'))).toEqual(['1', '1', '0', '0', '3', '1', '1', '0', '4']);
    expect(cells.map((c) => `${attr(c, 'data-row')}>${attr(c, 'data-col')}`).slice(0, 3)).toEqual([
      'DAP>DAP',
      'DAP>SAP',
      'DAP>unknown',
    ]);
    const counts = [...svg.matchAll(/<text class="count"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(counts).toEqual(['1', '1', '0', '0', '3', '1', '1', '0', '4']);
    // Shaded by share of the gold row: SAP→SAP is 3/4 of its row, darker than DAP→DAP at 1/2.
    const fill = (i: number): number => parseInt(attr(cells[i], 'fill').slice(1, 3), 16);
    expect(fill(4)).toBeLessThan(fill(0));
    expect(attr(cells[2], 'fill')).toBe('#f7fbff');
  });

  test('bootstrap: one point per iteration with a dev F1, the rolled-back one hollow', () => {
    const data = fullReport();
    data.bootstrap!.push({ iteration: 3, labelled: 150, added: 0, poolLeft: 30, addedByClass: {} });
    const svg = chartSvg(renderHtml(data), 'bootstrap');
    const points = elements(svg, 'circle', 'point');
    expect(points).toHaveLength(3);
    expect(points.map((p) => attr(p, 'fill') === '#ffffff')).toEqual([false, false, true]);
    expect(svg).toContain('<title>Dev micro F1, Iteration 2: 62.00 (rolled back)</title>');
  });

  test('shows the NER table: a row per entity type with its strict P/R/F1, then micro, macro and relaxed', () => {
    const whole = renderHtml({ ...fullReport(), ner: nerSummary() });
    expect(whole).toContain('Entity recognition on held-out EMRs');
    const out = whole.slice(whole.indexOf('Entity recognition on held-out EMRs'));
    const cells = (label: string): string[] => {
      const row = new RegExp(`<tr>\\s*<t[dh][^>]*>(?:<strong>)?${label}(?:</strong>)?</t[dh]>([\\s\\S]*?)</tr>`).exec(
        out,
      );
      if (!row) throw new Error(`no row ${label}`);
      return [...row[1].matchAll(/<td[^>]*>(?:<strong>)?([^<]*)/g)].map((m) => m[1]);
    };
    expect(cells('症状和体征').slice(0, 3)).toEqual(['100.00', '100.00', '100.00']);
    expect(cells('micro').slice(0, 3)).toEqual(['50.00', '33.33', '40.00']);
    expect(cells('relaxed').slice(0, 3)).toEqual(['100.00', '66.67', '80.00']);
    expect(renderHtml(emptyReport())).toContain('No entity recogniser in this run.');
  });

  test('has the same tables as the Markdown report', () => {
    expect(html).toContain('<tr><td>CNN</td><td class="r">0.00</td><td class="r">57.14</td></tr>');
    expect(html).toContain(
      '<tr><td>ResGRU-Att</td><td class="r">66.67</td><td class="r">66.67</td><td class="r">66.67</td></tr>',
    );
    expect(html).toContain('<thead><tr><th>Models</th><th class="r">N=100</th><th class="r">N=150</th></tr></thead>');
    expect(html).toContain('<td><strong>micro</strong></td>');
    expect(html).toContain('<th>gold \\ pred</th>');
    // One HTML table per Markdown table (each has exactly one alignment row).
    const markdownTables = renderMarkdown(fullReport())
      .split('\n')
      .filter((l) => /^\|( ---:? \|)+$/.test(l));
    expect(markdownTables).toHaveLength(22);
    expect(html.match(/<table>/g)).toHaveLength(22);
  });

  test('missing optional data: each chart replaced by a note, no svg, no crash', () => {
    const out = renderHtml(emptyReport());
    expect(out).not.toContain('<svg');
    for (const name of CHARTS)
      expect(out).toMatch(new RegExp(`<p class="note" data-chart-missing="${name}">[^<]+</p>`));
  });

  test('partial data: empty curves, points without dev F1, non-finite values', () => {
    const data: ReportData = {
      ...fullReport(),
      depth: [],
      losses: [
        { model: 'A', points: [] },
        {
          model: 'B',
          points: [
            { epoch: 1, loss: 1 },
            { epoch: 2, loss: NaN },
            { epoch: 3, loss: 0.5 },
          ],
        },
      ],
      bootstrap: [{ iteration: 0, labelled: 10, added: 0, poolLeft: 5, addedByClass: {} }],
    };
    const out = renderHtml(data);
    expect(out).toContain('data-chart-missing="depth"');
    expect(out).toContain('data-chart-missing="bootstrap"');
    const loss = chartSvg(out, 'loss');
    expect(elements(loss, 'circle', 'point')).toHaveLength(2);
    expect(loss).not.toContain('NaN');
  });

  test('escapes every text: model names, class labels, titles; Chinese kept as UTF-8', () => {
    const evil = '<script>alert("x")</script>&';
    const report = scorePairs([
      { gold: '临床表现', pred: '临床表现' },
      { gold: '<b>', pred: '临床表现' },
    ]);
    const data: ReportData = {
      ...emptyReport(),
      title: `Run ${evil}`,
      models: [{ model: evil, report }],
      losses: [{ model: evil, points: [{ epoch: 1, loss: 1 }] }],
      depth: [{ model: evil, depth: 3, f1: 0.5 }],
    };
    const out = renderHtml(data);
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<b>');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;');
    expect(out).toContain(`data-series="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"`);
    expect(out).toContain('data-row="&lt;b&gt;"');
    expect(out).toContain('>临床表现</text>');
    expect(out).toContain(`<title>Run &lt;script&gt;`);
  });
});
