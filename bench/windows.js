#!/usr/bin/env node
/*
 * EMR windows: how many gold relations of the EMR relation corpus (corpus/emr-relations, read with the CCKS 2017
 * folder by readEmrCorpus) each candidate window keeps, and how many candidate pairs it generates, for
 * `candidatePairs(record, paperSchema, { window })` of @emr-re/tokenize with window = sentence (。！？!?; and line
 * breaks), clause (also ；，、：and before "2." "3、" "①" list markers; entities never cut) and record.
 * For the relations the clause windows lose, the strongest boundary between head and tail is counted (。 > list
 * marker > ； > ， > 、 or ：) with the relation labels, which is what the data says about cross-clause relations.
 *
 * Usage: node bench/windows.js [--split train|test|all] [--json]
 *   --split: which part of the corpus (default train: the windows were designed on it); --json prints one JSON
 *   object instead of the Markdown tables. Needs the built @emr-re/tokenize (npx turbo run build --filter=@emr-re/tokenize).
 */
'use strict';
const path = require('node:path');
const { parseArgs } = require('node:util');
const { pkg, CCKS } = require('./common');

const tokenize = pkg('tokenize');
const ANNOTATIONS = path.join(__dirname, '..', 'corpus', 'emr-relations', 'annotations.jsonl');
const WINDOWS = ['sentence', 'item', 'clause', 'record'];

const { values } = parseArgs({
  options: { split: { type: 'string', default: 'train' }, json: { type: 'boolean', default: false } },
});
if (!['train', 'test', 'all'].includes(values.split)) {
  console.error(`--split must be train, test or all (got ${values.split})`);
  process.exit(2);
}

/** The strongest boundary in text[from, to): what a window has to cross to hold both mentions. */
function boundaryBetween(text, from, to) {
  const between = text.slice(from, to);
  if (/[。！？!?;\n\r]/.test(between)) return 'sentence end 。';
  if (tokenize.listMarkers(between).length > 0) return 'list marker';
  if (between.includes('；')) return '；';
  if (/[，,]/.test(between)) return '，';
  if (between.includes('、')) return '、';
  return '：';
}

async function main() {
  const schema = tokenize.loadSchemaSync('paper');
  const docs = await tokenize.readEmrCorpus(ANNOTATIONS, CCKS, {
    schema,
    split: values.split === 'all' ? undefined : values.split,
  });
  const rows = [];
  const lostByBoundary = {};
  for (const window of WINDOWS) {
    const generator = new tokenize.SchemaCandidateGenerator(schema, { window });
    for (const doc of docs) {
      generator.candidates(doc.record);
      if (window !== 'clause') continue;
      const { lost } = tokenize.candidatePairs(doc.record, schema, { window });
      const byId = new Map(doc.record.entities.map((e) => [e.id, e]));
      for (const l of lost) {
        if (l.reason !== 'cross-sentence') continue;
        const head = byId.get(l.relation.head);
        const tail = byId.get(l.relation.tail);
        const [a, b] = head.start < tail.start ? [head, tail] : [tail, head];
        const boundary = boundaryBetween(doc.record.text, a.end, b.start);
        lostByBoundary[boundary] ??= { total: 0, labels: {} };
        lostByBoundary[boundary].total++;
        lostByBoundary[boundary].labels[l.relation.label] =
          (lostByBoundary[boundary].labels[l.relation.label] ?? 0) + 1;
      }
    }
    const s = generator.stats;
    rows.push({
      window,
      documents: s.records,
      goldRelations: s.goldRelations,
      kept: s.labelled,
      lostCrossWindow: s.lost['cross-sentence'],
      candidates: s.candidates,
      none: s.candidates - s.labelled,
    });
  }
  const result = { split: values.split, rows, clauseLostByBoundary: lostByBoundary };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const record = rows.find((r) => r.window === 'record');
  const pct = (a, b) => ((100 * a) / b).toFixed(1);
  console.log(`split: ${values.split}, ${rows[0].documents} documents, ${rows[0].goldRelations} gold relations\n`);
  console.log(
    '| window | relations kept | kept % | candidates | % of record candidates | none candidates | candidates per kept relation |',
  );
  console.log(
    '| :----- | -------------: | -----: | ---------: | ---------------------: | --------------: | ---------------------------: |',
  );
  for (const r of rows) {
    console.log(
      `| ${r.window} | ${r.kept} / ${r.goldRelations} | ${pct(r.kept, r.goldRelations)} | ${r.candidates} | ${pct(r.candidates, record.candidates)} | ${r.none} | ${(r.candidates / r.kept).toFixed(1)} |`,
    );
  }
  console.log('\nRelations the clause windows lose, by the strongest boundary between head and tail:\n');
  console.log('| boundary | lost | labels |');
  console.log('| :------- | ---: | :----- |');
  for (const [boundary, v] of Object.entries(lostByBoundary).sort((a, b) => b[1].total - a[1].total)) {
    const labels = Object.entries(v.labels)
      .sort((a, b) => b[1] - a[1])
      .map(([l, n]) => `${l} ${n}`)
      .join(', ');
    console.log(`| ${boundary} | ${v.total} | ${labels} |`);
  }
}

main().catch((err) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
