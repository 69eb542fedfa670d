/** @emr-re/cli: the `emr-re` command line, also callable in-process. */
export { main, COMMANDS, USAGE } from './cli';
export type { CliIO, CommandRun, ProgressRendererOptions } from './io';
export { processIO, progressRenderer } from './io';
/** The knowledge graph of `emr-re export-kg`, now in `@emr-re/kg`: re-exported so existing imports keep working. */
export type { KgEdge, KgFormat, KgNode, KgProvenance, KnowledgeGraph } from '@emr-re/kg';
export { KnowledgeGraphBuilder, graphToJsonl, graphToNTriples, graphToNeo4jCsv, normaliseMention } from '@emr-re/kg';
export { loadPipeline } from './pipeline';
export type { Pipeline, PipelineDirectories, PipelineOptions } from './pipeline';
