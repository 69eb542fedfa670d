import type { ProgressEvent } from '@emr-re/tokenize';

/** What a command may touch of the outside world; tests pass fakes. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal: progress is drawn as a bar, otherwise as plain lines. */
  isTTY: boolean;
  /** Working directory against which relative paths are resolved. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A CLI command: takes its own argv (after the command name), returns the exit code. */
export type CommandRun = (argv: string[], io: CliIO) => Promise<number>;

/** The IO of the real process. */
export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

/**
 * Renders progress events on stderr: a redrawn bar on a TTY, one plain line per event otherwise
 * (throttled to one line a second per phase, plus the final event of each phase).
 */
export function progressRenderer(io: CliIO, quiet = false): (e: ProgressEvent) => void {
  const lastPrinted = new Map<string, number>();
  return (e) => {
    if (quiet) return;
    const now = Date.now();
    const finished = e.total !== undefined && e.done >= e.total;
    const last = lastPrinted.get(e.phase) ?? 0;
    if (!finished && now - last < (io.isTTY ? 100 : 1000)) return;
    lastPrinted.set(e.phase, now);
    const values = Object.entries(e.values ?? {})
      .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
      .join(' ');
    const msg = e.message ? ` ${e.message}` : '';
    if (io.isTTY && e.total !== undefined && e.total > 0) {
      const width = 24;
      const filled = Math.min(width, Math.round((e.done / e.total) * width));
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      io.stderr(`\r${e.phase} [${bar}] ${e.done}/${e.total} ${values}${msg}\x1b[K${finished ? '\n' : ''}`);
    } else {
      io.stderr(`${e.phase} ${e.done}${e.total !== undefined ? `/${e.total}` : ''} ${values}${msg}\n`);
    }
  };
}
