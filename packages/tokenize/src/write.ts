import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBratAnnotation } from './brat';
import { CorpusFormatError } from './errors';
import { OutputPathError } from './output-path';
import { formatRecordLine } from './records';
import { movedAsideDirectory, temporaryPathFor, trackTemporary, untrackTemporary } from './temporary-files';
import type { EmrRecord } from './types';

/** A fresh tracked temporary path beside `target` (removed by `removeLiveTemporaries` on a signal). */
function trackedTemporary(target: string): string {
  const temp = temporaryPathFor(target);
  trackTemporary(temp);
  return temp;
}

/**
 * Writes `data` to `file` atomically: a temporary file in the same folder, flushed to disk, then renamed over
 * `file`, so a reader (or a crash) sees the old file or the new one, never half of one. `data` may be streamed as
 * pieces (any iterable of strings or bytes), so a large file is never held whole.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  const temp = trackedTemporary(file);
  try {
    const handle = await fs.promises.open(temp, 'w');
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      else for await (const piece of data) await handle.writeFile(piece);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw err;
  } finally {
    untrackTemporary(temp);
  }
}

/** Options of `replaceDirectoryAtomic`. */
export interface ReplaceDirectoryOptions {
  /**
   * Whether an existing, non-empty `dir` may be replaced: true only for what emr-re itself wrote there (a model
   * directory with its manifest, say). Default: only an empty directory is replaced.
   */
  canReplace?: (dir: string) => Promise<boolean>;
}

/**
 * Fills a fresh temporary directory beside `dir` with `fill`, then swaps it into place: an existing `dir` is
 * moved aside to a hidden `.old` name and deleted only after the new one is in place, so a crash leaves either
 * the old or the new directory complete (see `existingDirectory`). An existing `dir` that is a file, or a
 * non-empty directory that `canReplace` does not accept, is never touched: `OutputPathError`.
 */
export async function replaceDirectoryAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
  options: ReplaceDirectoryOptions = {},
): Promise<void> {
  const target = path.resolve(dir);
  await refuseForeignDirectory(target, options.canReplace);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const temp = trackedTemporary(target);
  try {
    await fs.promises.mkdir(temp);
    try {
      await fill(temp);
    } catch (err) {
      await fs.promises.rm(temp, { recursive: true, force: true });
      throw err;
    }
    // Checked again: the target may have appeared while `fill` ran.
    await refuseForeignDirectory(target, options.canReplace);
    // Not tracked: if the process dies between the two renames, this is the only complete copy.
    const old = temporaryPathFor(target, 'old');
    let hadOld = false;
    try {
      await fs.promises.rename(target, old);
      hadOld = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await fs.promises.rename(temp, target);
    if (hadOld) await fs.promises.rm(old, { recursive: true, force: true });
  } finally {
    untrackTemporary(temp);
  }
}

async function refuseForeignDirectory(target: string, canReplace?: (dir: string) => Promise<boolean>): Promise<void> {
  const info = await fs.promises.stat(target).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isDirectory()) throw new OutputPathError(target, 'is a file, not a directory emr-re wrote; not replaced');
  if ((await fs.promises.readdir(target)).length === 0) return;
  if (canReplace === undefined || !(await canReplace(target))) {
    throw new OutputPathError(
      target,
      'holds files that emr-re did not write there; not replaced (choose another path)',
    );
  }
}

/** `dir` if it exists, else the directory a crash inside `replaceDirectoryAtomic` left moved aside, else undefined. */
export async function existingDirectory(dir: string): Promise<string | undefined> {
  const info = await fs.promises.stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return dir;
  return movedAsideDirectory(dir);
}

/** Synchronous `writeFileAtomic`. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = trackedTemporary(file);
  try {
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  } finally {
    untrackTemporary(temp);
  }
}

const FLUSH_BYTES = 1 << 16;

/**
 * Writes records as canonical JSONL (one `formatRecordLine` a line), streaming them into a temporary file
 * that is renamed over `file` only when every record was written. Returns the number of records written.
 */
export async function writeJsonl(
  file: string,
  records: Iterable<EmrRecord> | AsyncIterable<EmrRecord>,
): Promise<number> {
  const temp = trackedTemporary(file);
  const handle = await fs.promises.open(temp, 'w');
  let count = 0;
  try {
    let buffer: string[] = [];
    let size = 0;
    for await (const record of records) {
      const line = formatRecordLine(record) + '\n';
      buffer.push(line);
      size += line.length;
      count++;
      if (size >= FLUSH_BYTES) {
        await handle.writeFile(buffer.join(''));
        buffer = [];
        size = 0;
      }
    }
    if (buffer.length) await handle.writeFile(buffer.join(''));
    await handle.close();
    await fs.promises.rename(temp, file);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw err;
  } finally {
    untrackTemporary(temp);
  }
  return count;
}

/**
 * The BRAT file stem of a record: the id without a leading `brat-` (so `brat-x` read from `x.ann` is written
 * back to `x.ann`), with characters that are unsafe in file names replaced by `_`.
 */
export function bratStem(recordId: string): string {
  const bare = recordId.startsWith('brat-') && recordId.length > 5 ? recordId.slice(5) : recordId;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a file name
  const safe = bare.replace(/[\\/:*?"<>|\s\u0000-\u001f]/g, '_');
  return safe === '.' || safe === '..' ? safe.replace(/\./g, '_') : safe;
}

/**
 * Writes records as a BRAT folder: `<stem>.txt` (the text) and `<stem>.ann` (see `formatBratAnnotation`) per
 * record, each file written atomically; `dir` is created if needed. Two records with the same stem are an
 * error (nothing of the second is written). Returns the number of records written.
 */
export async function writeBrat(dir: string, records: Iterable<EmrRecord> | AsyncIterable<EmrRecord>): Promise<number> {
  await fs.promises.mkdir(dir, { recursive: true });
  const stems = new Map<string, string>();
  let count = 0;
  for await (const record of records) {
    const stem = bratStem(record.id);
    const earlier = stems.get(stem);
    if (earlier !== undefined) {
      throw new CorpusFormatError(
        { recordId: record.id, field: 'id' },
        `maps to BRAT file ${stem}.ann, as record ${earlier} does`,
      );
    }
    stems.set(stem, record.id);
    const ann = formatBratAnnotation(record);
    await writeFileAtomic(path.join(dir, `${stem}.txt`), record.text);
    await writeFileAtomic(path.join(dir, `${stem}.ann`), ann);
    count++;
  }
  return count;
}
