#!/usr/bin/env node
'use strict';
/*
 * Cohen's kappa between two annotators on the documents both annotated (the second pass):
 *   node corpus/emr-relations/tools/agreement.js <first.jsonl> <second.jsonl> [--markdown] [--disagreements]
 * Relations: over every allowed pair of gold entities of the shared documents, the label of each annotator
 * (a relation or none): kappa over all labels; per relation the binary kappa of "this label" versus any other
 * label (none or the other relation of the category) over the pairs of that relation's category (`kappa`), and
 * over all allowed pairs (`kappaAllPairs`, as before). Assertions: kappa over the five values on every disease,
 * symptom and treatment entity, with the counts of each value and the confusion of the two annotators.
 * Every kappa comes with its observed agreement. Prints JSON; --markdown prints the README's table instead;
 * --disagreements prints every pair and entity the annotators labelled differently (ids, offsets, types,
 * labels and the mentions' text, on stdout only: never write that output into the repository).
 * A kappa is null when it is undefined (both annotators give one class to every item).
 */
const { tokenize, CCKS, schema, allowedPairs } = require('./common');

/** Cohen's kappa and observed agreement of two equal-length label arrays; kappa null when expected agreement is 1. */
function kappa(a, b) {
  const n = a.length;
  if (n === 0) return { kappa: null, observed: null };
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
  return { kappa: expected === 1 ? null : (agree / n - expected) / (1 - expected), observed: agree / n };
}

/** How many items the two label arrays give `label` in the first, the second, and both. */
function counts(a, b, label) {
  let first = 0;
  let second = 0;
  let both = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === label) first++;
    if (b[i] === label) second++;
    if (a[i] === label && b[i] === label) both++;
  }
  return { first, second, both };
}

const round = (x, d = 3) => (x === null ? 'n/a' : x.toFixed(d));

function markdown(out) {
  const rows = [
    '| labels | items | first | second | both | observed agreement | κ |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| all relations (11 labels + none, all allowed pairs) | ${out.pairs} | ${out.relationCounts.first} | ${out.relationCounts.second} | ${out.relationCounts.both} | ${round(out.relationObserved)} | ${round(out.relationKappa)} |`,
    ...Object.entries(out.perRelation).map(
      ([l, r]) =>
        `| ${l} (vs other labels of ${r.category}) | ${r.pairs} | ${r.first} | ${r.second} | ${r.both} | ${round(r.observed)} | ${round(r.kappa)} |`,
    ),
    `| assertion (5 values) | ${out.assertedEntities} | | | ${out.assertionAgreed} | ${round(out.assertionObserved)} | ${round(out.assertionKappa)} |`,
    ...Object.entries(out.perAssertion).map(
      ([v, r]) =>
        `| — ${v} (vs other values) | ${out.assertedEntities} | ${r.first} | ${r.second} | ${r.both} | ${round(r.observed)} | ${round(r.kappa)} |`,
    ),
  ];
  return rows.join('\n');
}

async function main() {
  const [fileA, fileB] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!fileA || !fileB)
    throw new Error('usage: agreement.js <first.jsonl> <second.jsonl> [--markdown] [--disagreements]');
  const read = async (f) => new Map((await tokenize.readEmrCorpus(f, CCKS, { schema })).map((d) => [d.source, d]));
  const [a, b] = await Promise.all([read(fileA), read(fileB)]);
  const shared = [...a.keys()].filter((k) => b.has(k));
  const relA = [];
  const relB = [];
  const category = [];
  const asA = [];
  const asB = [];
  const disagreements = [];
  const show = (e) => `${e.id}[${e.ccks}] ${e.type} ${e.text}`;
  for (const source of shared) {
    const [da, db] = [a.get(source), b.get(source)];
    const label = (doc) => new Map(doc.record.relations.map((r) => [`${r.head}>${r.tail}`, r.label]));
    const [la, lb] = [label(da), label(db)];
    // Offsets of the tools' loader, for the disagreement listing.
    const byId = new Map(
      require('./common')
        .loadDocument(source)
        .entities.map((e) => [e.id, e]),
    );
    for (const p of allowedPairs(da.record)) {
      const key = `${p.head.id}>${p.tail.id}`;
      const [x, y] = [la.get(key) ?? 'none', lb.get(key) ?? 'none'];
      relA.push(x);
      relB.push(y);
      category.push(p.labels);
      if (x !== y)
        disagreements.push(`${source}\t${show(byId.get(p.head.id))} -> ${show(byId.get(p.tail.id))}\t${x}\t${y}`);
    }
    db.record.entities.forEach((e, i) => {
      if (e.assertion === undefined) return;
      const x = da.record.entities[i].assertion;
      asA.push(x);
      asB.push(e.assertion);
      if (x !== e.assertion) disagreements.push(`${source}\t${show(byId.get(e.id))}\tassertion\t${x}\t${e.assertion}`);
    });
  }
  const perRelation = {};
  for (const p of schema.pairs) {
    const idx = category.map((c, i) => (c === p.labels ? i : -1)).filter((i) => i >= 0);
    for (const l of p.labels) {
      const [ca, cb] = [idx.map((i) => relA[i] === l), idx.map((i) => relB[i] === l)];
      const k = kappa(ca, cb);
      perRelation[l] = {
        category: p.category,
        pairs: idx.length,
        ...counts(relA, relB, l),
        kappa: k.kappa,
        observed: k.observed,
        kappaAllPairs: kappa(
          relA.map((x) => x === l),
          relB.map((x) => x === l),
        ).kappa,
      };
    }
  }
  const isRelation = (x) => x !== 'none';
  const relationCounts = {
    first: relA.filter(isRelation).length,
    second: relB.filter(isRelation).length,
    both: relA.filter((x, i) => isRelation(x) && x === relB[i]).length,
  };
  const rel = kappa(relA, relB);
  const as = kappa(asA, asB);
  const perAssertion = Object.fromEntries(
    tokenize.ASSERTION_VALUES.map((v) => {
      const k = kappa(
        asA.map((x) => x === v),
        asB.map((x) => x === v),
      );
      return [v, { ...counts(asA, asB, v), kappa: k.kappa, observed: k.observed }];
    }),
  );
  const confusion = {};
  asA.forEach((x, i) => {
    confusion[x] ??= {};
    confusion[x][asB[i]] = (confusion[x][asB[i]] ?? 0) + 1;
  });
  const out = {
    documents: shared.length,
    pairs: relA.length,
    relationCounts,
    relationKappa: rel.kappa,
    relationObserved: rel.observed,
    perRelation,
    assertedEntities: asA.length,
    assertionAgreed: asA.filter((x, i) => x === asB[i]).length,
    assertionKappa: as.kappa,
    assertionObserved: as.observed,
    perAssertion,
    assertionConfusion: confusion,
  };
  if (process.argv.includes('--disagreements')) console.log(disagreements.join('\n'));
  else if (process.argv.includes('--markdown')) console.log(markdown(out));
  else console.log(JSON.stringify(out, null, 2));
}

main().catch((err) => {
  console.error(err.message);
  process.exit(2);
});
