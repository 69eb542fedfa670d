/** @emr-re/metrics: precision, recall and F1 per relation and overall, confusion matrices, paper-shaped tables. */
export type { PRF, ClassMetrics, ConfusionMatrix, MetricsReport, ScoreOptions, LabelPair } from './report';
export { MetricsAccumulator, scorePairs, prfFromCounts } from './report';
export type { Span, RecordPair, PairRecordsOptions } from './pairing';
export { pairRecords } from './pairing';
export type { MetricsJSON, TableOptions, MarkdownOptions } from './format';
export { metricsToJSON, metricsToMarkdown, table4DataSize, table5Models, table6PerClass } from './format';
