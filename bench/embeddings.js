#!/usr/bin/env node
/*
 * Character word2vec speed and sanity: @emr-re/embeddings vs fastText (`fasttext skipgram -minn 0 -maxn 0`)
 * on all text in ../shared/data (CCKS 2017 *.txtoriginal.txt records + CMeIE sentences), same dim, window,
 * negatives, epochs, threads and subsampling threshold. Prints one JSON object a line:
 *   {"bench":"embeddings","impl":"ours"|"fasttext","kernel":"wasm"|"js" (ours),"sample":..,"words":..,"seconds":..,
 *    "cpuSeconds":..,"wordsPerSec":..}
 *   {"bench":"embeddings","compare":"ours/fasttext","kernel":..,"sample":..,"speedup":..,"cpuSpeedup":..}
 *   {"bench":"embeddings","neighbours":"ours"|"fasttext","char":"腹","nearest":[["脐",0.71],...]}
 * Usage: node bench/embeddings.js [--data DIR] [--dim 100] [--window 5] [--negative 5] [--epochs 5]
 *                                 [--threads 2] [--samples 1e-3,1e-4] [--fasttext PATH] [--kernel wasm|js|auto]
 * --kernel picks our training kernel (default wasm: the WebAssembly SIMD kernel; js: the typed-array one).
 * speedup compares wall time (words/s), cpuSpeedup CPU time (fastText's from /usr/bin/time), both ours/fastText.
 * Needs the built package (npm run build); EMR_RE_EMBEDDINGS may point at another build of it.
 * The corpus is written to a temporary directory only (the data are not copied into the project).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const emb = require(
  process.env.EMR_RE_EMBEDDINGS || path.join(__dirname, '..', 'packages', 'embeddings', 'dist', 'index.js'),
);

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: path.join(__dirname, '..', '..', 'shared', 'data') },
    dim: { type: 'string', default: '100' },
    window: { type: 'string', default: '5' },
    negative: { type: 'string', default: '5' },
    epochs: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    samples: { type: 'string', default: '1e-3,1e-4' },
    fasttext: { type: 'string', default: 'fasttext' },
    kernel: { type: 'string', default: 'wasm' },
  },
});
if (!['wasm', 'js', 'auto'].includes(values.kernel)) throw new Error(`--kernel must be wasm, js or auto`);
/** The kernel that runs: 'auto' resolves to wasm when the runtime has WebAssembly SIMD. */
const kernel = values.kernel === 'auto' ? (emb.wasmSimdSupported() ? 'wasm' : 'js') : values.kernel;
const settings = {
  dim: Number(values.dim),
  window: Number(values.window),
  negative: Number(values.negative),
  epochs: Number(values.epochs),
  threads: Number(values.threads),
  minCount: 1,
};
const CHARS = ['腹', '胸', '头', '肺', '胃', '肝'];

function listFiles(dir, suffix) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p, suffix));
    else if (entry.name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

/** One sentence a line: the lines of every CCKS record, then every CMeIE sentence. */
function corpusLines(dataDir) {
  const lines = [];
  for (const f of listFiles(path.join(dataDir, 'ccks2017-cner'), '.txtoriginal.txt'))
    lines.push(...fs.readFileSync(f, 'utf8').split('\n'));
  for (const l of fs.readFileSync(path.join(dataDir, 'cmeie', 'train.jsonl'), 'utf8').split('\n'))
    if (l.trim()) lines.push(JSON.parse(l).text);
  return lines.map((l) => l.replace(/\s+/g, '')).filter((l) => l.length > 0);
}

function emit(obj) {
  process.stdout.write(JSON.stringify({ bench: 'embeddings', ...obj }) + '\n');
}

function neighbours(impl, table) {
  for (const ch of CHARS) {
    emit({
      neighbours: impl,
      char: ch,
      nearest: emb.nearestNeighbours(table, ch, 8).map((n) => [n.token, Number(n.similarity.toFixed(3))]),
    });
  }
}

function hasFastText() {
  const r = spawnSync(values.fasttext, [], { encoding: 'utf8' });
  return !r.error;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-bench-emb-'));
  try {
    const lines = corpusLines(values.data);
    const words = lines.reduce((s, l) => s + [...l].length, 0);
    const spaced = path.join(tmp, 'spaced.txt');
    fs.writeFileSync(spaced, lines.map((l) => [...l].join(' ')).join('\n') + '\n');
    const fastText = hasFastText();
    emit({
      corpus: { sentences: lines.length, words },
      settings,
      kernel,
      fastText,
      cpus: os.cpus().length,
      loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    });
    for (const sample of values.samples.split(',').map(Number)) {
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const table = await emb.trainWord2Vec(lines, { ...settings, sample, seed: 1, kernel });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      const ours = (settings.epochs * words) / seconds;
      const oursCpu = (cpu.user + cpu.system) / 1e6;
      emit({
        impl: 'ours',
        kernel,
        sample,
        words: settings.epochs * words,
        seconds: Number(seconds.toFixed(3)),
        cpuSeconds: Number(oursCpu.toFixed(3)),
        wordsPerSec: Math.round(ours),
        loadavg: os.loadavg()[0],
      });
      if (sample === 1e-3) neighbours('ours', table);
      if (!fastText) continue;
      const out = path.join(tmp, `ft-${sample}`);
      const args = [
        'skipgram',
        '-input',
        spaced,
        '-output',
        out,
        '-dim',
        settings.dim,
        '-ws',
        settings.window,
        '-neg',
        settings.negative,
        '-epoch',
        settings.epochs,
        '-minCount',
        1,
        '-minn',
        0,
        '-maxn',
        0,
        '-thread',
        settings.threads,
        '-t',
        sample,
        '-verbose',
        0,
      ].map(String);
      const timed = fs.existsSync('/usr/bin/time');
      const t1 = process.hrtime.bigint();
      const r = timed
        ? spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', values.fasttext, ...args], { encoding: 'utf8' })
        : spawnSync(values.fasttext, args, { encoding: 'utf8' });
      const ftSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
      if (r.status !== 0) throw new Error(`fasttext failed: ${r.stderr}`);
      const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr || '');
      const ftCpu = m ? Number(m[1]) + Number(m[2]) : null;
      const ft = (settings.epochs * words) / ftSeconds;
      emit({
        impl: 'fasttext',
        sample,
        words: settings.epochs * words,
        seconds: Number(ftSeconds.toFixed(3)),
        cpuSeconds: ftCpu === null ? null : Number(ftCpu.toFixed(3)),
        wordsPerSec: Math.round(ft),
        loadavg: os.loadavg()[0],
      });
      emit({
        compare: 'ours/fasttext',
        kernel,
        sample,
        speedup: Number((ours / ft).toFixed(3)),
        cpuSpeedup: ftCpu === null ? null : Number((ftCpu / oursCpu).toFixed(3)),
      });
      if (sample === 1e-3) neighbours('fasttext', await emb.loadWord2Vec(`${out}.vec`, { format: 'text' }));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench/embeddings: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
