/** @emr-re/metrics: P/R/F1 of relations, entities and end-to-end triples, confusion matrices, paper-shaped tables. */
export type { PRF, ClassMetrics, ConfusionMatrix, MetricsReport, ScoreOptions, LabelPair } from './report';
export { MetricsAccumulator, scorePairs, prfFromCounts } from './report';
export type { Span, RecordPair, PairRecordsOptions } from './pairing';
export { pairRecords } from './pairing';
export type { TableOptions } from './table';
export type { MetricsJSON, MarkdownOptions } from './format';
export { metricsToJSON, metricsToMarkdown, table4DataSize, table5Models, table6PerClass } from './format';
export type { EntityTypeMetrics, EntityMetricsReport, EntityScoreOptions, EntityMetricsJSON } from './entities';
export { scoreEntities, entityMetricsToJSON, entityMetricsToMarkdown } from './entities';
export type { TripleMatch, TripleScoreOptions, TripleMetricsReport, TripleMetricsJSON } from './triples';
export { TRIPLE_MATCHES, scoreTriples, tripleMetricsToJSON, tripleMetricsToMarkdown } from './triples';
export type { ReliabilityBin, CalibrationReport } from './calibration';
export { calibrationReport } from './calibration';
