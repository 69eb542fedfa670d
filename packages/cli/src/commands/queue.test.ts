/*
 * `emr-re queue submit|work|status|collect` against a real redis-server (Debian's), started here on a free loopback
 * port and stopped after: chunks worked by two workers, by a worker process killed mid-chunk and another one, and a
 * poisoned chunk, each collected output compared record for record with `emr-re extract --workers 1`. The child
 * worker runs the built CLI (packages/cli/bin/emr-re.js): build first.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { formatRecordLine } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { connectRedis, encodeLines, jobKeys } from '@emr-re/queue';
import { main } from '../cli';
import type { CliIO } from '../io';
import { toyRecords } from '../../../../test/toy-records';

async function emr(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
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

/** A loopback port nobody listens on now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts Debian's redis-server without persistence on a free loopback port; resolves once it accepts clients. */
async function startRedis(dir: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; i < 100; i++) {
    if (log.includes('Ready to accept connections')) return { url: `redis://127.0.0.1:${port}`, process: child };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start: ${log.slice(-500)}`);
}

const NER_CONFIG = { arch: 'bigru-crf', maxLength: 40, overlap: 8, charDim: 16, rnn: { units: 16, layers: 1 } };
const RE_CONFIG = {
  arch: 'cnn',
  maxLength: 40,
  charDim: 16,
  positionDim: 4,
  maxDistance: 40,
  cnn: { filters: 16, windows: [3], blocks: 1 },
};
const TRAINING = { batchSize: 16, learningRate: 0.02, epochs: 3, seed: 1 };
const STATUS_FIELDS = ['job', 'chunks', 'completed', 'failed', 'waiting', 'active', 'records', 'recordsPerSecond'];
const BIN = path.resolve(__dirname, '../../bin/emr-re.js');

let tmp: string;
let redis: { url: string; process: ChildProcess };
let reference: string;
const records = toyRecords(120, 2);

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-queue-'));
  redis = await startRedis(tmp);
  await fs.writeFile(path.join(tmp, 'train.jsonl'), toyRecords(120, 1).map(formatRecordLine).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'raw.txt'), records.map((r) => r.text).join('\n') + '\n');
  const common = ['--train', 'train.jsonl', '--schema', 'cmeie', '--quiet'];
  const ner = await emr(
    ['ner', 'train', ...common, '--config', JSON.stringify({ ...NER_CONFIG, ...TRAINING }), '--out', 'ner'],
    tmp,
  );
  expect(ner.code).toBe(0);
  const re = await emr(
    ['train', ...common, '--config', JSON.stringify({ ...RE_CONFIG, ...TRAINING }), '--out', 're'],
    tmp,
  );
  expect(re.code).toBe(0);
  const one = await emr(
    [
      'extract',
      '--ner',
      'ner',
      '--relations',
      're',
      '--data',
      'raw.txt',
      '--workers',
      '1',
      '--quiet',
      '--out',
      'ref.jsonl',
    ],
    tmp,
  );
  expect(one.code).toBe(0);
  reference = await read('ref.jsonl');
}, 600_000);

afterAll(async () => {
  if (redis?.process.exitCode === null) {
    const exited = new Promise((r) => redis.process.once('exit', r));
    redis.process.kill('SIGTERM');
    await exited;
  }
  await fs.rm(tmp, { recursive: true, force: true });
});

const read = (file: string): Promise<string> => fs.readFile(path.join(tmp, file), 'utf8');
const work = (job: string, extra: string[] = []): string[] => [
  'queue',
  'work',
  '--redis',
  redis.url,
  '--ner',
  'ner',
  '--relations',
  're',
  '--job',
  job,
  ...extra,
];
const submit = (job: string, chunkSize: number): string[] => [
  'queue',
  'submit',
  '--redis',
  redis.url,
  '--data',
  'raw.txt',
  '--format',
  'text',
  '--job',
  job,
  '--chunk-size',
  String(chunkSize),
  '--json',
];
const lines = (text: string): string[] => text.trimEnd().split('\n');

describe('emr-re queue', () => {
  it('submits chunks, two workers extract them, collect writes what extract --workers 1 writes', async () => {
    const sub = await emr(submit('two', 25), tmp);
    expect(sub.stderr).toBe('');
    expect(sub.code).toBe(0);
    expect(JSON.parse(sub.stdout)).toEqual({ job: 'two', chunks: 5, records: 120, chunkSize: 25 });
    const again = await emr(submit('two', 25), tmp);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe("emr-re queue: job 'two' exists already in Redis; choose another --job name\n");

    const workers = await Promise.all([0, 1].map(() => emr(work('two', ['--exit-when-idle']), tmp)));
    for (const w of workers) expect(w.code).toBe(0);
    const stored = workers.flatMap((w) => lines(w.stderr).filter((l) => / stored \(\d+ records/.test(l)));
    // Every chunk stored once, by one worker or the other.
    expect(stored.map((l) => Number(/chunk (\d+) stored/.exec(l)![1])).sort()).toEqual([0, 1, 2, 3, 4]);

    const st = await emr(['queue', 'status', '--redis', redis.url, '--job', 'two', '--json'], tmp);
    expect(st.code).toBe(0);
    const status = JSON.parse(st.stdout) as Record<string, number | string>;
    expect(Object.keys(status)).toEqual(STATUS_FIELDS);
    expect({ ...status, recordsPerSecond: 0 }).toEqual({
      job: 'two',
      chunks: 5,
      completed: 5,
      failed: 0,
      waiting: 0,
      active: 0,
      records: 120,
      recordsPerSecond: 0,
    });
    expect(status.recordsPerSecond).toBeGreaterThan(0);

    const col = await emr(
      ['queue', 'collect', '--redis', redis.url, '--job', 'two', '--out', 'two.jsonl', '--json'],
      tmp,
    );
    expect(col.stderr).toBe('');
    expect(col.code).toBe(0);
    expect(JSON.parse(col.stdout)).toEqual({
      job: 'two',
      chunks: 5,
      collected: 5,
      missing: [],
      records: 120,
      out: path.join(tmp, 'two.jsonl'),
    });
    const out = await read('two.jsonl');
    expect(lines(out)).toHaveLength(120);
    // The toy models find entities and relations, so the comparison is not between empty outputs.
    const parsed = lines(out).map((l) => JSON.parse(l) as EmrRecord);
    expect(parsed.reduce((n, r) => n + r.relations.length, 0)).toBeGreaterThan(0);
    expect(out).toBe(reference);
    // A user's file is not overwritten by a second collect without --force.
    const twice = await emr(['queue', 'collect', '--redis', redis.url, '--job', 'two', '--out', 'ref.jsonl'], tmp);
    expect(twice.code).toBe(2);
    expect(await read('ref.jsonl')).toBe(reference);
  });

  it('redoes the chunk of a worker process killed mid-chunk, never twice, nothing missing', async () => {
    const sub = await emr(submit('kill', 30), tmp);
    expect(sub.code).toBe(0);
    const child = spawn(process.execPath, [BIN, ...work('kill', ['--lock-ms', '3000'])], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let childErr = '';
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        childErr += d.toString();
        if (/chunk 0 started/.test(childErr)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`worker exited before chunk 0 started: ${childErr}`)));
    });
    expect(await exited).toBe('SIGKILL');
    expect(childErr).not.toMatch(/chunk 0 stored/);

    const survivor = await emr(work('kill', ['--lock-ms', '3000', '--exit-when-idle']), tmp);
    expect(survivor.code).toBe(0);
    // Chunk 0, started by the killed worker, was taken up again (or found stored, had it died after storing).
    expect(survivor.stderr).toMatch(/chunk 0 (started \(30 records, attempt 2\)|was stored already)/);
    expect(lines(survivor.stderr).filter((l) => /chunk 0 stored/.test(l)).length).toBeLessThanOrEqual(1);

    const client = await connectRedis(redis.url);
    try {
      expect(await client.hlen(jobKeys('kill').done)).toBe(4);
    } finally {
      await client.quit();
    }
    const col = await emr(['queue', 'collect', '--redis', redis.url, '--job', 'kill', '--out', 'kill.jsonl'], tmp);
    expect(col.code).toBe(0);
    const out = await read('kill.jsonl');
    const ids = lines(out).map((l) => (JSON.parse(l) as EmrRecord).id);
    expect(new Set(ids).size).toBe(120);
    expect(out).toBe(reference);
  }, 180_000);

  it('fails a poisoned chunk at once with its error (positions and ids, no text); the others complete', async () => {
    const sub = await emr(submit('poison', 40), tmp);
    expect(sub.code).toBe(0);
    const client = await connectRedis(redis.url);
    try {
      const key = jobKeys('poison').input(1);
      const chunk = lines(gunzipSync((await client.getBuffer(key))!).toString('utf8'));
      chunk[2] = JSON.stringify({ id: 'no-text', text: '' });
      chunk[5] = '{"id": "broken", "te';
      await client.set(key, encodeLines(chunk));
    } finally {
      await client.quit();
    }
    const w = await emr(work('poison', ['--exit-when-idle', '--out-dir', 'outputs']), tmp);
    expect(w.code).toBe(0);
    const failure =
      'chunk 1: 2 malformed records: record 2 (input position 42) id "no-text": no text; record 5 (input position 45): not JSON';
    expect(w.stderr).toContain(`emr-re queue work: job poison chunk 1 failed: ${failure}\n`);
    expect(w.stderr).not.toMatch(/chunk 1 started/);
    for (const r of records) expect(w.stderr).not.toContain(r.text);
    // --out-dir: the outputs are files, one per chunk done.
    expect((await fs.readdir(path.join(tmp, 'outputs', 'poison'))).sort()).toEqual([
      'chunk-0.jsonl.gz',
      'chunk-2.jsonl.gz',
    ]);

    const st = await emr(['queue', 'status', '--redis', redis.url, '--job', 'poison', '--json'], tmp);
    expect(JSON.parse(st.stdout)).toMatchObject({ chunks: 3, completed: 2, failed: 1, waiting: 0, active: 0 });

    const refused = await emr(['queue', 'collect', '--redis', redis.url, '--job', 'poison', '--out', 'p.jsonl'], tmp);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `emr-re queue: job 'poison': 1 of 3 chunks not done (1); failed: ${failure}; --partial writes the others\n`,
    );
    await expect(fs.access(path.join(tmp, 'p.jsonl'))).rejects.toThrow();
    const partial = await emr(
      ['queue', 'collect', '--redis', redis.url, '--job', 'poison', '--out', 'p.jsonl', '--partial'],
      tmp,
    );
    expect(partial.code).toBe(0);
    expect(partial.stderr).toBe('emr-re queue collect: left out 1 chunks not done (1)\n');
    const ref = lines(reference);
    expect(lines(await read('p.jsonl'))).toEqual([...ref.slice(0, 40), ...ref.slice(80)]);
  }, 180_000);

  it('says in one line, exit 2, when Redis is unreachable, the URL is bad or the job unknown', async () => {
    const closed = await freePort();
    const cases: Array<[string[], RegExp]> = [
      [
        ['status', '--redis', `redis://127.0.0.1:${closed}`, '--job', 'x'],
        /^emr-re queue: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0: /,
      ],
      [
        ['status', '--redis', 'http://127.0.0.1:1', '--job', 'x'],
        /^emr-re queue: --redis must be a redis:\/\/ or rediss:\/\/ URL/,
      ],
      [['status', '--redis', 'not a url', '--job', 'x'], /^emr-re queue: --redis must be a URL like/],
      [['status', '--redis', redis.url, '--job', 'never'], /^emr-re queue: no job 'never' in Redis$/],
      [['status', '--redis', redis.url, '--job', 'a:b'], /^emr-re queue: --job must be letters/],
      [work('never', ['--exit-when-idle']), /^emr-re queue: no job 'never' in Redis \(submit it first/],
      [['frobnicate'], /^emr-re queue: unknown subcommand 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await emr(args[0] === 'queue' ? args : ['queue', ...args], tmp);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
    }
  });
});
