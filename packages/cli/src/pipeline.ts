// The pipeline moved to @emr-re/queue, where its worker threads load it too; the CLI keeps importing it from here.
export { loadPipeline } from '@emr-re/queue';
export type { Pipeline, PipelineDirectories, PipelineOptions } from '@emr-re/queue';
