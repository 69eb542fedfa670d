#!/usr/bin/env node
/*
 * The knowledge-graph store at scale (issue 17): `emr-re kg add` and a named question on a predictions file, and
 * on that file replicated 10x and 100x (every record copied with a new id `<id>~<k>`: the same entities and edges,
 * k times the mentions and the evidence), so the growth is known.
 *
 * For each scale, in a fresh temporary store (never in the repo), each command a fresh process under /usr/bin/time:
 *   add         `emr-re kg add --store S --predictions F` (wall seconds, peak RSS)
 *   addAgain    the same add once more (adds nothing; the store's bytes are checked unchanged)
 *   stats       entities, edges, evidence, records, triples and graph.nq bytes (`emr-re kg stats --json`)
 *   ask         `emr-re kg ask QUESTION ARG` (wall seconds: loading the store and answering)
 *   openMs, queryMs   in this process: openGraph of the store, then the question's SPARQL alone (median of 5)
 * ARG is --arg, or else the disease entity with the most mentions (types 疾病 / disease).
 *
 * Usage: node bench/kg.js (--predictions FILE.jsonl | --cmeie) [--scales 1,10,100] [--question drugs-for]
 *                         [--arg NAME] [--model-id ID]
 *   --cmeie   the CMeIE train records with their gold relations (../shared/data/cmeie/train.jsonl) as predictions
 * Prints one JSON line per scale. Needs the built packages (npm run build).
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { parseArgs } = require('node:util');
const { pkg, CMEIE } = require('./common');

const BIN = path.join(__dirname, '..', 'packages', 'cli', 'bin', 'emr-re.js');

/** Runs the CLI under /usr/bin/time: {code, stdout, stderr, seconds, peakRssMB}. */
function emr(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %M %e', process.execPath, BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /TIME (\d+) ([\d.]+)\s*$/.exec(stderr);
      if (code !== 0)
        return reject(
          new Error(`emr-re ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`),
        );
      resolve({ stdout, seconds: m ? Number(m[2]) : NaN, peakRssMB: m ? Math.round(Number(m[1]) / 1024) : NaN });
    });
  });
}

async function readRecords(values) {
  const tokenize = pkg('tokenize');
  if (values.cmeie) {
    const schema = await tokenize.loadSchema('cmeie');
    return tokenize.readAllRecords(tokenize.openCorpus(CMEIE, 'cmeie', { schema, skipInvalid: true }));
  }
  return tokenize.readAllRecords(tokenize.openCorpus(path.resolve(values.predictions), 'jsonl'));
}

/** The records k times over, copies renamed `<id>~<k>`, as canonical JSONL. */
async function writeReplicated(records, k, file) {
  const tokenize = pkg('tokenize');
  async function* copies() {
    for (let c = 0; c < k; c++) for (const r of records) yield c === 0 ? r : { ...r, id: `${r.id}~${c}` };
  }
  await tokenize.writeJsonl(file, copies());
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const { values } = parseArgs({
    options: {
      predictions: { type: 'string' },
      cmeie: { type: 'boolean', default: false },
      scales: { type: 'string', default: '1,10,100' },
      question: { type: 'string', default: 'drugs-for' },
      arg: { type: 'string' },
      'model-id': { type: 'string' },
    },
  });
  if (!values.predictions === !values.cmeie) throw new Error('give --predictions FILE.jsonl or --cmeie');
  const kg = pkg('kg');
  const records = await readRecords(values);
  const input = values.cmeie ? 'cmeie/train.jsonl (gold relations)' : path.resolve(values.predictions);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-bench-kg-'));
  try {
    for (const scale of values.scales.split(',').map(Number)) {
      try {
        await runScale(scale);
      } catch (err) {
        // e.g. a graph beyond the embedded store's 4 GB of WebAssembly memory: reported, the next scale still runs
        console.log(JSON.stringify({ input, scale, records: records.length * scale, error: err.message }));
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  async function runScale(scale) {
    {
      const file = path.join(tmp, `x${scale}.jsonl`);
      const store = path.join(tmp, `store-x${scale}`);
      await writeReplicated(records, scale, file);
      const model = values['model-id'] ? ['--model-id', values['model-id']] : [];
      const add = await emr(['kg', 'add', '--store', store, '--predictions', file, '--quiet', ...model]);
      const bytes = fs.readFileSync(path.join(store, 'graph.nq'));
      const again = await emr(['kg', 'add', '--store', store, '--predictions', file, '--quiet', ...model]);
      const unchanged = fs.readFileSync(path.join(store, 'graph.nq')).equals(bytes);
      const stats = JSON.parse((await emr(['kg', 'stats', '--store', store, '--json'])).stdout);
      let arg = values.arg;
      const opened = Date.now();
      const g = await kg.openGraph(store, { create: false });
      const openMs = Date.now() - opened;
      if (arg === undefined) {
        const top = await g.query(
          'SELECT ?name WHERE { ?e emr:entityType ?t ; rdfs:label ?name ; emr:mentionCount ?n . FILTER(?t IN ("疾病", "disease")) } ORDER BY DESC(?n) ?name LIMIT 1',
        );
        arg = top.rows[0]?.name;
      }
      const sparql = kg.bindNamedQuery(kg.namedQuery(values.question), [arg]);
      const times = [];
      let answers = 0;
      for (let i = 0; i < 5; i++) {
        const t = process.hrtime.bigint();
        const result = await g.query(sparql);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        answers = result.rows.length;
      }
      await g.close();
      const ask = await emr(['kg', 'ask', values.question, arg, '--store', store, '--json']);
      fs.rmSync(file);
      console.log(
        JSON.stringify({
          input,
          scale,
          records: records.length * scale,
          addSeconds: add.seconds,
          addPeakRssMB: add.peakRssMB,
          addAgainSeconds: again.seconds,
          addAgainUnchanged: unchanged,
          entities: stats.entities,
          edges: stats.edges,
          evidence: stats.evidence,
          triples: stats.triples,
          storeBytes: stats.bytes,
          question: `${values.question} ${arg}`,
          answers,
          askSeconds: ask.seconds,
          openMs,
          queryMs: Number(median(times).toFixed(2)),
          node: process.version,
          cpus: os.cpus().length,
          date: new Date().toISOString().slice(0, 10),
        }),
      );
      fs.rmSync(store, { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
