#!/usr/bin/env node
/*
 * What Redis itself costs per chunk of an extraction job, on loopback (issue 19's per-chunk overhead, measured on
 * the Redis side only: BullMQ cannot run in this workspace, see packages/queue/README.md).
 *
 * 1. Makes a chunk of --chunk-size records evenly spaced over the CCKS 2017 texts (sorted by path), runs
 *    `emr-re extract --workers 1` on it with the given models, and gzips the chunk's input ({id,text} JSON) and its
 *    output (canonical JSONL): the bytes a queue would store per chunk.
 * 2. Starts Debian's redis-server on a free loopback port (no persistence) and runs redis-benchmark (one client,
 *    no pipelining) for SET and GET of values of those two sizes, and of 100-byte values (a queue's small
 *    bookkeeping commands).
 * Prints one JSON line: sizes, ops/s and ms per op.
 *
 * Usage: node bench/redis-chunk.js --ner DIR --relations DIR [--chunk-size 500] [--requests 2000]
 *   (the models of `node bench/scale.js --models-dir DIR`: DIR/ner and DIR/re)
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const zlib = require('node:zlib');
const { spawn, execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const { setTimeout: sleep } = require('node:timers/promises');
const { CCKS } = require('./common');

const BIN = path.join(__dirname, '..', 'packages', 'cli', 'bin', 'emr-re.js');

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

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

/** redis-benchmark's requests per second for SET and GET of `bytes`-byte values. */
function benchmark(port, bytes, requests) {
  const csv = execFileSync('/usr/bin/redis-benchmark', [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-t',
    'set,get',
    '-n',
    String(requests),
    '-d',
    String(bytes),
    '-c',
    '1',
    '-P',
    '1',
    '--csv',
  ]).toString();
  const out = {};
  for (const line of csv.trim().split('\n').slice(1)) {
    const [name, rps] = line.split(',').map((c) => c.replace(/"/g, ''));
    out[name.toLowerCase()] = { opsPerSecond: Number(rps), msPerOp: Math.round((1000 / Number(rps)) * 1000) / 1000 };
  }
  return out;
}

async function main() {
  const { values } = parseArgs({
    options: {
      ner: { type: 'string' },
      relations: { type: 'string' },
      'chunk-size': { type: 'string', default: '500' },
      requests: { type: 'string', default: '2000' },
    },
  });
  if (!values.ner || !values.relations) throw new Error('--ner DIR and --relations DIR are required');
  const size = Number(values['chunk-size']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-re-redis-chunk-'));
  let redis;
  try {
    const texts = ccksTexts();
    // Evenly spaced over the sorted texts, so that the chunk mixes the four section folders as a long job's do.
    const records = Array.from({ length: size }, (_, i) => ({
      id: `scale-${i}`,
      text: texts[Math.floor((i * texts.length) / size) % texts.length],
    }));
    const data = path.join(dir, 'chunk.jsonl');
    fs.writeFileSync(data, records.map((r) => JSON.stringify({ ...r, entities: [], relations: [] })).join('\n') + '\n');
    const out = path.join(dir, 'out.jsonl');
    execFileSync(process.execPath, [
      BIN,
      'extract',
      '--ner',
      values.ner,
      '--relations',
      values.relations,
      '--data',
      data,
      '--format',
      'jsonl',
      '--out',
      out,
      '--workers',
      '1',
      '--quiet',
    ]);
    const inputBytes = zlib.gzipSync(JSON.stringify(records)).length;
    const outputBytes = zlib.gzipSync(fs.readFileSync(out)).length;
    const port = await freePort();
    redis = spawn(
      '/usr/bin/redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    await waitForPort(port);
    const requests = Number(values.requests);
    const row = {
      date: new Date().toISOString(),
      redis: execFileSync('/usr/bin/redis-server', ['--version']).toString().trim(),
      chunkSize: size,
      gzipInputBytes: inputBytes,
      gzipOutputBytes: outputBytes,
      input: benchmark(port, inputBytes, requests),
      output: benchmark(port, outputBytes, requests),
      small: benchmark(port, 100, requests * 10),
      uptime: execFileSync('uptime').toString().trim(),
    };
    console.log(JSON.stringify(row));
  } finally {
    redis?.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
