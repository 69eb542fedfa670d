#!/usr/bin/env node
'use strict';
/*
 * Turns an annotator's notes (entity numbers, no text) into the stand-off annotations.jsonl of the corpus:
 *   node corpus/emr-relations/tools/compile.js <notes.txt> [--annotator A] [--out annotations.jsonl]
 * Notes, one block a document, entity numbers n of e<n> as list-pairs.js shows them:
 *   @<folder>/<name>
 *   SAP 3>0,1,2        relation lines: a label, then head>tail groups; either side may be a comma list
 *   A absent 3 5       assertion lines: a value, then the entities that have it
 * A disease, symptom or treatment entity without an assertion line is `present` (the annotator read it and left
 * it at the default); every pair not written is `none`. Every label is checked against the schema pair of its
 * entities' types and every assertion against the entity's type; documents keep the order of documents.json.
 */
const fs = require('node:fs');
const path = require('node:path');
const { tokenize, CORPUS, schema, loadDocument } = require('./common');

const VALUES = ['present', 'absent', 'possible', 'historical', 'family'];
const ASSERTED = ['disease', 'symptom', 'treatment'];

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}

const notesFile = process.argv[2];
const annotator = flag('annotator', 'A');
const out = flag('out', path.join(CORPUS, 'annotations.jsonl'));
const { documents } = JSON.parse(fs.readFileSync(path.join(CORPUS, 'documents.json'), 'utf8'));

const blocks = new Map();
let current;
fs.readFileSync(notesFile, 'utf8')
  .split('\n')
  .forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    if (line.startsWith('@')) {
      current = line.slice(1).trim();
      if (blocks.has(current)) throw new Error(`${notesFile}:${i + 1}: ${current} annotated twice`);
      blocks.set(current, []);
    } else {
      if (current === undefined) throw new Error(`${notesFile}:${i + 1}: a line before the first @record`);
      blocks.get(current).push({ line: i + 1, words: line.split(/\s+/) });
    }
  });

const numbers = (s, at) =>
  s.split(',').map((x) => {
    if (!/^\d+$/.test(x)) throw new Error(`${at}: "${x}" is not an entity number`);
    return Number(x);
  });

const lines = [];
for (const { record, split } of documents) {
  const lines_ = blocks.get(record);
  if (lines_ === undefined) continue;
  blocks.delete(record);
  const rec = loadDocument(record);
  const entity = (n, at) => {
    const e = rec.entities[n];
    if (e === undefined) throw new Error(`${at}: ${record} has no entity ${n}`);
    return e;
  };
  const relations = [];
  const seen = new Set();
  const assertion = new Map();
  for (const { line, words } of lines_) {
    const at = `${notesFile}:${line}`;
    const [head, ...rest] = words;
    if (head === 'A') {
      const [value, ...ns] = rest;
      if (!VALUES.includes(value)) throw new Error(`${at}: unknown assertion value "${value}"`);
      for (const n of ns.flatMap((w) => numbers(w, at))) {
        const e = entity(n, at);
        if (!ASSERTED.includes(e.type)) throw new Error(`${at}: ${record} e${n} is a ${e.type}: no assertion`);
        if (assertion.has(n)) throw new Error(`${at}: ${record} e${n} has two assertions`);
        assertion.set(n, value);
      }
      continue;
    }
    for (const group of rest) {
      const [hs, ts] = group.split('>');
      if (ts === undefined) throw new Error(`${at}: "${group}" is not head>tail`);
      for (const h of numbers(hs, at))
        for (const t of numbers(ts, at)) {
          const he = entity(h, at);
          const te = entity(t, at);
          const pair = schema.pairs.find((p) => p.head === he.type && p.tail === te.type);
          if (!pair?.labels.includes(head))
            throw new Error(`${at}: ${record} ${head} does not fit e${h} ${he.type} → e${t} ${te.type}`);
          if (seen.has(`${h}>${t}`)) throw new Error(`${at}: ${record} e${h}>e${t} labelled twice`);
          seen.add(`${h}>${t}`);
          relations.push({ head: he.ccks, tail: te.ccks, label: head });
        }
    }
  }
  const assertions = rec.entities
    .map((e, n) => [e, n])
    .filter(([e]) => ASSERTED.includes(e.type))
    .map(([e, n]) => ({ span: e.ccks, value: assertion.get(n) ?? 'present' }));
  relations.sort((a, b) => a.head[0] - b.head[0] || a.tail[0] - b.tail[0]);
  lines.push(JSON.stringify({ record, relations, assertions, split, annotator }));
}
if (blocks.size > 0) throw new Error(`not in documents.json: ${[...blocks.keys()].join(', ')}`);
tokenize.writeFileAtomicSync(out, lines.join('\n') + '\n');
console.log(JSON.stringify({ documents: lines.length, out: path.relative(process.cwd(), out) }));
