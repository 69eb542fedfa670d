/** Raised inside a run when its signal fires; `runBootstrap` turns it into the stop reason `'aborted'`. */
export class AbortedRun extends Error {}

/** Throws `AbortedRun` once `signal` has fired: the loop calls it between steps. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedRun();
}
