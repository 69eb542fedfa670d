import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';
import { UsageError } from '@emr-re/tokenize';
import type { CliIO, CommandRun } from './io';

/** The flag table of a command, as `node:util` `parseArgs` takes it (without `--help`, which every command has). */
export type FlagTable = NonNullable<ParseArgsConfig['options']>;

/** The parsed values of a flag table. */
export type FlagValues<F extends FlagTable> = ReturnType<
  typeof parseArgs<{ args: string[]; options: F; strict: true; allowPositionals: true }>
>['values'];

/** How a command is defined: its help text, its flags, the flags it requires, and what it does. */
export interface CommandDefinition<F extends FlagTable, R extends keyof F & string = never> {
  /** The help text `--help` prints on stdout. */
  help: string;
  /** Every flag but `--help`/`-h`. */
  flags: F;
  /** Flags that must be given, each with the line saying so (e.g. `['out', '--out DIR is required']`). */
  required?: ReadonlyArray<readonly [R, string]>;
  /** Whether bare arguments are accepted (they are passed to `run`); default no. */
  positionals?: boolean;
  /** The command itself, with parsed flags; returns the exit code. */
  run: (values: FlagValues<F> & { [K in R]: string }, io: CliIO, positionals: string[]) => Promise<number>;
}

/**
 * The one way to define an `emr-re` command: parses the flags (unknown flags, missing values and negative numbers
 * become one-line usage errors), answers `--help`, checks the required flags, then runs.
 */
export function defineCommand<F extends FlagTable, R extends keyof F & string = never>(
  definition: CommandDefinition<F, R>,
): CommandRun {
  const options = { ...definition.flags, help: { type: 'boolean', short: 'h', default: false } } as F;
  return async (argv, io) => {
    let parsed: { values: FlagValues<F>; positionals: string[] };
    try {
      parsed = parseArgs({
        args: joinNegativeValues(argv, options),
        options,
        strict: true,
        allowPositionals: true,
      }) as { values: FlagValues<F>; positionals: string[] };
    } catch (err) {
      throw new UsageError((err as Error).message.split('\n')[0]);
    }
    if ((parsed.values as { help?: boolean }).help) {
      io.stdout(definition.help.endsWith('\n') ? definition.help : definition.help + '\n');
      return 0;
    }
    if (!definition.positionals && parsed.positionals.length > 0)
      throw new UsageError(`unexpected argument '${parsed.positionals[0]}' (flags start with --)`);
    for (const [flag, message] of definition.required ?? []) {
      const value = (parsed.values as Record<string, unknown>)[flag];
      if (value === undefined || value === '' || value === false) throw new UsageError(message);
    }
    return definition.run(parsed.values as FlagValues<F> & { [K in R]: string }, io, parsed.positionals);
  };
}

/**
 * `--epochs -3` reaches `parseArgs` as `--epochs=-3`, so the flag's own check can say what is wrong with the
 * value (parseArgs would call it an ambiguous argument).
 */
export function joinNegativeValues(argv: string[], options: FlagTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options?.[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
