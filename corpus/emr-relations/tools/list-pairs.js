#!/usr/bin/env node
'use strict';
/*
 * Shows a document for annotation, on stdout only (the text is never written into the repository):
 *   node corpus/emr-relations/tools/list-pairs.js <folder>/<name> [--pairs]
 * Prints the text with each gold entity marked as [mention]<n><type letter> (n of entity e<n>, letters D disease,
 * S symptom, T test, R treatment, P position), the entity table with CCKS offsets, and the number of allowed pairs
 * per schema category; with --pairs, every allowed pair (head id, tail id, offsets, allowed labels).
 */
const { loadDocument, allowedPairs } = require('./common');

const LETTER = { disease: 'D', symptom: 'S', test: 'T', treatment: 'R', position: 'P' };

function marked(rec) {
  let out = '';
  let at = 0;
  for (const e of rec.entities) {
    if (e.start < at) continue; // gold entities of CCKS 2017 do not overlap; keep the first if they ever do
    out += rec.text.slice(at, e.start) + `[${e.text}]${e.id.slice(1)}${LETTER[e.type]}`;
    at = e.end;
  }
  return out + rec.text.slice(at);
}

for (const record of process.argv.slice(2).filter((a) => !a.startsWith('--'))) {
  const rec = loadDocument(record);
  const pairs = allowedPairs(rec);
  console.log(`## ${record}  (${rec.entities.length} entities, ${pairs.length} allowed pairs)`);
  console.log(marked(rec).replace(/\s+$/, ''));
  if (process.argv.includes('--pairs')) {
    for (const p of pairs)
      console.log(
        `${p.head.id}[${p.head.ccks}] ${p.head.type} -> ${p.tail.id}[${p.tail.ccks}] ${p.tail.type}: ${p.labels.join('|')}|none`,
      );
  }
}
