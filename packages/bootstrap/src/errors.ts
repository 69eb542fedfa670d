import { EmrReError } from '@emr-re/tokenize';

/** Bootstrap options that cannot work together or are out of range (e.g. `lambda` outside [0, 1)). */
export class BootstrapOptionError extends EmrReError {
  /** The option at fault, e.g. "perIteration". */
  readonly option: string;
  constructor(option: string, reason: string) {
    super('BOOTSTRAP_OPTIONS', `bootstrap option ${option}: ${reason}`);
    this.option = option;
  }
}

/**
 * A run directory that cannot be started or resumed as asked: it already holds a run and `resume` was not
 * set, or it was started with a different seed set, pool or options.
 */
export class RunDirectoryError extends EmrReError {
  /** The run directory. */
  readonly dir: string;
  constructor(dir: string, reason: string) {
    super('RUN_DIRECTORY', `${dir}: ${reason}`);
    this.dir = dir;
  }
}
