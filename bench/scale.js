#!/usr/bin/env node
/*
 * Extraction at scale (issue 19): records/s and peak memory of `emr-re extract` (NER then relations) run
 *   - single:    in one process, `--workers 1` (today's in-process path);
 *   - threads:K  with K worker threads (`emr-re extract --workers K`, @emr-re/queue's piscina pool);
 *   - pool:K     the same pool driven directly from a small child script (pool:1 = one worker thread, which
 *                `--workers 1` never runs: it keeps the models in the process).
 *   - queue:K    the Redis/BullMQ queue: `emr-re queue submit` (chunks of --chunk-size, default 500) on a
 *                redis-server started here on a free loopback port, K `emr-re queue work --exit-when-idle`
 *                processes at once, then `emr-re queue collect`; wall time from submit to collect, CPU time and
 *                peak RSS summed / maxed over every process (redis-server excluded).
 *   - queue-store:K the same with `--store DIR` on every worker (each chunk added to one knowledge-graph store as it
 *                is stored); then, apart, `emr-re kg add` of the collected output into a fresh store (the one-writer
 *                alternative, timed on its own: kgAdd) and whether both stores' graph.nq are the same bytes.
 * Each run is a fresh process under /usr/bin/time (wall seconds, CPU seconds and peak RSS of the process and its
 * threads),
 * models loaded inside the timed run.
 * Every mode's output is compared with the single run's, record for record (the `same` column). --repeat R runs
 * the list of modes R times in turn, so that a change in the machine's load falls on every mode alike.
 *
 * Input: N records made by cycling through the CCKS 2017 CNER texts (../shared/data/ccks2017-cner, all four
 * folders, sorted by path) with new ids `scale-<i>`, written as JSONL to a temporary folder (never into the repo).
 * Models: --ner DIR --relations DIR, or (default) small ones trained here (a few minutes) on the first 1,000 CMeIE
 * records (three epochs; their quality is not the point, but they must find entities, or the relation model never
 * runs and the rate is NER's alone: each row counts the entities and relations of its output).
 *
 * Usage: node bench/scale.js --records 20000 [--modes single,pool:1,threads:2,queue:2,queue-store:2] [--repeat R] [--batch-size 64]
 *                            [--chunk-size 500]
 *                            [--backend cpu|wasm] [--ner DIR --relations DIR | --models-dir DIR]
 *                            [--out FILE.jsonl]
 * Prints one JSON line per mode: {mode,records,seconds,recordsPerSecond,cpuSeconds,
 * recordsPerCpuSecond,peakRssMB,same,...}. Needs the built
 * packages (npm run build). --models-dir DIR keeps the trained models there and reuses them on the next run.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const { CCKS, CMEIE } = require('./common');

const BIN = path.join(__dirname, '..', 'packages', 'cli', 'bin', 'emr-re.js');

const NER_CONFIG = {
  arch: 'bigru-crf',
  maxLength: 100,
  overlap: 16,
  charDim: 32,
  rnn: { units: 32, layers: 1 },
  batchSize: 16,
  learningRate: 0.01,
  epochs: 3,
  seed: 1,
};
const RE_CONFIG = {
  arch: 'cnn',
  maxLength: 100,
  charDim: 32,
  positionDim: 8,
  maxDistance: 100,
  cnn: { filters: 64, windows: [3], blocks: 1 },
  batchSize: 32,
  learningRate: 0.01,
  epochs: 3,
  seed: 1,
};
const TRAIN_RECORDS = 1000;

/** How many entities and relations an output JSONL holds (0 entities: the relation model never ran). */
function outputCounts(text) {
  let entities = 0;
  let relations = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line);
    entities += record.entities.length;
    relations += record.relations.length;
  }
  return { entities, relations };
}

/** Runs the built CLI; resolves with stdout, rejects with stderr on a non-zero exit. */
function emr(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(options.time ? '/usr/bin/time' : process.execPath, [
      ...(options.time ? ['-f', 'TIME %M %e %U %S', process.execPath] : []),
      BIN,
      ...args,
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) =>
      code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`emr-re ${args[0]}: ${stderr}`)),
    );
  });
}

function ccksTexts() {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.txtoriginal.txt')) files.push(p);
    }
  };
  walk(CCKS);
  files.sort();
  return files.map((f) => fs.readFileSync(f, 'utf8').trim()).filter((t) => t.length > 0);
}

async function trainModels(dir) {
  const train = path.join(dir, 'train.cmeie.jsonl');
  fs.writeFileSync(train, fs.readFileSync(CMEIE, 'utf8').split('\n').slice(0, TRAIN_RECORDS).join('\n') + '\n');
  const ner = path.join(dir, 'ner');
  const re = path.join(dir, 're');
  const common = ['--train', train, '--format', 'cmeie', '--schema', 'cmeie', '--quiet'];
  await emr(['ner', 'train', ...common, '--config', JSON.stringify(NER_CONFIG), '--out', ner]);
  await emr(['train', ...common, '--config', JSON.stringify(RE_CONFIG), '--out', re]);
  return { ner, re };
}

async function runExtract(mode, workers, ctx) {
  const out = path.join(ctx.dir, `out-${mode.replace(':', '-')}.jsonl`);
  const { stderr } = await emr(
    [
      'extract',
      '--ner',
      ctx.ner,
      '--relations',
      ctx.re,
      '--data',
      ctx.data,
      '--format',
      'jsonl',
      '--out',
      out,
      '--quiet',
      '--json',
      '--workers',
      String(workers),
      '--batch-size',
      String(ctx.batchSize),
      ...(ctx.backend ? ['--backend', ctx.backend] : []),
    ],
    { time: true },
  );
  const [, kb, seconds, user, sys] = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
  return { out, seconds: Number(seconds), cpuSeconds: Number(user) + Number(sys), peakRssMB: Number(kb) / 1024 };
}

/** `pool:K`: @emr-re/queue's pool of K threads driven directly (K = 1 measures the pool's own overhead). */
async function runPool(workers, ctx) {
  const out = path.join(ctx.dir, `out-pool-${workers}.jsonl`);
  const { stderr } = await new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', [
      '-f',
      'TIME %M %e %U %S',
      process.execPath,
      path.join(__dirname, 'scale.js'),
      '--pool-child',
      String(workers),
      '--data',
      ctx.data,
      '--ner',
      ctx.ner,
      '--relations',
      ctx.re,
      '--out',
      out,
      '--batch-size',
      String(ctx.batchSize),
      ...(ctx.backend ? ['--backend', ctx.backend] : []),
    ]);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve({ stderr: err }) : reject(new Error(err))));
  });
  const [, kb, seconds, user, sys] = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
  return { out, seconds: Number(seconds), cpuSeconds: Number(user) + Number(sys), peakRssMB: Number(kb) / 1024 };
}

/** A free loopback port. */
function freePort() {
  const net = require('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts Debian's redis-server without persistence on a free loopback port; resolves once it accepts clients. */
async function startRedis(dir) {
  const port = await freePort();
  const child = spawn('/usr/bin/redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  for (let i = 0; i < 100 && !log.includes('Ready to accept connections'); i++)
    await require('node:timers/promises').setTimeout(100);
  if (!log.includes('Ready to accept connections')) {
    child.kill('SIGKILL');
    throw new Error(`redis-server did not start: ${log}`);
  }
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** `queue:K`: submit, K `emr-re queue work` processes at once, collect; one redis-server per run. With `store`,
 * every worker adds to one graph store (`--store`), and a single `kg add` of the output is timed apart. */
async function runQueue(workers, ctx, store = false) {
  const out = path.join(ctx.dir, `out-queue${store ? '-store' : ''}-${workers}.jsonl`);
  const storeDir = path.join(ctx.dir, `kg-queue-${workers}`);
  fs.rmSync(storeDir, { recursive: true, force: true });
  const redisDir = fs.mkdtempSync(path.join(ctx.dir, 'redis-'));
  const redis = await startRedis(redisDir);
  const times = [];
  const timed = async (args) => {
    const { stderr } = await emr(args, { time: true });
    const [, kb, seconds, user, sys] = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
    times.push({ kb: Number(kb), seconds: Number(seconds), cpu: Number(user) + Number(sys) });
  };
  const job = `scale${store ? '-store' : ''}-${workers}`;
  try {
    const started = Date.now();
    await timed([
      'queue',
      'submit',
      '--redis',
      redis.url,
      '--data',
      ctx.data,
      '--format',
      'jsonl',
      '--job',
      job,
      '--chunk-size',
      String(ctx.chunkSize),
    ]);
    await Promise.all(
      Array.from({ length: workers }, () =>
        timed([
          'queue',
          'work',
          '--redis',
          redis.url,
          '--ner',
          ctx.ner,
          '--relations',
          ctx.re,
          '--job',
          job,
          '--exit-when-idle',
          '--quiet',
          ...(store ? ['--store', storeDir] : []),
          ...(ctx.backend ? ['--backend', ctx.backend] : []),
        ]),
      ),
    );
    const status = JSON.parse((await emr(['queue', 'status', '--redis', redis.url, '--job', job, '--json'])).stdout);
    await timed(['queue', 'collect', '--redis', redis.url, '--job', job, '--out', out]);
    const seconds = (Date.now() - started) / 1000;
    const extra = { chunkSize: ctx.chunkSize, status, processSeconds: times.map((t) => t.seconds) };
    if (store) {
      const single = path.join(ctx.dir, `kg-single-${workers}`);
      fs.rmSync(single, { recursive: true, force: true });
      const { stderr } = await emr(['kg', 'add', '--store', single, '--predictions', out, '--quiet'], { time: true });
      const [, kb, wall, user, sys] = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
      const graph = (dir) => fs.readFileSync(path.join(dir, 'graph.nq'));
      extra.kgAdd = {
        seconds: Number(wall),
        cpuSeconds: Math.round((Number(user) + Number(sys)) * 10) / 10,
        peakRssMB: Math.round(Number(kb) / 1024),
        triples: graph(single).toString('utf8').split('\n').length - 1,
        sameGraph: graph(single).equals(graph(storeDir)),
      };
      fs.rmSync(single, { recursive: true, force: true });
      fs.rmSync(storeDir, { recursive: true, force: true });
    }
    return {
      out,
      seconds,
      cpuSeconds: times.reduce((a, t) => a + t.cpu, 0),
      peakRssMB: Math.max(...times.map((t) => t.kb)) / 1024,
      extra,
    };
  } finally {
    const exited = new Promise((r) => redis.child.once('exit', r));
    redis.child.kill('SIGTERM');
    await exited;
  }
}

/** The child of `runPool`: streams the data file through the pool into --out, as `emr-re extract` does. */
async function poolChild(values) {
  const pkg = (name) => require(path.join(__dirname, '..', 'packages', name, 'dist', 'index.js'));
  const { openCorpus, writeJsonl } = pkg('tokenize');
  const { createModelPool } = pkg('queue');
  const pool = createModelPool({
    models: { kind: 'extract', ner: values.ner, relations: values.relations },
    threads: Number(values['pool-child']),
    backend: values.backend ?? 'auto',
  });
  async function* texts() {
    for await (const r of openCorpus(values.data, 'jsonl').read()) yield { id: r.id, text: r.text };
  }
  try {
    await writeJsonl(values.out, pool.stream(texts(), { batchSize: Number(values['batch-size']) }));
  } finally {
    await pool.close();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '20000' },
      modes: { type: 'string', default: 'single,pool:1,threads:2' },
      repeat: { type: 'string', default: '1' },
      'batch-size': { type: 'string', default: '64' },
      backend: { type: 'string' },
      ner: { type: 'string' },
      relations: { type: 'string' },
      'models-dir': { type: 'string' },
      out: { type: 'string' },
      'pool-child': { type: 'string' },
      'chunk-size': { type: 'string', default: '500' },
      data: { type: 'string' },
    },
  });
  if (values['pool-child']) return poolChild(values);
  // The folders named on the command line may not exist yet (a fresh clone has no runs/).
  if (values.out) fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
  if (values['models-dir']) fs.mkdirSync(values['models-dir'], { recursive: true });
  const n = Number(values.records);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-re-scale-'));
  try {
    let ner = values.ner;
    let re = values.relations;
    const modelsDir = values['models-dir'] ?? dir;
    if (!ner || !re) {
      if (fs.existsSync(path.join(modelsDir, 're')))
        ({ ner, re } = { ner: path.join(modelsDir, 'ner'), re: path.join(modelsDir, 're') });
      else ({ ner, re } = await trainModels(modelsDir));
    }
    const texts = ccksTexts();
    const data = path.join(dir, 'records.jsonl');
    const fd = fs.openSync(data, 'w');
    for (let i = 0; i < n; i++)
      fs.writeSync(
        fd,
        JSON.stringify({ id: `scale-${i}`, text: texts[i % texts.length], entities: [], relations: [] }) + '\n',
      );
    fs.closeSync(fd);
    const chars = texts.reduce((a, t) => a + t.length, 0) / texts.length;
    const ctx = {
      dir,
      ner,
      re,
      data,
      backend: values.backend,
      batchSize: Number(values['batch-size']),
      chunkSize: Number(values['chunk-size']),
    };
    const common = {
      date: new Date().toISOString(),
      records: n,
      meanChars: Math.round(chars),
      cores: os.availableParallelism(),
      backend: values.backend ?? 'auto',
      batchSize: ctx.batchSize,
      models: values.ner
        ? { ner, relations: re }
        : {
            ner: NER_CONFIG,
            relations: RE_CONFIG,
            trainedOn: `first ${TRAIN_RECORDS} CMeIE records, ${NER_CONFIG.epochs} epochs`,
          },
    };
    let reference;
    const rounds = Number(values.repeat);
    const modes = Array.from({ length: rounds }, (_, r) => values.modes.split(',').map((m) => [m, r + 1])).flat();
    for (const [mode, round] of modes) {
      const [kind, k] = mode.split(':');
      const workers = Number(k ?? 1);
      const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
      const result =
        kind === 'pool'
          ? await runPool(workers, ctx)
          : kind === 'queue' || kind === 'queue-store'
            ? await runQueue(workers, ctx, kind === 'queue-store')
            : await runExtract(mode, kind === 'single' ? 1 : workers, ctx);
      const text = fs.readFileSync(result.out, 'utf8');
      reference ??= kind === 'single' ? text : undefined;
      const row = {
        ...common,
        mode,
        round,
        seconds: result.seconds,
        recordsPerSecond: Math.round((n / result.seconds) * 10) / 10,
        cpuSeconds: Math.round(result.cpuSeconds * 10) / 10,
        // Records per CPU-second (user + system, all threads): what one fully used core would do, whatever the load.
        recordsPerCpuSecond: Math.round((n / result.cpuSeconds) * 10) / 10,
        peakRssMB: Math.round(result.peakRssMB),
        lines: text.split('\n').length - 1,
        ...outputCounts(text),
        same: reference === undefined ? undefined : text === reference,
        loadBefore,
        loadAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
        uptime: execFileSync('uptime').toString().trim(),
        ...result.extra,
      };
      delete common.models;
      const line = JSON.stringify(row);
      console.log(line);
      if (values.out) fs.appendFileSync(values.out, line + '\n');
      fs.rmSync(result.out);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
