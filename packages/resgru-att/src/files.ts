import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Writes `data` to `file` atomically: a temporary file in the same directory, then a rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Fills a fresh temporary directory beside `dir` with `fill`, then swaps it into place: an existing `dir`
 * is moved aside and deleted only after the new one is in place, so a crash leaves either the old or the
 * new directory complete (the old one under `<dir>.old` if the crash fell between the two renames).
 */
export async function replaceDirectoryAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  await fs.mkdir(parent, { recursive: true });
  const base = path.basename(dir);
  const tmp = path.join(parent, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const old = `${path.resolve(dir)}.old`;
  await fs.mkdir(tmp);
  try {
    await fill(tmp);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await fs.rm(old, { recursive: true, force: true });
  let hadOld = false;
  try {
    await fs.rename(dir, old);
    hadOld = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.rename(tmp, dir);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

/** `dir` if it exists, else `<dir>.old` if a crash left only that, else undefined. */
export async function existingDirectory(dir: string): Promise<string | undefined> {
  for (const candidate of [dir, `${path.resolve(dir)}.old`]) {
    try {
      if ((await fs.stat(candidate)).isDirectory()) return candidate;
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** Hex SHA-256 of bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
