import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputPathError, checkOutputPath, firstLineMatches } from './output-path';
import type { OutputSpec } from './output-path';
import { replaceDirectoryAtomic } from './write';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-output-path-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const ownIfMarked = async (p: string): Promise<boolean> => firstLineMatches(p, (l) => l === 'EMR-RE');
const fileSpec = (p: string): OutputSpec => ({
  path: p,
  flag: '--out',
  kind: 'file',
  what: 'a test file',
  isOwn: ownIfMarked,
});
const dirSpec = (p: string): OutputSpec => ({
  path: p,
  flag: '--out',
  kind: 'directory',
  what: 'a test directory',
  isOwn: (d) => ownIfMarked(path.join(d, 'marker')),
});

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(OutputPathError);
    return (err as Error).message;
  }
  throw new Error('expected an OutputPathError');
}

describe('checkOutputPath', () => {
  it('accepts a new path, an empty file and an empty directory', async () => {
    expect(await checkOutputPath(fileSpec(path.join(tmp, 'new.jsonl')))).toBe('new');
    await fs.writeFile(path.join(tmp, 'empty.jsonl'), '');
    expect(await checkOutputPath(fileSpec(path.join(tmp, 'empty.jsonl')))).toBe('empty');
    await fs.mkdir(path.join(tmp, 'empty-dir'));
    expect(await checkOutputPath(dirSpec(path.join(tmp, 'empty-dir')))).toBe('empty');
    expect(await checkOutputPath(dirSpec(path.join(tmp, 'a', 'b', 'c')))).toBe('new');
  });

  it('never accepts an input, a directory that contains one, or a path through a symbolic link to one', async () => {
    const input = path.join(tmp, 'data', 'in.jsonl');
    await fs.mkdir(path.dirname(input));
    await fs.writeFile(input, 'EMR-RE\n');
    await fs.symlink(path.join(tmp, 'data'), path.join(tmp, 'link'));
    const inputs = [{ flag: '--data', path: input }];
    expect(await reason(checkOutputPath(fileSpec(input), { inputs, force: true }))).toMatch(
      /--out names the --data input/,
    );
    expect(
      await reason(checkOutputPath(fileSpec(path.join(tmp, 'link', 'in.jsonl')), { inputs, force: true })),
    ).toMatch(/names the --data input/);
    expect(await reason(checkOutputPath(dirSpec(tmp), { inputs, force: true }))).toMatch(
      /--out contains the --data input/,
    );
  });

  it("replaces an earlier output of its own only with force, and a user's file or folder never", async () => {
    await fs.writeFile(path.join(tmp, 'own.jsonl'), 'EMR-RE\nrest\n');
    expect(await reason(checkOutputPath(fileSpec(path.join(tmp, 'own.jsonl'))))).toMatch(
      /already holds a test file written by emr-re; pass --force to replace it/,
    );
    expect(await checkOutputPath(fileSpec(path.join(tmp, 'own.jsonl')), { force: true })).toBe('replace-own');
    await fs.writeFile(path.join(tmp, 'mine.txt'), 'notes');
    expect(await reason(checkOutputPath(fileSpec(path.join(tmp, 'mine.txt')), { force: true }))).toMatch(
      /exists and is not a test file written by emr-re; it is left as it is/,
    );
    await fs.mkdir(path.join(tmp, 'folder'));
    await fs.writeFile(path.join(tmp, 'folder', 'x'), 'x');
    expect(await reason(checkOutputPath(dirSpec(path.join(tmp, 'folder')), { force: true }))).toMatch(
      /is not a test directory/,
    );
    expect(await reason(checkOutputPath(fileSpec(path.join(tmp, 'folder'))))).toMatch(/--out is a directory/);
    expect(await reason(checkOutputPath(dirSpec(path.join(tmp, 'mine.txt'))))).toMatch(/is an existing file/);
  });

  it('wants the folder of a file output to exist and to be a directory', async () => {
    expect(await reason(checkOutputPath(fileSpec(path.join(tmp, 'missing', 'x.jsonl'))))).toMatch(
      /directory .*missing does not exist/,
    );
    await fs.writeFile(path.join(tmp, 'plain'), 'x');
    expect(await reason(checkOutputPath(fileSpec(path.join(tmp, 'plain', 'x.jsonl'))))).toMatch(
      /plain is not a directory/,
    );
  });
});

describe('replaceDirectoryAtomic', () => {
  const fill = (text: string) => async (dir: string) => fs.writeFile(path.join(dir, 'marker'), text);

  it("replaces its own directory, leaves no temporaries and keeps a user's <dir>.old", async () => {
    const target = path.join(tmp, 'out');
    await fs.mkdir(`${target}.old`);
    await fs.writeFile(path.join(`${target}.old`, 'keep'), 'user');
    const isOwn = async (d: string): Promise<boolean> => ownIfMarked(path.join(d, 'marker'));
    await replaceDirectoryAtomic(target, fill('EMR-RE\n1'), { canReplace: isOwn });
    await replaceDirectoryAtomic(target, fill('EMR-RE\n2'), { canReplace: isOwn });
    expect(await fs.readFile(path.join(target, 'marker'), 'utf8')).toBe('EMR-RE\n2');
    expect((await fs.readdir(tmp)).sort()).toEqual(['out', 'out.old']);
    expect(await fs.readFile(path.join(`${target}.old`, 'keep'), 'utf8')).toBe('user');
  });

  it('refuses a directory it did not write, before and without filling anything', async () => {
    const target = path.join(tmp, 'user');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'notes.txt'), 'mine');
    let filled = false;
    const message = await reason(
      replaceDirectoryAtomic(target, async () => {
        filled = true;
      }),
    );
    expect(message).toMatch(/holds files that emr-re did not write there; not replaced/);
    expect(filled).toBe(false);
    expect(await fs.readdir(tmp)).toEqual(['user']);
    expect(await fs.readFile(path.join(target, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
