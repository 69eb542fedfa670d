#!/usr/bin/env node
/*
 * Seed averaging and a dev-chosen decision rule over the probability files that `bench/models.js --save-probs DIR`
 * writes (one per run: labels, and for the dev and test candidates their gold labels and probability rows).
 *
 * Runs are grouped by their key without the model seed (same schema, arch, options, preset, epochs). Per group:
 *   - single: each seed's argmax on test (mean ± sample sd over seeds), as bench/models.js scores it;
 *   - rule: the decision rule chosen on dev, applied to each seed alone (mean ± sd);
 *   - average: the mean of the seeds' probability rows, argmax;
 *   - average + rule: the same with the rule.
 * The rule scores label j by log p_j − τ·log prior_j (prior: the label's share of the training candidates; the
 * adjustment of Menon et al. 2021 that favours rare classes) and multiplies the `unknown` probability by β (a
 * threshold on "is there a relation at all"). τ ∈ {0, .25, .5, .75, 1} and β ∈ {.25, .35, .5, .7, 1, 1.4} are chosen
 * on the dev candidates only, by the mean of dev micro- and macro-F1; the test rows are never looked at to choose.
 *
 * Usage: node bench/ensemble.js --probs DIR [--match TEXT[;TEXT...]] [--combine] [--schema cmeie|paper] [--seed 42] [--json]
 *   --match: only files whose key contains one of the TEXTs (separated by ';', as keys hold commas); --combine: all matched runs are one group (an ensemble
 *   across architectures or options; "single" is then over its members); --seed: the record split of the runs
 *   (bench/models.js --seed).
 * Needs the built packages (npm run build). The data are read in place, never copied.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { pkg, CMEIE, shuffled } = require('./common');
const { mean, pct, meanSd } = require('./results');

const { values } = parseArgs({
  options: {
    probs: { type: 'string' },
    match: { type: 'string' },
    combine: { type: 'boolean', default: false },
    schema: { type: 'string', default: 'cmeie' },
    seed: { type: 'string', default: '42' },
    json: { type: 'boolean', default: false },
  },
});

const TAUS = [0, 0.25, 0.5, 0.75, 1];
const BETAS = [0.25, 0.35, 0.5, 0.7, 1, 1.4];
const UNKNOWN = 'unknown';

/** The training candidates' label shares (+1 smoothing) in `labels` order, from the split bench/models.js uses. */
async function trainPriors(labels) {
  const tok = pkg('tokenize');
  const ra = pkg('resgru-att');
  const schema = await tok.loadSchema(values.schema);
  const all = await tok.readAllRecords(tok.openCorpus(CMEIE, 'cmeie', { schema }));
  const records = shuffled(all, Number(values.seed));
  const trainAll = records.slice(0, Math.round(records.length * 0.8));
  const trainPart = trainAll.slice(0, Math.round(trainAll.length * 0.9));
  const counts = new Map(labels.map((l) => [l, 1]));
  for (const c of ra.toCandidates(trainPart, schema, true)) counts.set(c.label, (counts.get(c.label) ?? 1) + 1);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return Float64Array.from(labels, (l) => counts.get(l) / total);
}

/** Predicted labels of probability rows under the rule (τ, β); τ = 0, β = 1 is the plain argmax. */
function decide(rows, labels, priors, tau, beta) {
  const unknown = labels.indexOf(UNKNOWN);
  return rows.map((row) => {
    let best = -1;
    let bestScore = -Infinity;
    for (let j = 0; j < row.length; j++) {
      if (row[j] <= 0) continue; // not allowed for the pair's types (the model zeroes it)
      const score = j === unknown ? Math.log(row[j] * beta) : Math.log(row[j]) - tau * Math.log(priors[j]);
      if (score > bestScore) {
        bestScore = score;
        best = j;
      }
    }
    return best < 0 ? UNKNOWN : labels[best];
  });
}

function score(gold, pred) {
  const { scorePairs } = pkg('metrics');
  const report = scorePairs(gold.map((g, i) => ({ gold: g, pred: pred[i] })));
  return { micro: report.micro.f1, macro: report.macro.f1 };
}

/** The (τ, β) with the best mean of dev micro- and macro-F1 (ties: the smaller change from plain argmax). */
function chooseRule(dev, labels, priors) {
  let best;
  for (const tau of TAUS)
    for (const beta of BETAS) {
      const s = score(dev.gold, decide(dev.probs, labels, priors, tau, beta));
      const objective = (s.micro + s.macro) / 2;
      if (best === undefined || objective > best.objective + 1e-12) best = { tau, beta, objective, dev: s };
    }
  return best;
}

function averageRows(parts) {
  return parts[0].probs.map((row, i) => row.map((_, j) => mean(parts.map((p) => p.probs[i][j]))));
}

async function main() {
  if (!values.probs) throw new Error('--probs DIR is required');
  const files = fs
    .readdirSync(values.probs)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(values.probs, f));
  const runs = files
    .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')))
    .filter(
      (r) =>
        r.key.startsWith(`${values.schema}|`) &&
        (!values.match || values.match.split(';').some((m) => r.key.includes(m))),
    );
  const groups = new Map();
  for (const r of runs) {
    const parts = r.key.split('|');
    const seed = parts[6];
    parts[6] = '*';
    const key = values.combine ? `combined: ${values.match ?? 'all'}` : parts.join('|');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ ...r, modelSeed: values.combine ? `${parts[1]}/${seed}` : seed });
  }
  let priors;
  const out = [];
  for (const [key, members] of [...groups.entries()].sort()) {
    members.sort((a, b) => (a.modelSeed < b.modelSeed ? -1 : a.modelSeed > b.modelSeed ? 1 : 0));
    const labels = members[0].labels;
    if (members.some((m) => m.labels.join() !== labels.join() || m.test.gold.join() !== members[0].test.gold.join()))
      throw new Error(`${key}: runs disagree on labels or test candidates`);
    priors ??= await trainPriors(labels);
    const single = members.map((m) => score(m.test.gold, decide(m.test.probs, labels, priors, 0, 1)));
    const ruled = members.map((m) => {
      const rule = chooseRule(m.dev, labels, priors);
      return { rule, test: score(m.test.gold, decide(m.test.probs, labels, priors, rule.tau, rule.beta)) };
    });
    const dev = { gold: members[0].dev.gold, probs: averageRows(members.map((m) => m.dev)) };
    const testAvg = averageRows(members.map((m) => m.test));
    const average = score(members[0].test.gold, decide(testAvg, labels, priors, 0, 1));
    const devSingle = members.map((m) => score(m.dev.gold, decide(m.dev.probs, labels, priors, 0, 1)));
    const devAverage = score(dev.gold, decide(dev.probs, labels, priors, 0, 1));
    const rule = chooseRule(dev, labels, priors);
    const averageRuled = score(members[0].test.gold, decide(testAvg, labels, priors, rule.tau, rule.beta));
    out.push({
      group: key,
      seeds: members.map((m) => m.modelSeed),
      single,
      devSingle,
      devAverage,
      ruled: ruled.map((r) => ({ tau: r.rule.tau, beta: r.rule.beta, ...r.test })),
      average,
      averageRule: { tau: rule.tau, beta: rule.beta, devMicro: rule.dev.micro, devMacro: rule.dev.macro },
      averageRuled,
    });
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  process.stdout.write(
    '| Runs (key, seed *) | seeds | dev single micro / macro | dev average micro / macro | single micro | single macro | rule micro | rule macro | average micro | average macro | average + rule (τ, β) micro | macro |\n' +
      '|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n',
  );
  for (const g of out) {
    process.stdout.write(
      `| ${g.group} | ${g.seeds.join(', ')} | ${pct(mean(g.devSingle.map((s) => s.micro)))} / ${pct(mean(g.devSingle.map((s) => s.macro)))} | ` +
        `${pct(g.devAverage.micro)} / ${pct(g.devAverage.macro)} | ${meanSd(g.single.map((s) => s.micro))} | ${meanSd(g.single.map((s) => s.macro))} | ` +
        `${meanSd(g.ruled.map((s) => s.micro))} | ${meanSd(g.ruled.map((s) => s.macro))} | ${pct(g.average.micro)} | ${pct(g.average.macro)} | ` +
        `(${g.averageRule.tau}, ${g.averageRule.beta}) ${pct(g.averageRuled.micro)} | ${pct(g.averageRuled.macro)} |\n`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`bench/ensemble.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
