import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmrReError } from './errors';

/** An output path that emr-re will not write: an input, a user's file or folder, or an unwritable place. */
export class OutputPathError extends EmrReError {
  /** The path at fault. */
  readonly path: string;
  constructor(file: string, reason: string) {
    super('OUTPUT_PATH', `${file}: ${reason}`);
    this.path = file;
  }
}

/** What a command is about to write, and how to recognise an earlier output of its own there. */
export interface OutputSpec {
  /** The path as resolved against the working directory. */
  path: string;
  /** The flag that named it, for messages (e.g. `--out`). */
  flag: string;
  /** A single file, or a directory that emr-re fills. */
  kind: 'file' | 'directory';
  /** What emr-re writes there, for messages: `a model directory`, `a predictions file`. */
  what: string;
  /** True when the existing path is an earlier output of this kind written by emr-re. */
  isOwn: (existing: string) => Promise<boolean>;
}

/** An input of the same command: an output may never be one of them, nor contain one. */
export interface InputPath {
  flag: string;
  path: string;
}

/** Options of `checkOutputPath`. */
export interface OutputCheckOptions {
  /** The command's inputs. */
  inputs?: InputPath[];
  /** The user asked to replace an earlier emr-re output (`--force`); never permits anything else. */
  force?: boolean;
}

/** What `checkOutputPath` found at the output path. */
export type OutputState = 'new' | 'empty' | 'replace-own';

async function realOrResolved(file: string): Promise<string> {
  const resolved = path.resolve(file);
  try {
    return await fs.promises.realpath(resolved);
  } catch {
    // A path that does not exist yet: resolve its nearest existing ancestor, keep the rest.
    const parent = path.dirname(resolved);
    if (parent === resolved) return resolved;
    return path.join(await realOrResolved(parent), path.basename(resolved));
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The nearest ancestor of `file` that exists (for a path whose parents will be created). */
async function nearestExisting(file: string): Promise<{ dir: string; info: fs.Stats }> {
  let dir = path.dirname(file);
  for (;;) {
    const info = await fs.promises.stat(dir).catch(() => undefined);
    if (info !== undefined) return { dir, info };
    const up = path.dirname(dir);
    if (up === dir) throw new OutputPathError(file, 'no part of this path exists');
    dir = up;
  }
}

/**
 * Checks, before any work starts, that `spec.path` may be written: it is not one of the inputs (nor a directory
 * holding one), its folder is (or can be made) a writable directory, and whatever is there already is either
 * nothing, an empty file or directory, or an earlier emr-re output of the same kind that the user asked to replace
 * (`force`). A user's own file or folder is never replaced, with or without `force`.
 * @throws OutputPathError with one line saying why and what to do.
 */
export async function checkOutputPath(spec: OutputSpec, options: OutputCheckOptions = {}): Promise<OutputState> {
  const target = path.resolve(spec.path);
  const real = await realOrResolved(target);
  for (const input of options.inputs ?? []) {
    const inputReal = await realOrResolved(input.path);
    if (inputReal === real)
      throw new OutputPathError(target, `${spec.flag} names the ${input.flag} input; choose another output path`);
    if (isInside(inputReal, real))
      throw new OutputPathError(target, `${spec.flag} contains the ${input.flag} input; choose another output path`);
  }
  const info = await fs.promises.lstat(target).catch(() => undefined);
  const { dir: parent, info: parentInfo } = await nearestExisting(target);
  if (!parentInfo.isDirectory()) throw new OutputPathError(target, `${parent} is not a directory`);
  // A file goes into an existing folder (a typo should not grow a tree); a directory output creates its parents.
  if (spec.kind === 'file' && parent !== path.dirname(target))
    throw new OutputPathError(target, `directory ${path.dirname(target)} does not exist`);
  try {
    await fs.promises.access(parent, fs.constants.W_OK);
  } catch {
    throw new OutputPathError(target, `cannot write in ${parent} (permission denied)`);
  }
  if (info === undefined) return 'new';
  if (info.isSymbolicLink())
    throw new OutputPathError(
      target,
      `${spec.flag} is a symbolic link; emr-re does not replace links (choose another path)`,
    );
  if (spec.kind === 'file' && info.isDirectory())
    throw new OutputPathError(target, `${spec.flag} is a directory; give the path of ${spec.what}`);
  if (spec.kind === 'directory' && !info.isDirectory())
    throw new OutputPathError(target, `${spec.flag} is an existing file, not ${spec.what}; not replaced`);
  // An empty file or folder holds nothing to lose.
  if (info.isDirectory() ? (await fs.promises.readdir(target)).length === 0 : info.size === 0) return 'empty';
  if (!(await spec.isOwn(target))) {
    throw new OutputPathError(
      target,
      `exists and is not ${spec.what} written by emr-re; it is left as it is (choose another ${spec.flag} path)`,
    );
  }
  if (!options.force)
    throw new OutputPathError(target, `already holds ${spec.what} written by emr-re; pass --force to replace it`);
  try {
    await fs.promises.access(target, fs.constants.W_OK);
  } catch {
    throw new OutputPathError(target, 'cannot be replaced (permission denied)');
  }
  return 'replace-own';
}

/** True when the first non-empty line of `file` satisfies `test` (reads at most `maxBytes`). */
export async function firstLineMatches(
  file: string,
  test: (line: string) => boolean,
  maxBytes = 1 << 20,
): Promise<boolean> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, 'r');
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\ufeff/, '');
    const line = text.split('\n').find((l) => l.trim() !== '');
    return line !== undefined && test(line.replace(/\r$/, ''));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
