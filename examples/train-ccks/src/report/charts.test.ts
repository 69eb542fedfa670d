import { groupedBarChart, heatmap, lineChart, niceTicks, shade, textWidth } from './charts';

const numbers = (svg: string, re: RegExp): number[] => [...svg.matchAll(re)].map((m) => Number(m[1]));

describe('niceTicks', () => {
  test('steps of 1, 2 or 5 × 10^k that cover the range', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(44.4, 66.7, 5)).toEqual([40, 45, 50, 55, 60, 65, 70]);
    expect(niceTicks(0.45, 1.2, 5)).toEqual([0.4, 0.6, 0.8, 1, 1.2]);
    expect(niceTicks(0.1, 0.3, 2)).toEqual([0.1, 0.2, 0.3]);
  });

  test('integer ticks never step below 1', () => {
    expect(niceTicks(1, 3, 2, true)).toEqual([1, 2, 3]);
    expect(niceTicks(0, 2, 8, true)).toEqual([0, 1, 2]);
  });

  test('a single value gets a range around it; reversed bounds are swapped', () => {
    const ticks = niceTicks(5, 5, 5);
    expect(ticks[0]).toBeLessThan(5);
    expect(ticks[ticks.length - 1]).toBeGreaterThan(5);
    expect(niceTicks(3, 3, 2, true)).toEqual([2, 3, 4]);
    expect(niceTicks(100, 0, 5)).toEqual([0, 20, 40, 60, 80, 100]);
  });
});

test('shade runs from near-white to dark blue and clamps', () => {
  expect(shade(0)).toBe('#f7fbff');
  expect(shade(1)).toBe('#08306b');
  expect(shade(0.5)).toBe('#8096b5');
  expect(shade(2)).toBe('#08306b');
  expect(shade(NaN)).toBe('#f7fbff');
});

test('textWidth counts Chinese characters as one em', () => {
  expect(textWidth('临床表现', 10)).toBe(40);
  expect(textWidth('SAP', 10)).toBeCloseTo(18, 6);
});

describe('lineChart geometry', () => {
  const svg = lineChart({
    name: 't',
    title: 'T',
    xLabel: 'Epoch',
    yLabel: 'Loss',
    series: [
      {
        name: 'm',
        points: [
          { x: 1, y: 0 },
          { x: 2, y: 50 },
          { x: 3, y: 100 },
        ],
      },
    ],
    integerX: true,
    yDomain: [0, 100],
  });

  test('points sit on their tick marks: x ticks 1, 2, 3 and y ticks 0..100', () => {
    const cx = numbers(svg, /<circle class="point" cx="([\d.]+)"/g);
    const cy = numbers(svg, /<circle class="point" cx="[\d.]+" cy="([\d.]+)"/g);
    const xTickLabels = numbers(
      svg,
      /<text class="tick-label" x="([\d.]+)" y="[\d.]+" text-anchor="middle">\d+<\/text>/g,
    );
    expect(cx).toEqual(xTickLabels);
    // Linear in y: the middle point is halfway, and a larger value is higher up (smaller y).
    expect(cy[0] - cy[1]).toBeCloseTo(cy[1] - cy[2], 1);
    expect(cy[2]).toBeLessThan(cy[0]);
    const yGrid = numbers(svg, /<line class="grid" x1="[\d.]+" y1="([\d.]+)"/g);
    expect(yGrid[0]).toBeCloseTo(cy[0], 1); // tick 0
    expect(yGrid[yGrid.length - 1]).toBeCloseTo(cy[2], 1); // tick 100
  });

  test('the line passes through every point in x order', () => {
    const d = /<path class="line" d="([^"]+)"/.exec(svg)![1];
    const cx = numbers(svg, /<circle class="point" cx="([\d.]+)"/g);
    const cy = numbers(svg, /<circle class="point" cx="[\d.]+" cy="([\d.]+)"/g);
    expect(d).toBe(`M${cx[0]},${cy[0]} L${cx[1]},${cy[1]} L${cx[2]},${cy[2]}`);
  });
});

test('grouped bars: heights proportional to values from a common baseline', () => {
  const svg = groupedBarChart({
    name: 'b',
    title: 'B',
    xLabel: 'x',
    yLabel: 'y',
    categories: ['a', 'b'],
    groups: [
      { name: 'P', values: [25, 100] },
      { name: 'R', values: [50, 0] },
    ],
    yDomain: [0, 100],
  });
  const heights = numbers(svg, /<rect class="bar"[^>]* height="([\d.]+)"/g);
  const ys = numbers(svg, /<rect class="bar"[^>]* y="([\d.]+)"/g);
  expect(heights[1]).toBe(260); // the full plot height at 100 %
  expect(heights.map((h) => h / 260)).toEqual([0.25, 1, 0.5, 0]);
  ys.forEach((y, i) => expect(y + heights[i]).toBeCloseTo(44 + 260, 1));
});

test('heatmap: cells in row order, shaded by share of their row, counts written', () => {
  const svg = heatmap({
    name: 'h',
    title: 'H',
    xLabel: 'Predicted',
    yLabel: 'Gold',
    rowLabels: ['a', 'b'],
    colLabels: ['a', 'b'],
    matrix: [
      [3, 1],
      [0, 0],
    ],
  });
  const fills = [...svg.matchAll(/<rect class="cell"[^>]* fill="(#[0-9a-f]+)"/g)].map((m) => m[1]);
  expect(fills).toEqual([shade(0.75), shade(0.25), shade(0), shade(0)]);
  expect([...svg.matchAll(/<text class="count"[^>]*>(\d+)<\/text>/g)].map((m) => m[1])).toEqual(['3', '1', '0', '0']);
  expect(svg).toContain('<title>Gold a, Predicted b: 1 (25.0% of row)</title>');
});
