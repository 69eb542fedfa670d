/*
 * The built `emr-re` driven as a user would: a real temporary directory, real files, real signals to a child
 * process. Every case asserts the exit code, the one stderr line, and that every file that existed before is
 * byte-identical afterwards (issue: never destroy what the user has).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSchema, openCorpus, readAllRecords, writeJsonl } from '@emr-re/tokenize';
import { sharedData } from '../../../test/shared-data';

const BIN = path.resolve(__dirname, '../dist/bin.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in `cwd`; `whenStarted` may signal the child (it gets the child and its stderr so far). */
function emr(
  args: string[],
  cwd: string,
  whenRunning?: (child: ReturnType<typeof spawn>, stderr: () => string) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, EMR_RE_BACKEND: 'wasm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    whenRunning?.(child, () => stderr);
  });
}

/** sha256 of every file under `dir` (relative path → hash), to compare a tree before and after a command. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else
        out[path.relative(dir, full)] = createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex');
    }
  };
  await walk(dir);
  return out;
}

/** Asserts a user error: exit 2, exactly one line on stderr matching `pattern`, no stack trace. */
function expectOneLineError(run: Run, pattern: RegExp): void {
  const lines = run.stderr.trimEnd().split('\n');
  expect({ code: run.code, lines: lines.length, stderr: run.stderr }).toEqual({
    code: 2,
    lines: 1,
    stderr: expect.stringMatching(pattern),
  });
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

/** A tiny CNN config so that a training run takes a few seconds. */
const TINY = JSON.stringify({
  arch: 'cnn',
  maxLength: 48,
  charDim: 8,
  positionDim: 4,
  maxDistance: 48,
  cnn: { filters: 8, windows: [3], blocks: 1 },
  batchSize: 32,
  learningRate: 0.005,
  epochs: 1,
});

let tmp: string;
let cmeieLines: string[];

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-safety-'));
  cmeieLines = (await fs.readFile(sharedData('cmeie/train.jsonl'), 'utf8')).split('\n').filter((l) => l.trim());
  await fs.writeFile(path.join(tmp, 'train.cmeie.jsonl'), cmeieLines.slice(0, 40).join('\n') + '\n');
  const schema = await loadSchema('cmeie');
  const records = await readAllRecords(openCorpus(path.join(tmp, 'train.cmeie.jsonl'), 'cmeie', { schema }));
  await writeJsonl(path.join(tmp, 'records.jsonl'), records);
  const trained = await emr(
    [
      'train',
      '--train',
      'train.cmeie.jsonl',
      '--format',
      'cmeie',
      '--schema',
      'cmeie',
      '--config',
      TINY,
      '--out',
      'model',
      '--quiet',
    ],
    tmp,
  );
  expect(trained.code).toBe(0);
}, 120000);

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A fresh working directory inside `tmp` holding `files` (name → content). */
async function workspace(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(tmp, 'ws-'));
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

const TRAIN = ['train', '--format', 'cmeie', '--schema', 'cmeie', '--config', TINY, '--quiet'];

describe('train --out never replaces what emr-re did not write', () => {
  it('refuses a user folder with files, keeping every byte', async () => {
    const ws = await workspace({ 'data.jsonl': cmeieLines.slice(0, 20).join('\n'), 'precious/notes.txt': 'notes' });
    const before = await snapshot(ws);
    const r = await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'precious'], ws);
    expectOneLineError(r, /precious: exists and is not a model directory written by emr-re/);
    expect(await snapshot(ws)).toEqual(before);
  });

  it('refuses a user file, the training file itself, and the working directory', async () => {
    const ws = await workspace({ 'data.jsonl': cmeieLines.slice(0, 20).join('\n'), 'notes.txt': 'mine' });
    const before = await snapshot(ws);
    expectOneLineError(
      await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'notes.txt'], ws),
      /notes\.txt: --out is an existing file, not a model directory; not replaced/,
    );
    expectOneLineError(
      await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'data.jsonl'], ws),
      /--out names the --train input/,
    );
    expectOneLineError(
      await emr([...TRAIN, '--train', 'data.jsonl', '--out', '.'], ws),
      /--out contains the --train input/,
    );
    expect(await snapshot(ws)).toEqual(before);
  });

  it("keeps a user's <out>.old and <out>.checkpoint.old, and replaces its own model only with --force", async () => {
    const ws = await workspace({
      'data.jsonl': cmeieLines.slice(0, 30).join('\n'),
      'm.old/keep.txt': 'a',
      'm.checkpoint.old': 'b',
    });
    const first = await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'm'], ws);
    expect(first.code).toBe(0);
    const model = await snapshot(path.join(ws, 'm'));
    expectOneLineError(
      await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'm', '--seed', '9'], ws),
      /m: already holds a model directory written by emr-re; pass --force to replace it/,
    );
    expect(await snapshot(path.join(ws, 'm'))).toEqual(model);
    const forced = await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'm', '--seed', '9', '--force'], ws);
    expect(forced.code).toBe(0);
    expect(await snapshot(path.join(ws, 'm'))).not.toEqual(model);
    expect(await fs.readFile(path.join(ws, 'm.old/keep.txt'), 'utf8')).toBe('a');
    expect(await fs.readFile(path.join(ws, 'm.checkpoint.old'), 'utf8')).toBe('b');
    expect((await fs.readdir(ws)).sort()).toEqual(['data.jsonl', 'm', 'm.checkpoint.old', 'm.old']);
  });

  it('refuses a running lock and takes over a stale one, saying so', async () => {
    const ws = await workspace({ 'data.jsonl': cmeieLines.slice(0, 20).join('\n') });
    const lock = (pid: number): string =>
      JSON.stringify({
        kind: 'emr-re-lock',
        pid,
        host: os.hostname(),
        command: 'train',
        since: '2026-01-01T00:00:00Z',
      });
    await fs.writeFile(path.join(ws, 'm.lock'), lock(process.pid));
    expectOneLineError(
      await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'm'], ws),
      new RegExp(`m: is being written by another emr-re train \\(pid ${process.pid}`),
    );
    expect(existsSync(path.join(ws, 'm'))).toBe(false);
    await fs.writeFile(path.join(ws, 'm.lock'), lock(2 ** 22 + 12345));
    const r = await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'm'], ws);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/took over the lock of .*m left by pid 4206649, which is gone/);
    expect(existsSync(path.join(ws, 'm.lock'))).toBe(false);
    expect(existsSync(path.join(ws, 'm', 'manifest.json'))).toBe(true);
  });
});

describe('inputs and other outputs', () => {
  it('predict, export-kg and embeddings refuse to overwrite their own input', async () => {
    const ws = await workspace({
      'records.jsonl': await fs.readFile(path.join(tmp, 'records.jsonl')),
      'corpus.txt': '患者无发热。\n',
    });
    const before = await snapshot(ws);
    const model = path.join(tmp, 'model');
    expectOneLineError(
      await emr(['predict', '--model', model, '--data', 'records.jsonl', '--out', 'records.jsonl'], ws),
      /--out names the --data input/,
    );
    expectOneLineError(
      await emr(['export-kg', '--predictions', 'records.jsonl', '--to', 'jsonl', '--out', 'records.jsonl'], ws),
      /--out names the --predictions input/,
    );
    expectOneLineError(
      await emr(['embeddings', 'train', '--corpus', 'corpus.txt', '--dim', '4', '--out', 'corpus.txt', '--quiet'], ws),
      /--out names the --corpus input/,
    );
    expect(await snapshot(ws)).toEqual(before);
  });

  it('reports output-path problems as one line before any work: a directory, a missing parent, a file as run directory', async () => {
    const ws = await workspace({ 'records.jsonl': await fs.readFile(path.join(tmp, 'records.jsonl')), afile: 'x' });
    await fs.mkdir(path.join(ws, 'somedir'));
    const before = await snapshot(ws);
    const model = path.join(tmp, 'model');
    expectOneLineError(
      await emr(['predict', '--model', model, '--data', 'records.jsonl', '--out', 'somedir'], ws),
      /somedir: --out is a directory; give the path of a JSONL records file/,
    );
    expectOneLineError(
      await emr(['predict', '--model', model, '--data', 'records.jsonl', '--out', 'afile/p.jsonl'], ws),
      /afile is not a directory/,
    );
    expectOneLineError(
      await emr(['export-kg', '--predictions', 'records.jsonl', '--to', 'ntriples', '--out', 'missing/kg.nt'], ws),
      /directory .*missing does not exist/,
    );
    expectOneLineError(
      await emr(['export-kg', '--predictions', 'records.jsonl', '--to', 'ntriples', '--out', 'afile'], ws),
      /afile: exists and is not an N-Triples knowledge graph written by emr-re/,
    );
    expectOneLineError(
      await emr(
        ['bootstrap', '--seed', 'records.jsonl', '--pool', 'records.jsonl', '--schema', 'cmeie', '--out', 'afile'],
        ws,
      ),
      /afile: --out is an existing file, not a bootstrap run directory/,
    );
    expect(await snapshot(ws)).toEqual(before);
  });

  it('predict replaces its own earlier output only with --force, and removes stale temporaries, naming them', async () => {
    const ws = await workspace({ 'records.jsonl': await fs.readFile(path.join(tmp, 'records.jsonl')) });
    const model = path.join(tmp, 'model');
    const stale = '.p.jsonl.4206649.abc.def.tmp';
    await fs.writeFile(path.join(ws, stale), 'half of an earlier run');
    const first = await emr(
      ['predict', '--model', model, '--data', 'records.jsonl', '--out', 'p.jsonl', '--quiet'],
      ws,
    );
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`removed 1 temporary file that an interrupted emr-re run left beside`);
    expect(first.stderr).toContain(stale);
    expect(existsSync(path.join(ws, stale))).toBe(false);
    const again = await emr(['predict', '--model', model, '--data', 'records.jsonl', '--out', 'p.jsonl'], ws);
    expectOneLineError(again, /p\.jsonl: already holds a JSONL records file written by emr-re; pass --force/);
    const forced = await emr(
      ['predict', '--model', model, '--data', 'records.jsonl', '--out', 'p.jsonl', '--force', '--quiet'],
      ws,
    );
    expect(forced.code).toBe(0);
  });
});

describe('encodings and silent empty reads', () => {
  it('refuses GB18030 input by name and line, and reads it with --encoding gb18030', async () => {
    const utf8 = cmeieLines.slice(0, 5).join('\n') + '\n';
    const gb = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: utf8 });
    const ws = await workspace({ 'gbk.jsonl': gb });
    const r = await emr(['evaluate', '--gold', 'gbk.jsonl', '--pred', 'gbk.jsonl', '--format', 'cmeie', '--json'], ws);
    expectOneLineError(
      r,
      /gbk\.jsonl:1: not valid UTF-8 \(GBK\/GB18030\? convert with iconv -f GB18030 -t UTF-8, or pass --encoding gb18030\)/,
    );
    const ok = await emr(
      [
        'evaluate',
        '--gold',
        'gbk.jsonl',
        '--pred',
        'gbk.jsonl',
        '--format',
        'cmeie',
        '--schema',
        'cmeie',
        '--encoding',
        'gb18030',
        '--json',
      ],
      ws,
    );
    expect(ok.code).toBe(0);
    const classes = Object.keys((JSON.parse(ok.stdout) as { perClass: Record<string, unknown> }).perClass);
    expect(classes.length).toBeGreaterThan(0);
    expect(classes.join('')).not.toContain('\ufffd');
  });

  it('a canonical file read as cmeie is an error; an empty file and unpaired CCKS documents are warnings', async () => {
    const ws = await workspace({
      'records.jsonl': await fs.readFile(path.join(tmp, 'records.jsonl')),
      'empty.jsonl': '',
      'ccks/病史特点/病史特点-1.txt': '发热\t0\t1\t症状和体征\n',
    });
    const model = path.join(tmp, 'model');
    const wrong = await emr(
      ['predict', '--model', model, '--data', 'records.jsonl', '--format', 'cmeie', '--out', 'p.jsonl', '--quiet'],
      ws,
    );
    expectOneLineError(
      wrong,
      /records\.jsonl: every one of its \d+ records came out with no entities when read as --format cmeie/,
    );
    expect(existsSync(path.join(ws, 'p.jsonl'))).toBe(false);
    const empty = await emr(['predict', '--model', model, '--data', 'empty.jsonl', '--out', 'e.jsonl', '--quiet'], ws);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/warning: .*empty\.jsonl: no records read/);
    const ccks = await emr(
      ['evaluate', '--gold', 'ccks', '--pred', 'ccks', '--format', 'ccks2017', '--schema', 'paper', '--json'],
      ws,
    );
    expect(ccks.stderr).toMatch(/skipped 1 document missing their other file \(.*病史特点-1/);
  });
});

describe('usage', () => {
  it('says what is wrong with a number, refuses --epochs 0, prints usage on stderr without a command', async () => {
    const ws = await workspace({ 'data.jsonl': cmeieLines.slice(0, 5).join('\n') });
    expectOneLineError(
      await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'm', '--epochs', '-3'], ws),
      /--epochs must be a positive integer, got '-3'/,
    );
    expectOneLineError(
      await emr([...TRAIN, '--train', 'data.jsonl', '--out', 'm', '--epochs', '0'], ws),
      /--epochs must be a positive integer, got '0'/,
    );
    const none = await emr([], ws);
    expect({ code: none.code, stdout: none.stdout }).toEqual({ code: 2, stdout: '' });
    expect(none.stderr).toMatch(/^usage: emr-re <command>/);
    expectOneLineError(await emr(['frobnicate'], ws), /^emr-re: unknown command 'frobnicate' \(see emr-re --help\)$/m);
    expect(existsSync(path.join(ws, 'm'))).toBe(false);
  });
});

describe('interrupted runs', () => {
  it('SIGTERM during predict leaves no temporary file with predictions behind', async () => {
    const ws = await workspace({});
    // Enough records that the prediction is still being written when the signal arrives.
    const records = await fs.readFile(path.join(tmp, 'records.jsonl'), 'utf8');
    const lines = records.trim().split('\n');
    const many: string[] = [];
    for (let k = 0; many.length < 6000; k++)
      for (const line of lines) many.push(line.replace(/^\{"id":"([^"]*)"/, `{"id":"$1-${k}"`));
    await fs.writeFile(path.join(ws, 'many.jsonl'), many.join('\n') + '\n');
    const r = await emr(
      ['predict', '--model', path.join(tmp, 'model'), '--data', 'many.jsonl', '--out', 'p.jsonl'],
      ws,
      (child) => {
        // Signalled as soon as the temporary output exists, i.e. in the middle of writing predictions.
        const poll = setInterval(() => {
          void fs.readdir(ws).then((names) => {
            if (names.some((n) => n.endsWith('.tmp')) && child.exitCode === null) {
              clearInterval(poll);
              child.kill('SIGTERM');
            }
          });
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    );
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/emr-re: interrupted \(SIGTERM\); removed 1 unfinished temporary file/);
    expect((await fs.readdir(ws)).sort()).toEqual(['many.jsonl']);
  });

  it('Ctrl-C during train keeps the last epoch and says how to resume; --resume finishes', async () => {
    const ws = await workspace({ 'data.jsonl': cmeieLines.slice(0, 200).join('\n') });
    const args = [...TRAIN, '--train', 'data.jsonl', '--out', 'm', '--epochs', '12'];
    const r = await emr(args, ws, (child) => {
      const poll = setInterval(() => {
        if (existsSync(path.join(ws, 'm.checkpoint', 'checkpoint.json'))) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 20);
      child.on('close', () => clearInterval(poll));
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted .*m\.checkpoint: run the same command with --resume to continue/);
    expect(existsSync(path.join(ws, 'm'))).toBe(false);
    expect(existsSync(path.join(ws, 'm.lock'))).toBe(false);
    expectOneLineError(await emr(args, ws), /holds the checkpoint of an interrupted run: pass --resume/);
    const resumed = await emr([...args, '--resume'], ws);
    expect(resumed.code).toBe(0);
    expect(existsSync(path.join(ws, 'm', 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(ws, 'm.checkpoint'))).toBe(false);
  });
});
