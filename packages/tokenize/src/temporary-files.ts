import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * The temporary files and directories that emr-re's atomic writers create beside a target, named so that emr-re
 * (and only emr-re) recognises them later: `.<target name>.<pid>.<time>.<nonce>.tmp` (being written) or `.old`
 * (a previous version moved aside). The pid says whether the writer is still alive; a stale one is removable.
 */

/** The parts of a temporary name written by `temporaryPathFor`. */
export interface TemporaryName {
  /** The file name of the target it belongs to. */
  target: string;
  /** The process that created it. */
  pid: number;
  /** `tmp`: a new version being written; `old`: the previous version moved aside during a directory swap. */
  kind: 'tmp' | 'old';
}

const TEMPORARY_NAME = /^\.(.+)\.(\d+)\.([0-9a-z]+)\.([0-9a-z]+)\.(tmp|old)$/;

/** A fresh temporary path beside `target` (same folder, so a rename is atomic). */
export function temporaryPathFor(target: string, kind: 'tmp' | 'old' = 'tmp'): string {
  const nonce = `${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8) || '0'}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${nonce}.${kind}`);
}

/** Parses a file name made by `temporaryPathFor`; undefined for any other name. */
export function parseTemporaryName(name: string): TemporaryName | undefined {
  const m = TEMPORARY_NAME.exec(name);
  if (m === null) return undefined;
  return { target: m[1], pid: Number(m[2]), kind: m[5] as 'tmp' | 'old' };
}

/** True while process `pid` exists on this machine (a process we may not signal still counts as alive). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const live = new Set<string>();

/** Records a temporary path as being written by this process, so `removeLiveTemporaries` can clean it up. */
export function trackTemporary(file: string): void {
  live.add(file);
}

/** Forgets a temporary path once it was renamed into place or removed. */
export function untrackTemporary(file: string): void {
  live.delete(file);
}

/**
 * Removes, synchronously, every temporary file or directory this process is writing (for SIGINT/SIGTERM
 * handlers: an interrupted write must not leave patient data behind). Returns how many were removed.
 */
export function removeLiveTemporaries(): number {
  let removed = 0;
  for (const file of live) {
    try {
      fs.rmSync(file, { recursive: true, force: true });
      removed++;
    } catch {
      // best effort: the process is exiting
    }
  }
  live.clear();
  return removed;
}

/**
 * Removes the temporaries that an emr-re process which no longer runs left beside `target` (killed during a
 * write). A moved-aside `.old` directory is kept while `target` itself is missing: it is then the only complete
 * copy (see `movedAsideDirectory`). Returns their names (emr-re's own temporaries, never record text).
 */
export async function removeStaleTemporaries(target: string): Promise<string[]> {
  const dir = path.dirname(path.resolve(target));
  const base = path.basename(target);
  let entries: string[];
  try {
    entries = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const targetExists = entries.includes(base);
  const removed: string[] = [];
  for (const entry of entries) {
    const parsed = parseTemporaryName(entry);
    if (parsed === undefined || parsed.target !== base || processAlive(parsed.pid)) continue;
    if (parsed.kind === 'old' && !targetExists) continue;
    await fs.promises.rm(path.join(dir, entry), { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

/** The most recent `.old` directory a swap of `target` left behind (a crash between its two renames). */
export async function movedAsideDirectory(target: string): Promise<string | undefined> {
  const dir = path.dirname(path.resolve(target));
  const base = path.basename(target);
  let entries: string[];
  try {
    entries = await fs.promises.readdir(dir);
  } catch {
    return undefined;
  }
  let best: { file: string; mtime: number } | undefined;
  for (const entry of entries) {
    const parsed = parseTemporaryName(entry);
    if (parsed === undefined || parsed.target !== base || parsed.kind !== 'old') continue;
    const file = path.join(dir, entry);
    const info = await fs.promises.stat(file).catch(() => undefined);
    if (info?.isDirectory() && (best === undefined || info.mtimeMs > best.mtime)) best = { file, mtime: info.mtimeMs };
  }
  return best?.file;
}
