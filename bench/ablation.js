#!/usr/bin/env node
/*
 * The ablation tables of the entity-aware options (issue 16) from the result rows of bench/models.js:
 *   node bench/ablation.js --results a.jsonl[,b.jsonl] [--init random|word2vec] [--epochs N] [--patience P]
 *                          [--min-seeds K]
 * Per schema and architecture, every variant (the options it turns on) over its model seeds: dev macro-F1 of the
 * best epoch, test micro/macro F1 (mean ± sample sd), the paired difference to the same architecture's plain model
 * over the seeds both have, and the mean training minutes. Then which variant dev picks per architecture, the mean
 * dev gain of each variant over the architectures that have it, and every variant's test F1 side by side per
 * architecture (is ResGRU-Att at least as good as the baselines with the same options?). Choices are made on dev only,
 * among the variants with at least K seeds (default 3; the others are listed, not picked).
 */
'use strict';
const { parseArgs } = require('node:util');
const { readResults, variantOf, bestDev, mean, pct, meanSd } = require('./results');

const { values } = parseArgs({
  options: {
    results: { type: 'string' },
    init: { type: 'string', default: 'word2vec' },
    epochs: { type: 'string' },
    patience: { type: 'string' },
    'min-seeds': { type: 'string', default: '3' },
  },
});

const PLAIN = 'no option';

/** The rows of one configuration, grouped: schema → arch → variant → seed → row (a seed's later row wins). */
function group(rows) {
  const out = new Map();
  for (const r of rows) {
    const at = (map, key) => (map.has(key) ? map.get(key) : map.set(key, new Map()).get(key));
    at(at(at(out, r.schema), r.arch), variantOf(r) || PLAIN).set(r.modelSeed, r);
  }
  return out;
}

/** The differences `metric(run) − metric(plain run)` over the seeds both have ([] for the plain variant itself). */
function pairedDiffs(runs, plain, metric) {
  if (!plain || runs === plain) return [];
  return [...runs.keys()].filter((s) => plain.has(s)).map((s) => metric(runs.get(s)) - metric(plain.get(s)));
}

/** Mean ± sd of `pairedDiffs` with the number of seeds, or '-'. */
function pairedDifference(runs, plain, metric) {
  const d = pairedDiffs(runs, plain, metric);
  return d.length === 0 ? '-' : `${meanSd(d)} (${d.length})`;
}

const micro = (r) => r.metrics.micro.f1;
const macro = (r) => r.metrics.macro.f1;
const minutes = (runs) => (mean([...runs.values()].map((r) => r.trainSeconds ?? r.wallSeconds)) / 60).toFixed(1);
const seedsOf = (runs) => [...runs.keys()].sort((a, b) => a - b).join(', ');
const over = (runs, f) => [...runs.values()].map(f);

function printSchema(schema, archs) {
  const out = (line) => process.stdout.write(line + '\n');
  out(`### Schema ${schema}: each option on each architecture (mean ± sd over model seeds)\n`);
  out(
    '| Model | variant | seeds | dev macro F1 | test micro F1 | test macro F1 | Δ dev macro vs no option | ' +
      'Δ test micro vs no option | Δ test macro vs no option | train min |',
  );
  out('|:--|:--|:--|--:|--:|--:|--:|--:|--:|--:|');
  const picks = [];
  const gains = new Map();
  for (const [arch, variants] of [...archs.entries()].sort()) {
    const plain = variants.get(PLAIN);
    const ordered = [...variants.entries()].sort((a, b) => mean(over(b[1], bestDev)) - mean(over(a[1], bestDev)));
    for (const [variant, runs] of ordered) {
      out(
        `| ${arch} | ${variant} | ${seedsOf(runs)} | ${meanSd(over(runs, bestDev))} | ${meanSd(over(runs, micro))} | ` +
          `${meanSd(over(runs, macro))} | ${pairedDifference(runs, plain, bestDev)} | ` +
          `${pairedDifference(runs, plain, micro)} | ${pairedDifference(runs, plain, macro)} | ${minutes(runs)} |`,
      );
      const d = pairedDiffs(runs, plain, bestDev);
      if (d.length > 0) (gains.get(variant) ?? gains.set(variant, []).get(variant)).push({ arch, gain: mean(d) });
    }
    const [pick] = ordered.filter(([, runs]) => runs.size >= Number(values['min-seeds']));
    if (pick) picks.push(`${arch}: ${pick[0]} (dev macro ${pct(mean(over(pick[1], bestDev)))})`);
  }
  out(
    `\nDev picks, per architecture (highest mean dev macro-F1, ≥ ${values['min-seeds']} seeds): ` +
      `${picks.join('; ') || 'none'}.\n`,
  );
  out('| variant | mean Δ dev macro vs no option | per architecture |');
  out('|:--|--:|:--|');
  const byGain = [...gains.entries()].sort((a, b) => mean(b[1].map((g) => g.gain)) - mean(a[1].map((g) => g.gain)));
  for (const [variant, list] of byGain) {
    const each = list.map((g) => `${g.arch} ${g.gain >= 0 ? '+' : ''}${pct(g.gain)}`).join(', ');
    out(`| ${variant} | ${pct(mean(list.map((g) => g.gain)))} | ${each} |`);
  }
  const names = [...archs.keys()].sort();
  const allVariants = [...new Set([...archs.values()].flatMap((v) => [...v.keys()]))].sort();
  out(`\n### Schema ${schema}: test micro / macro F1 of each variant side by side (mean over seeds; seeds)\n`);
  out(`| variant | ${names.join(' | ')} |`);
  out(`|:--|${names.map(() => '--:').join('|')}|`);
  for (const variant of allVariants) {
    const cells = names.map((a) => {
      const runs = archs.get(a).get(variant);
      if (!runs) return '-';
      return `${pct(mean(over(runs, micro)))} / ${pct(mean(over(runs, macro)))} (${runs.size})`;
    });
    out(`| ${variant} | ${cells.join(' | ')} |`);
  }
  out('');
}

function main() {
  if (!values.results) throw new Error('--results FILE[,FILE] is required');
  let rows = readResults(values.results.split(',')).filter(
    (r) => r.modelSeed !== undefined && r.init === values.init && r.metrics && r.fit,
  );
  if (values.epochs) rows = rows.filter((r) => r.epochsFlag === Number(values.epochs));
  if (values.patience) rows = rows.filter((r) => r.patienceFlag === Number(values.patience));
  for (const [schema, archs] of group(rows)) printSchema(schema, archs);
}

main();
