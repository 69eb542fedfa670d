/** Shared pieces of the Markdown renderers (internal: not exported from the package). */

/** How numbers are shown in Markdown tables. */
export interface TableOptions {
  /** Decimal places of percentages (default 2, as in the paper's tables). */
  digits?: number;
}

/** A fraction in 0..1 as a percentage with `digits` decimals. */
export function percent(digits = 2): (x: number) => string {
  return (x) => (x * 100).toFixed(digits);
}

export function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A GitHub-flavoured Markdown table; `align` has one `l` or `r` per column. Pipes in cells are escaped. */
export function markdownTable(header: string[], rows: string[][], align: string): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (align[i] === 'r' ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}
