/** `--workers N` of `emr-re extract` and `emr-re predict`: threads running the models. */
import * as os from 'node:os';
import { UsageError } from '@emr-re/tokenize';

/** The cores this process may use (`os.availableParallelism`), the default of `--workers`. */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** `--workers N`: a positive integer, default the available cores; 1 runs the models in the process itself. */
export function workersArgument(value: string | undefined): number {
  if (value === undefined) return availableCores();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--workers must be a positive integer, got '${value}'`);
  return n;
}
