#!/usr/bin/env node
'use strict';
/*
 * Cohen's kappa between two annotators on the documents both annotated (the second pass):
 *   node corpus/emr-relations/tools/agreement.js <first.jsonl> <second.jsonl>
 * Relations: over every allowed pair of gold entities of the shared documents, the label of each annotator
 * (a relation or none): kappa over all labels, and per relation the binary kappa of "this label" versus any
 * other. Assertions: kappa over the five values on every disease, symptom and treatment entity. Prints JSON.
 * A kappa is null when it is undefined (both annotators give one class to every item).
 */
const { tokenize, CCKS, schema, allowedPairs } = require('./common');

/** Cohen's kappa of two equal-length label arrays; null when the expected agreement is 1. */
function kappa(a, b) {
  const n = a.length;
  if (n === 0) return null;
  let agree = 0;
  const ca = new Map();
  const cb = new Map();
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  let expected = 0;
  for (const [k, v] of ca) expected += (v / n) * ((cb.get(k) ?? 0) / n);
  return expected === 1 ? null : (agree / n - expected) / (1 - expected);
}

async function main() {
  const [fileA, fileB] = process.argv.slice(2);
  if (!fileA || !fileB) throw new Error('usage: agreement.js <first.jsonl> <second.jsonl>');
  const read = async (f) => new Map((await tokenize.readEmrCorpus(f, CCKS, { schema })).map((d) => [d.source, d]));
  const [a, b] = await Promise.all([read(fileA), read(fileB)]);
  const shared = [...a.keys()].filter((k) => b.has(k));
  const relA = [];
  const relB = [];
  const asA = [];
  const asB = [];
  for (const source of shared) {
    const [da, db] = [a.get(source), b.get(source)];
    const label = (doc) => new Map(doc.record.relations.map((r) => [`${r.head}>${r.tail}`, r.label]));
    const [la, lb] = [label(da), label(db)];
    for (const p of allowedPairs(da.record)) {
      const key = `${p.head.id}>${p.tail.id}`;
      relA.push(la.get(key) ?? 'none');
      relB.push(lb.get(key) ?? 'none');
    }
    db.record.entities.forEach((e, i) => {
      if (e.assertion === undefined) return;
      asA.push(da.record.entities[i].assertion);
      asB.push(e.assertion);
    });
  }
  const labels = schema.pairs.flatMap((p) => p.labels);
  const perRelation = Object.fromEntries(
    labels.map((l) => [
      l,
      {
        first: relA.filter((x) => x === l).length,
        second: relB.filter((x) => x === l).length,
        kappa: kappa(
          relA.map((x) => x === l),
          relB.map((x) => x === l),
        ),
      },
    ]),
  );
  console.log(
    JSON.stringify(
      {
        documents: shared.length,
        pairs: relA.length,
        relationKappa: kappa(relA, relB),
        perRelation,
        assertedEntities: asA.length,
        assertionKappa: kappa(asA, asB),
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err.message);
  process.exit(2);
});
