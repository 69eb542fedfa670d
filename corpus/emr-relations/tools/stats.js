#!/usr/bin/env node
'use strict';
/*
 * Counts of the EMR relation corpus, read through @emr-re/tokenize's readEmrCorpus (so every span is checked):
 *   node corpus/emr-relations/tools/stats.js [--markdown]
 * JSON (default) or the Markdown tables of the README: documents per folder, allowed pairs (candidates), relations
 * per label and assertion values, each per split and in all.
 */
const path = require('node:path');
const { tokenize, CCKS, CORPUS, schema } = require('./common');

const SPLITS = ['test', 'train', 'all'];
const LABELS = schema.pairs.flatMap((p) => p.labels);
const VALUES = tokenize.ASSERTION_VALUES;

function zero(keys) {
  return Object.fromEntries(keys.map((k) => [k, 0]));
}

async function main() {
  const docs = await tokenize.readEmrCorpus(path.join(CORPUS, 'annotations.jsonl'), CCKS, { schema });
  const out = {};
  for (const split of SPLITS) {
    out[split] = {
      documents: 0,
      folders: {},
      entities: 0,
      candidates: 0,
      none: 0,
      relations: zero(LABELS),
      candidatesByCategory: {},
      assertions: zero(VALUES),
    };
  }
  for (const doc of docs) {
    for (const split of [doc.split, 'all']) {
      const s = out[split];
      s.documents++;
      const folder = doc.source.split('/')[0];
      s.folders[folder] = (s.folders[folder] ?? 0) + 1;
      s.entities += doc.record.entities.length;
      for (const p of schema.pairs) {
        const heads = doc.record.entities.filter((e) => e.type === p.head).length;
        const tails = doc.record.entities.filter((e) => e.type === p.tail).length;
        const n = heads * tails - (p.head === p.tail ? heads : 0);
        s.candidatesByCategory[p.category] = (s.candidatesByCategory[p.category] ?? 0) + n;
        s.candidates += n;
      }
      for (const r of doc.record.relations) s.relations[r.label]++;
      s.none = s.candidates - Object.values(s.relations).reduce((a, b) => a + b, 0);
      for (const e of doc.record.entities) if (e.assertion !== undefined) s.assertions[e.assertion]++;
    }
  }
  if (!process.argv.includes('--markdown')) {
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  const row = (name, get) => `| ${name} | ${SPLITS.map((s) => get(out[s])).join(' | ')} |`;
  const head = `| | ${SPLITS.join(' | ')} |\n|---|${SPLITS.map(() => '---:').join('|')}|`;
  const folders = Object.keys(out.all.folders);
  console.log(
    [
      head,
      row('documents', (s) => s.documents),
      ...folders.map((f) => row(`— ${f}`, (s) => s.folders[f] ?? 0)),
      row('gold entities', (s) => s.entities),
      row('allowed pairs (candidates)', (s) => s.candidates),
      ...LABELS.map((l) => row(l, (s) => s.relations[l])),
      row('none', (s) => s.none),
      ...VALUES.map((v) => row(`assertion ${v}`, (s) => s.assertions[v])),
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(err.message);
  process.exit(2);
});
