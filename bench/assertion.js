#!/usr/bin/env node
/*
 * Assertion detection on the EMR relation corpus: `detectAssertions` of @emr-re/ner (the shipped trigger lexicon,
 * or it extended by --lexicon) run on the gold entities of corpus/emr-relations (read with the CCKS 2017 folder by
 * readEmrCorpus, gold assertions removed first), scored against the gold assertion of every disease, symptom and
 * treatment entity: precision, recall and F1 per value, accuracy, and the confusion matrix, per split; and how many
 * gold relations the pipeline's default `dropAbsentRelations` would drop on the detected assertions (SNAP kept).
 *
 * Usage: node bench/assertion.js [--split train|test|both] [--lexicon extra.json] [--json] [--errors]
 *   --split: default both (train first; the lexicon was developed on train only); --lexicon: a user lexicon file
 *   merged into the shipped one (loadAssertionLexicon); --json: one JSON object instead of Markdown tables;
 *   --errors: also list each wrong entity of the split (record id, offsets, gold → predicted, the text around it)
 *   on stdout, for developing the lexicon on train.
 * Needs the built packages (npx turbo run build --filter=@emr-re/ner).
 */
'use strict';
const path = require('node:path');
const { parseArgs } = require('node:util');
const { pkg, CCKS } = require('./common');

const tokenize = pkg('tokenize');
const ner = pkg('ner');
const ANNOTATIONS = path.join(__dirname, '..', 'corpus', 'emr-relations', 'annotations.jsonl');
const VALUES = tokenize.ASSERTION_VALUES;

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'both' },
    lexicon: { type: 'string' },
    json: { type: 'boolean', default: false },
    errors: { type: 'boolean', default: false },
  },
});
if (!['train', 'test', 'both'].includes(values.split)) {
  console.error(`--split must be train, test or both (got ${values.split})`);
  process.exit(2);
}

/** Scores of predicted against gold assertions of one split, and its errors. */
function score(docs, lexicon) {
  const confusion = Object.fromEntries(VALUES.map((g) => [g, Object.fromEntries(VALUES.map((p) => [p, 0]))]));
  const errors = [];
  let entities = 0;
  // gold relations the pipeline's default (dropAbsentRelations on the detected assertions) would drop, by label
  const dropped = {};
  let relations = 0;
  for (const doc of docs) {
    const bare = {
      ...doc.record,
      entities: doc.record.entities.map((e) => {
        const copy = { ...e };
        delete copy.assertion;
        return copy;
      }),
    };
    const predicted = ner.detectAssertions(bare, lexicon);
    const kept = new Set(ner.dropAbsentRelations(predicted).relations);
    for (const r of predicted.relations) {
      relations++;
      if (!kept.has(r)) dropped[r.label] = (dropped[r.label] ?? 0) + 1;
    }
    doc.record.entities.forEach((gold, i) => {
      if (gold.assertion === undefined) return;
      const guess = predicted.entities[i].assertion;
      entities++;
      confusion[gold.assertion][guess]++;
      if (guess !== gold.assertion) {
        const t = doc.record.text;
        errors.push(
          `${doc.record.id} [${gold.start},${gold.end}) ${gold.type} ${gold.assertion} → ${guess}: ` +
            `${JSON.stringify(t.slice(Math.max(0, gold.start - 20), gold.start))} [${gold.text}] ` +
            `${JSON.stringify(t.slice(gold.end, gold.end + 12))}`,
        );
      }
    });
  }
  const perValue = {};
  let correct = 0;
  for (const v of VALUES) {
    const tp = confusion[v][v];
    correct += tp;
    const gold = VALUES.reduce((a, p) => a + confusion[v][p], 0);
    const pred = VALUES.reduce((a, g) => a + confusion[g][v], 0);
    const p = pred > 0 ? tp / pred : null;
    const r = gold > 0 ? tp / gold : null;
    // F1 is undefined only when the value is neither in the gold nor predicted; no correct answer is 0
    const f1 = gold === 0 && pred === 0 ? null : tp === 0 ? 0 : (2 * p * r) / (p + r);
    perValue[v] = { gold, predicted: pred, correct: tp, precision: p, recall: r, f1 };
  }
  return {
    documents: docs.length,
    entities,
    accuracy: correct / entities,
    perValue,
    confusion,
    relations,
    dropped,
    errors,
  };
}

async function main() {
  const lexicon = values.lexicon ? ner.loadAssertionLexicon(values.lexicon) : ner.defaultAssertionLexicon();
  const splits = values.split === 'both' ? ['train', 'test'] : [values.split];
  const result = {};
  for (const split of splits) {
    const docs = await tokenize.readEmrCorpus(ANNOTATIONS, CCKS, { split });
    result[split] = score(docs, lexicon);
  }
  if (values.json) {
    for (const s of Object.values(result)) if (!values.errors) delete s.errors;
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const pct = (x) => (x === null ? '–' : (100 * x).toFixed(1));
  for (const [split, s] of Object.entries(result)) {
    console.log(
      `\n${split}: ${s.documents} documents, ${s.entities} asserted entities, accuracy ${pct(s.accuracy)} %\n`,
    );
    console.log('| value | gold | predicted | correct | P | R | F1 |');
    console.log('| :---- | ---: | --------: | ------: | -: | -: | -: |');
    for (const v of VALUES) {
      const x = s.perValue[v];
      console.log(
        `| ${v} | ${x.gold} | ${x.predicted} | ${x.correct} | ${pct(x.precision)} | ${pct(x.recall)} | ${pct(x.f1)} |`,
      );
    }
    console.log(`\nconfusion (rows gold, columns predicted): | | ${VALUES.join(' | ')} |`);
    for (const g of VALUES) console.log(`| ${g} | ${VALUES.map((p) => s.confusion[g][p]).join(' | ')} |`);
    const lost = Object.values(s.dropped).reduce((a, b) => a + b, 0);
    const byLabel = Object.entries(s.dropped)
      .map(([l, k]) => `${l} ${k}`)
      .join(', ');
    console.log(
      `\ngold relations dropped by dropAbsentRelations on the detected assertions: ${lost} of ${s.relations}` +
        (lost > 0 ? ` (${byLabel})` : ''),
    );
    if (values.errors) for (const e of s.errors) console.log(e);
  }
}

main().catch((err) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
