import { main } from '../cli';
import type { CliIO } from '../io';

/** What one in-process CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `emr-re ARGS` in this process with `cwd` as its working directory, no TTY and an empty environment. */
export async function runCli(args: string[], cwd: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    cwd,
    env: {},
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
