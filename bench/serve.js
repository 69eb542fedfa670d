#!/usr/bin/env node
// Load benchmark of `emr-re serve`: starts the built CLI's server on a free loopback port (its own process), sends
// --requests POST /v1/extract requests of --records texts each, at most --concurrency at a time, and samples the
// server process's resident memory (VmRSS) every --sample-ms. Prints one JSON line: requests/s, records/s, latency
// percentiles (ms), errors, and RSS over time (MB), with the first and last tenth of the run to show whether it is
// flat. Stops the server with SIGTERM and checks it exits 0. Needs a build (`npx turbo run build --filter=@emr-re/cli...`).
//
//   node bench/serve.js --ner DIR --relations DIR --data FILE [--requests 400] [--concurrency 8] [--records 4]
//                       [--sample-ms 500] [--warmup 8]
// --data: a text file (one record a line) or JSONL with a "text" field a line (e.g. ../shared/data/cmeie/train.jsonl).
/* global fetch, setInterval, clearInterval */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const BIN = path.join(__dirname, '..', 'packages', 'cli', 'bin', 'emr-re.js');

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return +sorted[i].toFixed(1);
}

function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? +(Number(m[1]) / 1024).toFixed(1) : null;
  } catch {
    return null;
  }
}

function readTexts(file) {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines
    .map((l) => (l.trimStart().startsWith('{') ? JSON.parse(l).text : l))
    .filter((t) => typeof t === 'string');
}

/** Starts `emr-re serve --port 0` and resolves with the child and its URL (from the line it prints on stdout). */
function startServer(args) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args, '--host', '127.0.0.1', '--port', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`emr-re serve exited ${code}: ${err.trim().split('\n').pop()}`)));
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      ner: { type: 'string' },
      relations: { type: 'string' },
      data: { type: 'string' },
      requests: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '8' },
      records: { type: 'string', default: '4' },
      'sample-ms': { type: 'string', default: '500' },
      warmup: { type: 'string', default: '8' },
    },
  });
  if (!values.ner || !values.relations || !values.data)
    throw new Error('--ner DIR --relations DIR --data FILE are required');
  const total = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const perRequest = Number(values.records);
  const texts = readTexts(values.data);
  if (texts.length === 0) throw new Error(`${values.data}: no texts`);
  const { child, url } = await startServer(['--ner', values.ner, '--relations', values.relations]);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let cursor = 0;
  const found = { entities: 0, relations: 0 };
  const body = () => {
    const records = [];
    for (let k = 0; k < perRequest; k++)
      records.push({ id: `b${cursor}-${k}`, text: texts[(cursor * perRequest + k) % texts.length] });
    cursor++;
    return JSON.stringify({ records });
  };
  const send = async () => {
    const t0 = process.hrtime.bigint();
    const r = await fetch(`${url}/v1/extract`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(),
    });
    const json = await r.json();
    if (r.status === 200)
      for (const rec of json.records) {
        found.entities += rec.entities.length;
        found.relations += rec.relations.length;
      }
    return {
      ms: Number(process.hrtime.bigint() - t0) / 1e6,
      ok: r.status === 200 && json.records.length === perRequest,
      status: r.status,
    };
  };
  for (let i = 0; i < Number(values.warmup); i++) await send();
  found.entities = 0;
  found.relations = 0;

  const samples = [];
  const started = Date.now();
  const sampler = setInterval(
    () => samples.push({ s: +((Date.now() - started) / 1000).toFixed(1), rssMB: rssMB(child.pid) }),
    Number(values['sample-ms']),
  );
  samples.push({ s: 0, rssMB: rssMB(child.pid) });
  const latencies = [];
  const statuses = {};
  let issued = 0;
  let errors = 0;
  async function worker() {
    while (issued < total) {
      issued++;
      const r = await send();
      latencies.push(r.ms);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (!r.ok) errors++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  samples.push({ s: +seconds.toFixed(1), rssMB: rssMB(child.pid) });
  child.kill('SIGTERM');
  const exit = await exited;

  const sorted = [...latencies].sort((a, b) => a - b);
  const rss = samples.map((x) => x.rssMB).filter((x) => x !== null);
  const tenth = Math.max(1, Math.floor(rss.length / 10));
  const mean = (xs) => +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
  console.log(
    JSON.stringify({
      bench: 'serve',
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadavg: os.loadavg().map((x) => +x.toFixed(2)),
      requests: total,
      concurrency,
      recordsPerRequest: perRequest,
      seconds: +seconds.toFixed(2),
      requestsPerSecond: +(total / seconds).toFixed(2),
      recordsPerSecond: +((total * perRequest) / seconds).toFixed(1),
      latencyMs: {
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: percentile(sorted, 100),
      },
      statuses,
      errors,
      found,
      rssMB: {
        firstTenth: mean(rss.slice(0, tenth)),
        lastTenth: mean(rss.slice(-tenth)),
        max: Math.max(...rss),
        samples,
      },
      serverExit: exit,
    }),
  );
  if (errors > 0 || exit.code !== 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`bench/serve.js: ${err.message}`);
  process.exitCode = 1;
});
