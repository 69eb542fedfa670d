'use strict';
/* The result rows of bench/models.js (one JSON line a run) and the statistics its readers share. */
const fs = require('node:fs');

/** Every row of the JSONL files that exist, in file order. */
function readResults(files) {
  const rows = [];
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.trim()) rows.push(JSON.parse(line));
  }
  return rows;
}

/** The entity-aware options and class weighting a config turns on ("types, pool max, entity att, balanced"), or ''. */
function entityOptionsOf(config) {
  if (!config) return '';
  const parts = [];
  if (config.entityTypes) parts.push('types');
  if (config.entityPooling) parts.push(`pool ${config.entityPooling}`);
  if (config.entityAttention) parts.push('entity att');
  if (config.classWeights === 'balanced') parts.push('balanced');
  if (config.tag) parts.push(config.tag);
  return parts.join(', ');
}

/** The variant of a run beyond its preset ("tanh-score, lr 0.001, types"), or '' for the preset itself. */
function variantOf(r) {
  const parts = [];
  if (r.config.attentionForm) parts.push(r.config.attentionForm);
  if (r.learningRateFlag !== undefined) parts.push(`lr ${r.learningRateFlag}`);
  const options = entityOptionsOf(r.config);
  if (options) parts.push(options);
  return parts.join(', ');
}

/** The dev macro-F1 of a run's best epoch (the one early stopping restored). */
const bestDev = (r) => Math.max(...(r.fit.devMacroF1 ?? [0]));

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation (n − 1); 0 for a single value. */
const sd = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pct = (x) => (x * 100).toFixed(2);
const meanSd = (xs) => `${pct(mean(xs))} ± ${pct(sd(xs))}`;

module.exports = { readResults, entityOptionsOf, variantOf, bestDev, mean, sd, pct, meanSd };
