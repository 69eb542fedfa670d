/** The run report of the train-ccks example: paper-shaped tables in Markdown, and HTML with inline SVG charts. */
export type {
  ReportData,
  RunInfo,
  StageTime,
  EmbeddingStats,
  NeighbourList,
  ModelResult,
  DataSizeRow,
  DepthPoint,
  LossPoint,
  LossCurve,
  BootstrapChoice,
  BootstrapRow,
  EdgeScore,
  GraphThresholdChoice,
  GraphThresholdSummary,
  RelationCount,
  KnowledgeGraphSummary,
  NerSummary,
  TopEntityGroup,
  GraphQuestion,
  GraphStoreSummary,
  ReliabilityBinData,
  CalibrationResult,
  EmrEvaluation,
} from './types';
export { REPORT_DATA_VERSION } from './types';
export type { ChartName } from './document';
export { renderMarkdown } from './markdown';
export { renderHtml } from './html';
export type { ReportFiles } from './write';
export { writeReport } from './write';
