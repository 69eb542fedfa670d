import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCheckedDirectory, readCheckedDirectory, sha256, writeCheckedDirectory } from './model-directory';

class DamagedError extends Error {}
const spec = {
  format: 'test-dir',
  formatVersion: 2,
  files: ['a.json', 'b.bin'],
  notFoundHint: 'is this a test directory?',
  wrongFormat: 'is not a test manifest',
  error: (file: string, reason: string) => new DamagedError(`${path.basename(file)}: ${reason}`),
};
const contents = { 'a.json': '{"x":1}\n', 'b.bin': Uint8Array.from([1, 2, 3, 250]) };

describe('checked directories', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-checked-'));
  });
  afterEach(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('round-trips files with their SHA-256 and size in manifest.json', async () => {
    const dir = path.join(tmp, 'm');
    await writeCheckedDirectory(
      dir,
      { format: 'test-dir', formatVersion: 2, extra: 'kept' },
      contents,
      async () => false,
    );
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toEqual({
      format: 'test-dir',
      formatVersion: 2,
      extra: 'kept',
      files: {
        'a.json': { sha256: sha256('{"x":1}\n'), bytes: 8 },
        'b.bin': { sha256: sha256(Uint8Array.from([1, 2, 3, 250])), bytes: 4 },
      },
    });
    // sha256 of "abc" (FIPS 180-2 test vector)
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const { data } = await readCheckedDirectory(dir, spec);
    expect(data['a.json'].toString('utf8')).toBe('{"x":1}\n');
    expect([...data['b.bin']]).toEqual([1, 2, 3, 250]);
    expect(await isCheckedDirectory(dir, 'test-dir', spec.files)).toBe(true);
    expect(await isCheckedDirectory(dir, 'other', spec.files)).toBe(false);
  });

  it('names the file at fault: missing manifest, other format or version, altered or missing file', async () => {
    const dir = path.join(tmp, 'm');
    await expect(readCheckedDirectory(dir, spec)).rejects.toThrow(
      'manifest.json: not found: is this a test directory?',
    );
    await writeCheckedDirectory(dir, { format: 'test-dir', formatVersion: 2 }, contents, async () => false);
    await fs.writeFile(path.join(dir, 'b.bin'), Uint8Array.from([1, 2, 3, 251]));
    await expect(readCheckedDirectory(dir, spec)).rejects.toThrow(
      'b.bin: does not match the SHA-256 in manifest.json (modified or damaged)',
    );
    await fs.rm(path.join(dir, 'b.bin'));
    await expect(readCheckedDirectory(dir, spec)).rejects.toThrow('b.bin: is missing');
    await expect(readCheckedDirectory(dir, { ...spec, formatVersion: 3 })).rejects.toThrow(
      'format version 2 is not supported (this package reads version 3)',
    );
    await expect(readCheckedDirectory(dir, { ...spec, format: 'x' })).rejects.toThrow('is not a test manifest');
    await expect(readCheckedDirectory(dir, spec)).rejects.toBeInstanceOf(DamagedError);
  });

  it('replaces only what canReplace accepts, and a directory with a stranger file is not checked', async () => {
    const dir = path.join(tmp, 'm');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'notes.txt'), 'mine');
    const isMine = (d: string) => isCheckedDirectory(d, 'test-dir', spec.files);
    await expect(
      writeCheckedDirectory(dir, { format: 'test-dir', formatVersion: 2 }, contents, isMine),
    ).rejects.toThrow();
    expect(await fs.readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    await fs.rm(dir, { recursive: true });
    await writeCheckedDirectory(dir, { format: 'test-dir', formatVersion: 2 }, contents, isMine);
    await writeCheckedDirectory(dir, { format: 'test-dir', formatVersion: 2 }, { ...contents, 'a.json': '{}' }, isMine);
    expect(await fs.readFile(path.join(dir, 'a.json'), 'utf8')).toBe('{}');
    await fs.writeFile(path.join(dir, 'notes.txt'), 'mine');
    expect(await isMine(dir)).toBe(false);
  });

  it('reads and verifies an optional file when the manifest lists it, and does without it otherwise', async () => {
    const dir = path.join(tmp, 'm');
    const withCalibration = { ...spec, optionalFiles: ['extra.json'] };
    await writeCheckedDirectory(dir, { format: 'test-dir', formatVersion: 2 }, contents, async () => false);
    expect((await readCheckedDirectory(dir, withCalibration)).data['extra.json']).toBeUndefined();
    const isMine = (d: string) => isCheckedDirectory(d, 'test-dir', spec.files, ['extra.json']);
    await writeCheckedDirectory(
      dir,
      { format: 'test-dir', formatVersion: 2 },
      { ...contents, 'extra.json': '{"t":2}' },
      isMine,
    );
    expect(await isMine(dir)).toBe(true);
    expect(await isCheckedDirectory(dir, 'test-dir', spec.files)).toBe(false);
    expect((await readCheckedDirectory(dir, withCalibration)).data['extra.json'].toString()).toBe('{"t":2}');
    await fs.writeFile(path.join(dir, 'extra.json'), '{"t":3}');
    await expect(readCheckedDirectory(dir, withCalibration)).rejects.toThrow('extra.json: does not match the SHA-256');
  });
});
