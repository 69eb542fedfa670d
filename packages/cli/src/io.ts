import type { GenericBar, Options as BarOptions } from 'cli-progress';
import { UsageError, type ProgressEvent } from '@emr-re/tokenize';

/** What a command may touch of the outside world; tests pass fakes. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal: progress is drawn as a bar, otherwise as plain lines. */
  isTTY: boolean;
  /** Width of the stderr terminal in characters, when known; progress bars are cut to it (default 80). */
  columns?: number;
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
    // a getter: the terminal may be resized while a command runs
    get columns() {
      return process.stderr.columns;
    },
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Options of `progressRenderer`. */
export interface ProgressRendererOptions {
  /**
   * When stderr is not a terminal: the least number of seconds between two plain lines of one phase
   * (default 1; e.g. 10 for long runs whose log is kept). The final line of a phase is always printed.
   */
  intervalSeconds?: number;
  /** When stderr is a terminal: the least number of seconds between two redraws of a phase's bar (default 0.1). */
  redrawSeconds?: number;
  /** Clock in milliseconds for throttling, rate and ETA (default `Date.now`); tests pass a fake one. */
  now?: () => number;
}

// The bar is drawn by cli-progress's generic bar, the element its SingleBar and MultiBar are made of: it
// draws only when asked. SingleBar and MultiBar redraw from their own timer until stop(), which a phase
// that ends short of its total (early stopping, an error) never reaches: the timer would keep the process
// alive. cli-progress's main module does not export these two, hence the paths (pinned version).
const GenericBarClass = require('cli-progress/lib/generic-bar') as new (options: object) => GenericBar;
const barOptions = require('cli-progress/lib/options') as {
  parse(options: Omit<BarOptions, 'stream'> & { stream: ProgressStream }): object;
};

/** The part of a TTY write stream that cli-progress uses; `readline` writes its cursor moves with `write`. */
interface ProgressStream {
  readonly isTTY: boolean;
  readonly columns: number | undefined;
  write(chunk: string): boolean;
}

/** A stream that writes to `io.stderr` only and reports the terminal of `io`. */
function stderrStream(io: CliIO): ProgressStream {
  return {
    get isTTY() {
      return io.isTTY;
    },
    get columns() {
      return io.columns;
    },
    write(chunk: string) {
      io.stderr(chunk);
      return true;
    },
  };
}

/** `s` seconds as `42s`, `3m05s` or `2h07m`. */
function formatDuration(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

function formatRate(perSecond: number): string {
  const digits = perSecond >= 100 ? 0 : perSecond >= 10 ? 1 : 2;
  return `${perSecond.toFixed(digits)}/s`;
}

/** One run of a phase: from its first event to its final one, or until `done` goes back (a new run). */
interface PhaseRun {
  startedAt: number;
  startDone: number;
  done: number;
  finished: boolean;
  bar?: GenericBar;
}

/**
 * Renders progress events on stderr (through `io.stderr` only). Each phase shows its done/total, its rate
 * (units/s, from `done` and the time since the phase's first event), its ETA when `total` is known, then
 * the event's values and message.
 * - On a terminal (`io.isTTY`): a cli-progress bar on one redrawn line, at most every `redrawSeconds` per
 *   phase; the final event of a phase (`done ≥ total`) ends the line.
 * - Otherwise: one plain line at most every `intervalSeconds` per phase, plus the final line of each phase
 *   (with the time the phase took).
 * A phase whose `done` goes back starts a new run (rate and ETA start over). `quiet` prints nothing.
 * @throws UsageError when an interval is negative or not finite.
 */
export function progressRenderer(
  io: CliIO,
  quiet = false,
  options: ProgressRendererOptions = {},
): (e: ProgressEvent) => void {
  const intervalSeconds = options.intervalSeconds ?? 1;
  const redrawSeconds = options.redrawSeconds ?? 0.1;
  for (const [name, value] of [
    ['intervalSeconds', intervalSeconds],
    ['redrawSeconds', redrawSeconds],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new UsageError(`progress ${name} must be a finite number ≥ 0, got ${value}`);
    }
  }
  if (quiet) return () => {};
  const now = options.now ?? Date.now;
  const stream = stderrStream(io);
  const runs = new Map<string, PhaseRun>();
  const lastShown = new Map<string, number>();

  return (e) => {
    const t = now();
    let run = runs.get(e.phase);
    if (!run || run.finished || e.done < run.done) {
      run?.bar?.stop();
      run = { startedAt: t, startDone: e.done, done: e.done, finished: false };
      runs.set(e.phase, run);
    }
    run.done = e.done;
    const known = e.total !== undefined;
    run.finished = known && e.done >= e.total!;
    const last = lastShown.get(e.phase);
    const minGap = (io.isTTY ? redrawSeconds : intervalSeconds) * 1000;
    if (!run.finished && last !== undefined && t - last < minGap) return;
    lastShown.set(e.phase, t);

    const seconds = (t - run.startedAt) / 1000;
    const rate = seconds > 0 ? (e.done - run.startDone) / seconds : undefined;
    const stats: string[] = [];
    if (rate !== undefined) stats.push(formatRate(rate));
    if (run.finished) stats.push(`in ${formatDuration(seconds)}`);
    else if (known && rate !== undefined && rate > 0) stats.push(`ETA ${formatDuration((e.total! - e.done) / rate)}`);
    for (const [k, v] of Object.entries(e.values ?? {})) stats.push(`${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`);
    if (e.message) stats.push(e.message);
    const tail = stats.map((s) => ` ${s}`).join('');

    if (!io.isTTY) {
      const count = known
        ? `${e.done}/${e.total}${e.total! > 0 ? ` (${Math.floor(Math.min(1, e.done / e.total!) * 100)}%)` : ''}`
        : `${e.done}`;
      io.stderr(`${e.phase} ${count}${tail}\n`);
      return;
    }
    if (!run.bar) {
      run.bar = new GenericBarClass(
        barOptions.parse({
          stream,
          format: known ? '{phase} [{bar}] {percentage}% {value}/{total}{tail}' : '{phase} {value}{tail}',
          barsize: 24,
          barCompleteChar: '#',
          barIncompleteChar: '-',
        }),
      );
      run.bar.start(e.total ?? 0, e.done, { phase: e.phase, tail });
    }
    if (known) run.bar.setTotal(e.total!);
    run.bar.update(e.done, { tail });
    // forced: another phase may have drawn over this line since
    run.bar.render(true);
    if (run.finished) {
      run.bar.stop();
      io.stderr('\n');
    }
  };
}
