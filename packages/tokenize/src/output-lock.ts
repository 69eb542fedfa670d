import * as fs from 'node:fs';
import * as os from 'node:os';
import { OutputPathError } from './output-path';
import { processAlive } from './temporary-files';

/** The content of `<output>.lock`: who is writing the output. */
export interface OutputLockInfo {
  kind: 'emr-re-lock';
  pid: number;
  host: string;
  /** The command that holds it, e.g. `train`. */
  command: string;
  /** ISO time it was taken. */
  since: string;
}

/** A held lock; `release()` removes the lock file (idempotent). */
export interface OutputLock {
  readonly file: string;
  release(): void;
}

/** What `acquireOutputLock` reports besides the lock. */
export interface AcquireOptions {
  /** The command taking the lock, recorded in the file. */
  command: string;
  /** Told when a stale lock (its process is gone) was taken over. */
  onStale?: (info: OutputLockInfo) => void;
}

/**
 * The output is locked by a live process (this one included, or one on another host): a subclass of
 * `OutputPathError` with the same message, so a caller that can wait (a queue worker adding to a shared store)
 * tells it from the other path errors and tries again later.
 */
export class OutputLockedError extends OutputPathError {
  /** Who holds the lock. */
  readonly holder: OutputLockInfo;
  constructor(output: string, reason: string, holder: OutputLockInfo) {
    super(output, reason);
    this.holder = holder;
  }
}

const held = new Map<string, OutputLock>();

function readLock(file: string): OutputLockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<OutputLockInfo>;
    if (info.kind !== 'emr-re-lock' || !Number.isInteger(info.pid) || typeof info.host !== 'string') return undefined;
    return info as OutputLockInfo;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of an output that a command writes for a long time: `<output>.lock`, created exclusively and
 * holding the pid. A lock whose process is gone (same host) is stale and taken over; a live one, or a file of
 * that name that emr-re did not write, is an `OutputPathError` (an `OutputLockedError` for a live lock). Release it with `release()`; locks still held
 * when the process is interrupted are removed by `releaseAllLocks()`.
 */
export function acquireOutputLock(output: string, options: AcquireOptions): OutputLock {
  const file = `${output}.lock`;
  const info: OutputLockInfo = {
    kind: 'emr-re-lock',
    pid: process.pid,
    host: os.hostname(),
    command: options.command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info) + '\n', { flag: 'wx' });
      const lock: OutputLock = {
        file,
        release: () => {
          if (!held.has(file)) return;
          held.delete(file);
          fs.rmSync(file, { force: true });
        },
      };
      held.set(file, lock);
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OutputPathError(
          file,
          `cannot create the lock file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
    const other = readLock(file);
    if (other === undefined)
      throw new OutputPathError(
        file,
        'exists and is not an emr-re lock file; not touched (remove it or choose another path)',
      );
    if (other.host !== info.host || processAlive(other.pid)) {
      throw new OutputLockedError(
        output,
        `is being written by another emr-re ${other.command} (pid ${other.pid} on ${other.host}, since ${other.since}); ` +
          `wait for it, or remove ${file} if that process is gone`,
        other,
      );
    }
    fs.rmSync(file, { force: true });
    options.onStale?.(other);
  }
  throw new OutputPathError(file, 'another process keeps taking this lock');
}

/** Releases every lock this process holds (for SIGINT/SIGTERM handlers). Returns how many were released. */
export function releaseAllLocks(): number {
  const locks = [...held.values()];
  for (const lock of locks) lock.release();
  return locks.length;
}
