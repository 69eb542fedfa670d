import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputLockedError, acquireOutputLock, releaseAllLocks } from './output-lock';
import { OutputPathError } from './output-path';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-lock-'));
});
afterEach(async () => {
  releaseAllLocks();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Above Linux's largest pid (2^22): never a running process. */
const GONE = 2 ** 22 + 7;

describe('acquireOutputLock', () => {
  it('writes the pid, refuses a second holder while it lives, and releases once', async () => {
    const out = path.join(tmp, 'model');
    const lock = acquireOutputLock(out, { command: 'train' });
    const info = JSON.parse(await fs.readFile(`${out}.lock`, 'utf8')) as { pid: number; command: string };
    expect(info).toMatchObject({ kind: 'emr-re-lock', pid: process.pid, command: 'train', host: os.hostname() });
    expect(() => acquireOutputLock(out, { command: 'train' })).toThrow(
      new RegExp(`is being written by another emr-re train \\(pid ${process.pid}`),
    );
    // A live lock is an OutputLockedError (an OutputPathError too) naming its holder, so a caller can wait for it.
    let caught: unknown;
    try {
      acquireOutputLock(out, { command: 'kg add' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OutputLockedError);
    expect(caught).toBeInstanceOf(OutputPathError);
    expect((caught as OutputLockedError).holder).toMatchObject({ pid: process.pid, command: 'train' });
    lock.release();
    lock.release();
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('takes over a stale lock and says whose it was', async () => {
    const out = path.join(tmp, 'p.jsonl');
    const stale = { kind: 'emr-re-lock', pid: GONE, host: os.hostname(), command: 'predict', since: 'then' };
    await fs.writeFile(`${out}.lock`, JSON.stringify(stale));
    const seen: number[] = [];
    const lock = acquireOutputLock(out, { command: 'predict', onStale: (i) => seen.push(i.pid) });
    expect(seen).toEqual([GONE]);
    expect(JSON.parse(await fs.readFile(`${out}.lock`, 'utf8')).pid).toBe(process.pid);
    expect(releaseAllLocks()).toBe(1);
    expect(existsSync(`${out}.lock`)).toBe(false);
    lock.release();
  });

  it('never touches a .lock file that emr-re did not write', async () => {
    const out = path.join(tmp, 'x');
    await fs.writeFile(`${out}.lock`, 'my own notes');
    expect(() => acquireOutputLock(out, { command: 'train' })).toThrow(OutputPathError);
    expect(await fs.readFile(`${out}.lock`, 'utf8')).toBe('my own notes');
  });
});
