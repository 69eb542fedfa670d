/** @emr-re/cli: the `emr-re` command line, also callable in-process. */
export { main, COMMANDS, USAGE } from './cli';
export type { CliIO, CommandRun, ProgressRendererOptions } from './io';
export { processIO, progressRenderer } from './io';
export * from './kg';
