/*
 * `emr-re queue submit|work|status|collect` against a real redis-server (Debian's), started here on a free loopback
 * port and stopped after: chunks worked by two workers, by a worker process killed mid-chunk and another one, and a
 * poisoned chunk, each collected output compared record for record with `emr-re extract --workers 1`; with
 * `--store`, two worker processes (one killed mid-chunk) adding to one graph store, compared byte for byte with
 * `emr-re kg add` of that output, a redone chunk and a held store lock. The child workers run the built CLI
 * (packages/cli/bin/emr-re.js): build first.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { acquireOutputLock, formatRecordLine } from '@emr-re/tokenize';
import type { EmrRecord, OutputLockInfo } from '@emr-re/tokenize';
import { connectRedis, encodeLines, jobKeys, processChunk } from '@emr-re/queue';
import type { QueueWorkerEvent } from '@emr-re/queue';
import { openGraphSink } from '../graph-sink';
import { toyRecords } from '../../../../test/toy-records';
import { runCli } from '../__tests__/run-cli';

const emr = runCli;

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

/** The chunks of `job` (of `chunks`) whose input is still in Redis. */
async function inputsLeft(job: string, chunks: number): Promise<number[]> {
  const client = await connectRedis(redis.url);
  try {
    const left: number[] = [];
    for (let n = 0; n < chunks; n++) if ((await client.exists(jobKeys(job).input(n))) === 1) left.push(n);
    return left;
  } finally {
    await client.quit();
  }
}

/** A worker process of the built CLI, its stderr kept; `exited` resolves with its exit code or signal. */
function workerProcess(args: string[]): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | NodeJS.Signals | null>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((r) =>
    child.once('exit', (code, signal) => r(signal ?? code)),
  );
  return { child, stderr: () => err, exited };
}

/** A store's content: its sorted N-Quads. */
const graphOf = (store: string): Promise<string> => read(path.join(store, 'graph.nq'));

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
    // Each chunk's input is gone from Redis once its output is stored.
    expect(await inputsLeft('two', 5)).toEqual([]);

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
    const w = await emr(work('poison', ['--exit-when-idle', '--out-dir', 'outputs', '--keep-inputs']), tmp);
    expect(w.code).toBe(0);
    const failure =
      'chunk 1: 2 malformed records: record 2 (input position 42) id "no-text": no text; record 5 (input position 45): not JSON';
    expect(w.stderr).toContain(`emr-re queue work: job poison chunk 1 failed: ${failure}\n`);
    expect(w.stderr).not.toMatch(/chunk 1 started/);
    for (const r of records) expect(w.stderr).not.toContain(r.text);
    // --keep-inputs: the inputs of the done chunks stay in Redis (and the failed chunk's, as always).
    expect(await inputsLeft('poison', 3)).toEqual([0, 1, 2]);
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

  it('--store: two worker processes add to one graph store, one killed mid-chunk; it equals kg add of extract', async () => {
    const ref = await emr(['kg', 'add', '--store', 'kg-ref', '--predictions', 'ref.jsonl', '--quiet'], tmp);
    expect(ref.code).toBe(0);
    const expected = await graphOf('kg-ref');
    expect(lines(expected).length).toBeGreaterThan(100);

    expect((await emr(submit('graph', 15), tmp)).code).toBe(0);
    const args = work('graph', ['--lock-ms', '3000', '--store', 'kg-q', '--exit-when-idle']);
    const doomed = workerProcess(args);
    const survivor = workerProcess(args);
    // Killed right after storing its first chunk: before, while or after adding it to the store.
    await new Promise<void>((resolve, reject) => {
      doomed.child.stderr!.on('data', () => {
        if (/chunk \d+ stored/.test(doomed.stderr())) {
          doomed.child.kill('SIGKILL');
          resolve();
        }
      });
      doomed.child.once('exit', () => reject(new Error(`worker exited before storing a chunk: ${doomed.stderr()}`)));
    });
    expect(await doomed.exited).toBe('SIGKILL');
    expect(await survivor.exited).toBe(0);
    const killedChunk = Number(/chunk (\d+) stored/.exec(doomed.stderr())![1]);
    // The survivor found the killed worker's chunk stored (or was told so by BullMQ's completed job) and added it
    // unless the killed worker had marked it added already.
    const added = (err: string): number[] =>
      [...err.matchAll(/chunk (\d+) added to the store/g)].map((m) => Number(m[1]));
    const addedByBoth = [...added(doomed.stderr()), ...added(survivor.stderr())].sort((a, b) => a - b);
    expect(new Set(addedByBoth)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    expect(addedByBoth.filter((c) => c !== killedChunk)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].filter((c) => c !== killedChunk),
    );

    // The store is byte for byte what one `kg add` of the single-process output makes.
    expect(await graphOf('kg-q')).toBe(expected);
    const client = await connectRedis(redis.url);
    try {
      const marks = await client.hgetall(jobKeys('graph').added);
      expect(Object.keys(marks).map(Number).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(new Set(Object.values(marks))).toEqual(new Set([path.join(tmp, 'kg-q')]));
    } finally {
      await client.quit();
    }
    expect(await inputsLeft('graph', 8)).toEqual([]);
    const col = await emr(['queue', 'collect', '--redis', redis.url, '--job', 'graph', '--out', 'graph.jsonl'], tmp);
    expect(col.code).toBe(0);
    expect(await read('graph.jsonl')).toBe(reference);
    // No lock file or temporary left behind by the killed worker once the survivor wrote.
    expect((await fs.readdir(path.join(tmp, 'kg-q'))).sort()).toEqual(['graph.nq', 'kg.json']);

    // Adding the same output again changes nothing.
    const again = await emr(['kg', 'add', '--store', 'kg-q', '--predictions', 'ref.jsonl', '--json'], tmp);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ records: 120, newEntities: 0, newEdges: 0, newEvidence: 0 });
    expect(await graphOf('kg-q')).toBe(expected);
  }, 240_000);

  it('--store: a redone chunk is added once from its stored output; a held store lock is waited for', async () => {
    expect((await emr(submit('redo', 60), tmp)).code).toBe(0);
    // Two chunks at once in one process: its adds to the store take turns.
    const w = await emr(
      work('redo', ['--exit-when-idle', '--store', 'kg-redo', '--out-dir', 'outputs', '--concurrency', '2']),
      tmp,
    );
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/job redo chunk 1 added to the store .*kg-redo \(60 records in/);
    const before = await graphOf('kg-redo');
    const ref = await emr(['kg', 'add', '--store', 'kg-redo-ref', '--predictions', 'ref.jsonl', '--quiet'], tmp);
    expect(ref.code).toBe(0);
    expect(before).toBe(await graphOf('kg-redo-ref'));

    const client = await connectRedis(redis.url);
    const store = path.join(tmp, 'kg-redo');
    const waits: OutputLockInfo[] = [];
    const sink = await openGraphSink(store, { pollMs: 50, onWait: (holder) => waits.push(holder) });
    // What BullMQ hands a worker for chunk 1 redone (its first worker died after storing, before marking it added).
    const job = { data: { job: 'redo', chunk: 1, first: 60, count: 60 }, attemptsStarted: 2 } as unknown as Parameters<
      typeof processChunk
    >[0];
    const events: QueueWorkerEvent[] = [];
    const options = {
      redis: client,
      extract: (): Promise<EmrRecord[]> => Promise.reject(new Error('a stored chunk is never extracted again')),
      sink,
      onEvent: (e: QueueWorkerEvent) => events.push(e),
    };
    try {
      await client.hdel(jobKeys('redo').added, '1');
      // Another writer holds the store's lock for 0.6 s: the add waits for it and then goes through.
      const lock = acquireOutputLock(path.join(store, 'graph.nq'), { command: 'kg add' });
      const released = new Promise<number>((resolve) =>
        setTimeout(() => {
          lock.release();
          resolve(Date.now());
        }, 600),
      );
      await processChunk(job, options);
      const finished = Date.now();
      expect(finished).toBeGreaterThanOrEqual(await released);
      expect(waits.map((h) => [h.pid, h.command])).toEqual([[process.pid, 'kg add']]);
      expect(events.map((e) => e.type)).toEqual(['already-done', 'added']);
      expect(events[1]).toMatchObject({ chunk: 1, records: 60, sink: store });
      expect(await client.hget(jobKeys('redo').added, '1')).toBe(store);
      expect(await graphOf('kg-redo')).toBe(before);

      // Marked added: a second redo adds nothing.
      events.length = 0;
      await processChunk(job, options);
      expect(events.map((e) => e.type)).toEqual(['already-done']);

      // A lock held longer than the sink waits: the chunk fails unmarked (BullMQ retries it), nothing is lost.
      await client.hdel(jobKeys('redo').added, '1');
      const impatient = await openGraphSink(store, { pollMs: 50, waitMs: 200 });
      const held = acquireOutputLock(path.join(store, 'graph.nq'), { command: 'kg add' });
      try {
        await expect(processChunk(job, { ...options, sink: impatient })).rejects.toThrow(
          new RegExp(`^job redo chunk 1: the store .*kg-redo stayed locked by pid ${process.pid} on `),
        );
      } finally {
        held.release();
      }
      expect(await client.hget(jobKeys('redo').added, '1')).toBeNull();
      await processChunk(job, { ...options, sink: impatient });
      expect(await client.hget(jobKeys('redo').added, '1')).toBe(store);
      expect(await graphOf('kg-redo')).toBe(before);
      await impatient.close();
    } finally {
      await sink.close();
      await client.quit();
    }

    // A directory that is not a store: one line, exit 2, before any chunk is taken.
    await fs.mkdir(path.join(tmp, 'not-a-store'));
    await fs.writeFile(path.join(tmp, 'not-a-store', 'x.txt'), 'x');
    const bad = await emr(work('redo', ['--exit-when-idle', '--store', 'not-a-store']), tmp);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toHaveLength(1);
    expect(bad.stderr).toMatch(/not-a-store holds files but no kg\.json/);
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
