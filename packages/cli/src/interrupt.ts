import { releaseAllLocks, removeLiveTemporaries } from '@emr-re/tokenize';

/*
 * SIGINT/SIGTERM for the `emr-re` process. A command that can stop cleanly (train: finish the batch, keep the
 * checkpoint) registers a graceful handler; otherwise, or on a second signal, the process removes the temporary
 * files it was writing (they hold patient data), releases its output locks and exits 130 (SIGINT) / 143 (SIGTERM).
 * Nothing is installed on import: the `emr-re` binary calls `installInterruptHandlers` for its own process.
 */

let graceful: ((signal: NodeJS.Signals) => void) | undefined;

/**
 * Lets the running command handle the first interrupt itself (it must then finish soon and return). Returns the
 * function that unregisters it.
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  graceful = handler;
  return () => {
    if (graceful === handler) graceful = undefined;
  };
}

/** Removes this process's temporaries and locks, synchronously. Returns the number of temporaries removed. */
export function cleanUpAfterInterrupt(): number {
  const removed = removeLiveTemporaries();
  releaseAllLocks();
  return removed;
}

/** Installs the SIGINT/SIGTERM handlers of the `emr-re` process; `write` receives the one-line notices. */
export function installInterruptHandlers(write: (line: string) => void): void {
  let interrupts = 0;
  const handle = (signal: NodeJS.Signals): void => {
    interrupts++;
    const handler = graceful;
    if (handler !== undefined && interrupts === 1) {
      handler(signal);
      return;
    }
    const removed = cleanUpAfterInterrupt();
    write(
      `emr-re: interrupted (${signal})${removed > 0 ? `; removed ${removed} unfinished temporary file${removed === 1 ? '' : 's'}` : ''}\n`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/**
 * Says on stderr where an interrupted training run stands — its last completed epoch kept in `checkpointDir` (when
 * `kept`), or nothing to resume — and returns the exit code of an interrupt (130).
 */
export function reportInterruptedTraining(
  io: { stderr: (text: string) => void },
  command: string,
  reason: string,
  checkpointDir: string,
  kept: boolean,
): number {
  io.stderr(
    kept
      ? `emr-re ${command}: interrupted (${reason}); the last completed epoch is kept in ${checkpointDir}: run the same command with --resume to continue\n`
      : `emr-re ${command}: interrupted (${reason}) before the first epoch completed; nothing to resume, nothing written\n`,
  );
  return 130;
}
