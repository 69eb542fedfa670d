import {
  entityMetricsToMarkdown,
  metricsToMarkdown,
  table4DataSize,
  table5Models,
  table6PerClass,
} from '@emr-re/metrics';
import type { MetricsReport } from '@emr-re/metrics';
import { escapeMarkdownCell } from './escape';
import type { EdgeScore, ReportData } from './types';

/** One table cell; `strong` cells are the bold total rows (`**micro**`). */
export interface TableCell {
  text: string;
  strong?: boolean;
}

/** A table as data, so Markdown and HTML show the same cells. `align` has one `l` or `r` per column. */
export interface Table {
  header: string[];
  rows: TableCell[][];
  align: string;
}

/** The names of the report's charts; each is an `<svg data-chart="<name>">` in the HTML report. */
export type ChartName = 'depth' | 'per-class-pr' | 'loss' | 'confusion' | 'bootstrap' | 'reliability';

/**
 * One block of the report. Markdown and HTML both walk the same blocks; `markdown` on a table is the exact
 * text a `@emr-re/metrics` formatter produced, kept so the Markdown report reproduces it byte for byte.
 */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'table'; table: Table; markdown?: string }
  | { kind: 'chart'; chart: ChartName };

/** The report's default title. */
export const DEFAULT_TITLE = 'emr-re run report';

/** Fraction in 0..1 as a percentage with two decimals, as in the paper's tables. */
export function percent(x: number): string {
  return Number.isFinite(x) ? (x * 100).toFixed(2) : '-';
}

/**
 * The model whose per-class scores and confusion matrix are drawn: `data.focusModel` when it names a model,
 * otherwise the model with the highest micro F1 (the first on ties); undefined without models.
 */
export function focusResult(data: ReportData): { model: string; report: MetricsReport } | undefined {
  const named = data.models.find((m) => m.model === data.focusModel);
  if (named) return named;
  let best: { model: string; report: MetricsReport } | undefined;
  for (const m of data.models) if (!best || m.report.micro.f1 > best.report.micro.f1) best = m;
  return best;
}

/**
 * Relation classes in column order (Table 6, Figure 8): `data.labels` when given, otherwise every class
 * with gold support in any model's report, first seen first — the same rule as `table6PerClass`.
 */
export function classColumns(data: ReportData): string[] {
  if (data.labels) return [...data.labels];
  const seen = new Set<string>();
  for (const m of data.models) {
    for (const [label, c] of Object.entries(m.report.perClass)) if (c.support > 0) seen.add(label);
  }
  return [...seen];
}

/** Splits Markdown made of tables and paragraphs (what the metrics formatters write) into blocks. */
export function markdownToBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of markdown.split(/\n\s*\n/)) {
    const text = chunk.trim();
    if (text === '') continue;
    if (text.startsWith('|')) blocks.push({ kind: 'table', table: parseMarkdownTable(text), markdown: text });
    else blocks.push({ kind: 'paragraph', text });
  }
  return blocks;
}

/** Parses one GitHub-flavoured Markdown table (header, alignment row, body); `\|` is a literal pipe. */
export function parseMarkdownTable(markdown: string): Table {
  const lines = markdown.trim().split('\n');
  const cells = (line: string): string[] =>
    line
      .trim()
      .replace(/^\|/, '')
      .replace(/(?<!\\)\|$/, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
  const header = cells(lines[0]);
  const align = cells(lines[1] ?? '')
    .map((c) => (c.endsWith(':') ? 'r' : 'l'))
    .join('');
  const rows = lines.slice(2).map((line) =>
    cells(line).map((c): TableCell => {
      const bold = /^\*\*(.*)\*\*$/.exec(c);
      return bold ? { text: bold[1], strong: true } : { text: c };
    }),
  );
  return { header, rows, align };
}

/** Renders a table as GitHub-flavoured Markdown, in the same layout as the `@emr-re/metrics` tables. */
export function tableToMarkdown(table: Table): string {
  const line = (cells: string[]): string => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${table.header.map((_, i) => (table.align[i] === 'r' ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = table.rows.map((row) => line(row.map((c) => (c.strong ? `**${c.text}**` : c.text))));
  return [line(table.header), rule, ...body].join('\n');
}

/** The blocks of the whole report, in order. Pure: the same data always gives the same blocks. */
export function reportBlocks(data: ReportData): Block[] {
  return [
    { kind: 'heading', level: 1, text: data.title ?? DEFAULT_TITLE },
    ...runBlocks(data),
    ...embeddingBlocks(data),
    ...resultBlocks(data),
    ...dataSizeBlocks(data),
    ...emrBlocks(data),
    ...calibrationBlocks(data),
    ...depthBlocks(data),
    ...trainingBlocks(data),
    ...nerBlocks(data),
    ...knowledgeGraphBlocks(data),
    ...graphStoreBlocks(data),
    ...detailBlocks(data),
  ];
}

const plain = (text: string): TableCell => ({ text });

function runBlocks(data: ReportData): Block[] {
  const { run } = data;
  const seeds = Object.entries(run.seeds)
    .map(([name, seed]) => `${name}=${seed}`)
    .join(', ');
  const info: Table = {
    header: ['Field', 'Value'],
    align: 'll',
    rows: [
      ['Date', run.date],
      ['Command', run.command],
      ['Backend', run.backend],
      ['Preset', run.preset],
      ['Schema', run.schema],
      ['Seeds', seeds === '' ? '-' : seeds],
    ].map((r) => r.map(plain)),
  };
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Run' },
    { kind: 'table', table: info },
  ];
  if (run.stages.length > 0) {
    const total = run.stages.reduce((a, s) => a + s.seconds, 0);
    blocks.push({ kind: 'paragraph', text: 'Wall time per stage:' });
    blocks.push({
      kind: 'table',
      table: {
        header: ['Stage', 'Wall time (s)'],
        align: 'lr',
        rows: [
          ...run.stages.map((s) => [plain(s.stage), plain(seconds(s.seconds))]),
          [
            { text: 'total', strong: true },
            { text: seconds(total), strong: true },
          ],
        ],
      },
    });
  }
  const sizes = Object.entries(run.dataSizes);
  if (sizes.length > 0) {
    blocks.push({ kind: 'paragraph', text: 'Data sizes:' });
    blocks.push({
      kind: 'table',
      table: { header: ['Data', 'Size'], align: 'lr', rows: sizes.map(([name, n]) => [plain(name), plain(String(n))]) },
    });
  }
  return blocks;
}

function seconds(s: number): string {
  return Number.isFinite(s) ? s.toFixed(1) : '-';
}

function embeddingBlocks(data: ReportData): Block[] {
  const heading: Block = { kind: 'heading', level: 2, text: 'Character embeddings' };
  const e = data.embeddings;
  if (!e) return [heading, { kind: 'note', text: 'No embedding statistics in this run.' }];
  const speed = e.wordsPerSecond === undefined ? 'loaded, not trained' : `${Math.round(e.wordsPerSecond)} words/s`;
  const blocks: Block[] = [
    heading,
    { kind: 'paragraph', text: `Vocabulary ${e.vocabSize}, dimension ${e.dim}, ${speed}.` },
  ];
  if (e.nearest.length > 0) {
    blocks.push({
      kind: 'table',
      table: {
        header: ['Character', 'Nearest neighbours (cosine)'],
        align: 'll',
        rows: e.nearest.map((n) => [
          plain(n.query),
          plain(n.neighbours.map((x) => `${x.token} ${x.similarity.toFixed(3)}`).join(', ') || '-'),
        ]),
      },
    });
  }
  return blocks;
}

function resultBlocks(data: ReportData): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Results on the test set' }];
  blocks.push({
    kind: 'heading',
    level: 3,
    text: 'Table 5. Precision, recall and F1-score (%) of each model over all relation classes',
  });
  if (data.models.length === 0) {
    blocks.push({ kind: 'note', text: 'No model results in this run.' });
  } else {
    blocks.push(...markdownToBlocks(table5Models(data.models)));
    blocks.push({ kind: 'heading', level: 3, text: 'Table 6. F1-score (%) of each model per relation class' });
    blocks.push(...markdownToBlocks(table6PerClass(data.models, data.labels)));
  }
  const focus = focusResult(data);
  blocks.push({
    kind: 'heading',
    level: 3,
    text: `Figure 8. Precision and recall (%) per relation class${focus ? ` (${focus.model})` : ''}`,
  });
  blocks.push({ kind: 'chart', chart: 'per-class-pr' });
  blocks.push({ kind: 'heading', level: 3, text: `Confusion matrix${focus ? ` (${focus.model})` : ''}` });
  blocks.push({ kind: 'chart', chart: 'confusion' });
  return blocks;
}

function dataSizeBlocks(data: ReportData): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Data size and bootstrapping' },
    { kind: 'heading', level: 3, text: 'Table 4. F1-score (%) of each model on different training-set sizes' },
  ];
  if (data.dataSize && data.dataSize.length > 0) blocks.push(...markdownToBlocks(table4DataSize(data.dataSize)));
  else blocks.push({ kind: 'note', text: 'No data-size study in this run.' });
  blocks.push({ kind: 'heading', level: 3, text: 'Bootstrapping iterations' });
  const rows = data.bootstrap ?? [];
  // Without iterations the chart's note says so; a table of nothing would add only noise.
  if (rows.length > 0) {
    blocks.push({
      kind: 'table',
      table: {
        header: ['Iteration', 'Labelled', 'Added', 'Pool left', 'Dev F1 (%)', 'Added by class'],
        align: 'rrrrrl',
        rows: rows.map((r) =>
          [
            r.rolledBack ? `${r.iteration} (rolled back)` : String(r.iteration),
            String(r.labelled),
            String(r.added),
            String(r.poolLeft),
            r.devF1 === undefined ? '-' : percent(r.devF1),
            classMix(r.addedByClass),
          ].map(plain),
        ),
      },
    });
  }
  const choice = data.bootstrapChoice;
  if (choice) {
    blocks.push({
      kind: 'paragraph',
      text:
        `Iterations judged on ${choice.judgedOn}; stopped: ${choice.stopReason}. The graph is extracted by ` +
        `iteration ${choice.iteration} of ${choice.model}` +
        (choice.devMicroF1 === undefined ? '.' : ` (micro F1 ${percent(choice.devMicroF1)} % there).`),
    });
  }
  blocks.push({ kind: 'chart', chart: 'bootstrap' });
  return blocks;
}

/** "SAP 5, DAP 3": classes by count, most first, ties in code-point order; "-" when nothing was added. */
export function classMix(byClass: Record<string, number>): string {
  const entries = Object.entries(byClass).filter(([, n]) => n > 0);
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.length === 0 ? '-' : entries.map(([label, n]) => `${label} ${n}`).join(', ');
}

function emrBlocks(data: ReportData): Block[] {
  const heading: Block = {
    kind: 'heading',
    level: 2,
    text: 'Table 4 on real EMRs: relations in the annotated EMR test documents',
  };
  const emr = data.emr;
  if (!emr || emr.rows.length === 0)
    return [heading, { kind: 'note', text: 'No annotated EMR test documents in this run.' }];
  const blocks: Block[] = [
    heading,
    {
      kind: 'paragraph',
      text:
        `${emr.description}: ${emr.documents} documents; ${emr.lostRelations} gold relations that no window holds ` +
        'count as misses. Micro P/R/F1 over all relations (none/unknown excluded), the seed classifier and each ' +
        'bootstrapping iteration:',
    },
    ...markdownToBlocks(table5Models(emr.rows)),
    { kind: 'heading', level: 3, text: 'F1-score (%) per relation on the EMR test documents' },
    ...markdownToBlocks(table6PerClass(emr.rows)),
  ];
  const last = emr.rows[emr.rows.length - 1];
  blocks.push({ kind: 'heading', level: 3, text: `Per relation: ${last.model}` });
  blocks.push(...markdownToBlocks(metricsToMarkdown(last.report)));
  return blocks;
}

function calibrationBlocks(data: ReportData): Block[] {
  const heading: Block = { kind: 'heading', level: 2, text: 'Calibration of the scores (temperature scaling on dev)' };
  const rows = data.calibration ?? [];
  if (rows.length === 0) return [heading, { kind: 'note', text: 'No calibration in this run.' }];
  return [
    heading,
    {
      kind: 'paragraph',
      text:
        "Expected calibration error (ECE, 10 equal-width bins of the top label's score) and mean NLL of the gold " +
        'label on dev, before and after dividing the logits by the fitted temperature; the scores written to the ' +
        'predictions are the calibrated ones. The reliability diagram shows the last model of the table.',
    },
    {
      kind: 'table',
      table: {
        header: [
          'Model',
          'Dev candidates',
          'Temperature',
          'ECE before (%)',
          'ECE after (%)',
          'NLL before',
          'NLL after',
        ],
        align: 'lrrrrrr',
        rows: rows.map((r) =>
          [
            r.model,
            String(r.candidates),
            r.temperature.toFixed(3),
            percent(r.before.ece),
            percent(r.after.ece),
            r.before.nll.toFixed(4),
            r.after.nll.toFixed(4),
          ].map(plain),
        ),
      },
    },
    { kind: 'chart', chart: 'reliability' },
  ];
}

function depthBlocks(data: ReportData): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Figure 7. F1-score (%) of encoders at different depths' },
  ];
  const points = data.depth ?? [];
  if (points.length > 0) {
    const models = [...new Set(points.map((p) => p.model))];
    const depths = [...new Set(points.map((p) => p.depth))].sort((a, b) => a - b);
    blocks.push({
      kind: 'table',
      table: {
        header: ['Models', ...depths.map((d) => `depth ${d}`)],
        align: 'l' + 'r'.repeat(depths.length),
        rows: models.map((m) => [
          plain(m),
          ...depths.map((d) => {
            const p = points.find((x) => x.model === m && x.depth === d);
            return plain(p ? percent(p.f1) : '-');
          }),
        ]),
      },
    });
  }
  blocks.push({ kind: 'chart', chart: 'depth' });
  return blocks;
}

function trainingBlocks(data: ReportData): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Training loss' }];
  const curves = (data.losses ?? []).filter((c) => c.points.length > 0);
  if (curves.length > 0) {
    blocks.push({
      kind: 'table',
      table: {
        header: ['Model', 'Epochs', 'First loss', 'Final loss', 'Best dev F1 (%)'],
        align: 'lrrrr',
        rows: curves.map((c) => {
          const dev = c.points.map((p) => p.devF1).filter((f): f is number => f !== undefined && Number.isFinite(f));
          return [
            c.model,
            String(c.points.length),
            c.points[0].loss.toFixed(4),
            c.points[c.points.length - 1].loss.toFixed(4),
            dev.length === 0 ? '-' : percent(Math.max(...dev)),
          ].map(plain);
        }),
      },
    });
  }
  blocks.push({ kind: 'chart', chart: 'loss' });
  return blocks;
}

function nerBlocks(data: ReportData): Block[] {
  const heading: Block = { kind: 'heading', level: 2, text: 'Entity recognition on held-out EMRs' };
  const ner = data.ner;
  if (!ner) return [heading, { kind: 'note', text: 'No entity recogniser in this run.' }];
  const recognised =
    ner.entitiesRecognised === undefined
      ? ''
      : ` It recognised ${ner.entitiesRecognised} entities in the raw text of all the EMRs; the EMR relations and ` +
        'the knowledge graph below come from those entities, not from the gold ones.';
  return [
    heading,
    {
      kind: 'paragraph',
      text:
        `${ner.model}, ${ner.epochs} epochs, trained on ${ner.trainRecords} records and scored on ${ner.testRecords} ` +
        `held-out records (${ner.split}); strict matching (same start, end and type).${recognised}`,
    },
    ...markdownToBlocks(entityMetricsToMarkdown(ner.report)),
  ];
}

function knowledgeGraphBlocks(data: ReportData): Block[] {
  const heading: Block = { kind: 'heading', level: 2, text: 'Knowledge graph' };
  const kg = data.knowledgeGraph;
  if (!kg) return [heading, { kind: 'note', text: 'No knowledge graph in this run.' }];
  const blocks: Block[] = [heading, { kind: 'paragraph', text: `${kg.nodes} nodes, ${kg.edges} edges.` }];
  blocks.push(...graphThresholdBlocks(data));
  if (kg.topRelations.length > 0) {
    blocks.push({
      kind: 'table',
      table: {
        header: ['Relation', 'Edges'],
        align: 'lr',
        rows: kg.topRelations.map((r) => [plain(r.label), plain(String(r.edges))]),
      },
    });
  }
  return blocks;
}

/** The relation threshold of the graph: how it was chosen, the test documents' edge scores at it and at 0, the sweep. */
function graphThresholdBlocks(data: ReportData): Block[] {
  const g = data.graphThreshold;
  if (!g) return [];
  const at = g.sweep.find((s) => s.threshold === g.threshold);
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text:
        `Relations with a probability of at least ${g.threshold.toFixed(2)} make the graph (and the store): ` +
        (g.reached
          ? `the lowest threshold whose edge precision reaches ${percent(g.target)} % on ${g.chosenOn}`
          : `no threshold reached ${percent(g.target)} % edge precision on ${g.chosenOn}; this one has the highest`) +
        (at ? ` (${percent(at.precision)} %, ${at.edges} edges).` : '.'),
    },
  ];
  const row = (name: string, s: EdgeScore): TableCell[] =>
    [
      name,
      s.threshold.toFixed(2),
      String(s.edges),
      String(s.correct),
      String(s.gold),
      percent(s.precision),
      percent(s.recall),
      percent(s.f1),
    ].map(plain);
  const header = ['Documents', 'Threshold', 'Edges', 'Correct', 'Gold', 'Edge P (%)', 'Edge R (%)', 'F1 (%)'];
  const rows: TableCell[][] = [];
  if (g.test) rows.push(row(`test, at the threshold`, g.test.atThreshold), row('test, at 0', g.test.atZero));
  rows.push(...g.sweep.map((s) => row('dev', s)));
  blocks.push({ kind: 'table', table: { header, align: 'lrrrrrrr', rows } });
  if (g.test) blocks.push({ kind: 'note', text: `Test: ${g.test.description}.` });
  return blocks;
}

function graphStoreBlocks(data: ReportData): Block[] {
  const heading: Block = { kind: 'heading', level: 2, text: 'Graph store: top entities and answered questions' };
  const g = data.graphStore;
  if (!g) return [heading, { kind: 'note', text: 'No graph store in this run.' }];
  const blocks: Block[] = [
    heading,
    {
      kind: 'paragraph',
      text:
        `The embedded store (\`store/\`, \`emr-re kg stats --store\`) holds ${g.entities} entities, ${g.edges} edges ` +
        `with ${g.evidence} pieces of evidence from ${g.records} records (${g.triples} triples, ${g.bytes} bytes).`,
    },
  ];
  if (g.topEntities.length > 0) {
    blocks.push({ kind: 'paragraph', text: 'Most mentioned entities per type (distinct record and offset mentions):' });
    blocks.push({
      kind: 'table',
      table: {
        header: ['Type', 'Entities (mentions)'],
        align: 'll',
        rows: g.topEntities.map((t) => [
          plain(t.type),
          plain(t.entities.map((e) => `${e.name} ${e.mentions}`).join(', ') || '-'),
        ]),
      },
    });
  }
  if (g.questions.length > 0) {
    blocks.push({
      kind: 'paragraph',
      text:
        'Named questions about the most mentioned diseases (`emr-re kg ask QUERY DISEASE --store`); evidence counts ' +
        'mentions of the edge, or records for co-occurrence:',
    });
    blocks.push({
      kind: 'table',
      table: {
        header: ['Question', 'Answers', 'First answers (relation, evidence)'],
        align: 'lrl',
        rows: g.questions.map((q) => [
          plain(`${q.query} ${q.argument}`),
          plain(String(q.answers)),
          plain(q.top.map((a) => `${a.name} (${a.relation}, ${a.evidence})`).join(', ') || '-'),
        ]),
      },
    });
  }
  return blocks;
}

function detailBlocks(data: ReportData): Block[] {
  if (data.models.length === 0) return [];
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Per-model details' }];
  for (const m of data.models) {
    blocks.push({ kind: 'heading', level: 3, text: m.model });
    blocks.push(...markdownToBlocks(metricsToMarkdown(m.report)));
  }
  return blocks;
}
