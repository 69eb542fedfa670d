import { reportBlocks, tableToMarkdown } from './document';
import type { Block } from './document';
import { reportFigure } from './figures';
import type { ReportData } from './types';

/**
 * The run report as GitHub-flavoured Markdown: run info, the paper's Tables 4, 5 and 6 (from `@emr-re/metrics`),
 * bootstrapping, depth and loss tables, the knowledge graph and each model's full metrics. Charts exist only in
 * the HTML report; here each is a one-line pointer to it, or the note saying why it is missing.
 */
export function renderMarkdown(data: ReportData): string {
  return (
    reportBlocks(data)
      .map((b) => blockToMarkdown(b, data))
      .join('\n\n') + '\n'
  );
}

function blockToMarkdown(block: Block, data: ReportData): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${block.text}`;
    case 'paragraph':
      return block.text;
    case 'note':
      return `_${block.text}_`;
    case 'table':
      return block.markdown ?? tableToMarkdown(block.table);
    case 'chart': {
      // Drawing the chart only to learn whether it exists is cheap (a few kB of text) and keeps one rule.
      const figure = reportFigure(data, block.chart);
      return 'svg' in figure ? `_Chart \`${block.chart}\`: see report.html._` : `_${figure.missing}_`;
    }
  }
}
