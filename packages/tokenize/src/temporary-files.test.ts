import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  movedAsideDirectory,
  parseTemporaryName,
  removeLiveTemporaries,
  removeStaleTemporaries,
  temporaryPathFor,
  trackTemporary,
} from './temporary-files';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-temporaries-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const GONE = 2 ** 22 + 7;

describe('temporary files', () => {
  it('names them after their target and pid, and parses only those names', () => {
    const temp = temporaryPathFor(path.join(tmp, 'p.jsonl'));
    expect(path.dirname(temp)).toBe(tmp);
    expect(parseTemporaryName(path.basename(temp))).toEqual({ target: 'p.jsonl', pid: process.pid, kind: 'tmp' });
    expect(parseTemporaryName('.p.jsonl.12.a.b.old')).toEqual({ target: 'p.jsonl', pid: 12, kind: 'old' });
    expect(parseTemporaryName('p.jsonl')).toBeUndefined();
    expect(parseTemporaryName('.notes.tmp')).toBeUndefined();
  });

  it('removes stale ones of the target only, keeping live ones, other targets and the last copy of a directory', async () => {
    const names = [
      `.p.jsonl.${GONE}.a.b.tmp`,
      `.p.jsonl.${process.pid}.a.b.tmp`,
      `.q.jsonl.${GONE}.a.b.tmp`,
      `.model.${GONE}.a.b.old`,
      'p.jsonl',
    ];
    for (const n of names) await fs.writeFile(path.join(tmp, n), n);
    expect(await removeStaleTemporaries(path.join(tmp, 'p.jsonl'))).toEqual([`.p.jsonl.${GONE}.a.b.tmp`]);
    // `model` itself is missing: its moved-aside copy is all there is, and is kept.
    expect(await removeStaleTemporaries(path.join(tmp, 'model'))).toEqual([]);
    expect((await fs.readdir(tmp)).sort()).toEqual(names.slice(1).sort());
  });

  it('finds a directory a crash left moved aside', async () => {
    expect(await movedAsideDirectory(path.join(tmp, 'model'))).toBeUndefined();
    await fs.mkdir(path.join(tmp, `.model.${GONE}.a.b.old`));
    expect(await movedAsideDirectory(path.join(tmp, 'model'))).toBe(path.join(tmp, `.model.${GONE}.a.b.old`));
  });

  it('removes the tracked ones on demand (what a signal handler does)', async () => {
    const temp = temporaryPathFor(path.join(tmp, 'p.jsonl'));
    await fs.writeFile(temp, 'partial predictions');
    trackTemporary(temp);
    expect(removeLiveTemporaries()).toBe(1);
    expect(existsSync(temp)).toBe(false);
    expect(removeLiveTemporaries()).toBe(0);
  });
});
