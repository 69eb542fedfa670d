'use strict';
/* What the corpus tools share: the built @emr-re/tokenize, the CCKS folder and a loader of one document. */
const fs = require('node:fs');
const path = require('node:path');

/** The built tokenize package (run `npx turbo run build --filter=@emr-re/tokenize` first). */
const tokenize = require(path.join(__dirname, '..', '..', '..', 'packages', 'tokenize', 'dist', 'index.js'));

/** The CCKS 2017 CNER folder (override with EMR_CCKS_DIR). */
const CCKS =
  process.env.EMR_CCKS_DIR ?? path.join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'ccks2017-cner');

/** The corpus folder (this tool's parent). */
const CORPUS = path.join(__dirname, '..');

/** The paper schema shipped in @emr-re/tokenize. */
const schema = tokenize.loadSchemaSync('paper');

/** The section folders of CCKS 2017, in a fixed order. */
const FOLDERS = ['一般项目', '病史特点', '诊疗经过', '出院情况'];

/** The document names of one folder (`NAME` of `NAME.txtoriginal.txt`), in numeric order. */
function documentNames(folder) {
  return fs
    .readdirSync(path.join(CCKS, folder))
    .filter((f) => f.endsWith('.txtoriginal.txt'))
    .map((f) => f.slice(0, -'.txtoriginal.txt'.length))
    .sort((a, b) => Number(a.split('-').pop()) - Number(b.split('-').pop()));
}

/**
 * One document as a record under the paper schema, with each entity's CCKS offsets (`ccks`: [start, end], end
 * inclusive, as in NAME.txt). `record` is "<folder>/<name>".
 */
function loadDocument(record) {
  const [folder, name] = record.split('/');
  const stem = path.join(CCKS, folder, name);
  const text = fs.readFileSync(`${stem}.txtoriginal.txt`, 'utf8');
  const ents = fs.readFileSync(`${stem}.txt`, 'utf8');
  const rec = tokenize.parseCcks2017Record(text, ents, { recordId: record }, { schema });
  // No astral characters in this corpus is not assumed: map UTF-16 offsets back to code points.
  const cp = (unit) => Array.from(text.slice(0, unit)).length;
  for (const e of rec.entities) e.ccks = [cp(e.start), cp(e.end) - 1];
  return rec;
}

/** Every ordered pair of entities of `rec` whose types form an allowed pair of the schema. */
function allowedPairs(rec) {
  const out = [];
  for (const p of schema.pairs) {
    for (const h of rec.entities) {
      if (h.type !== p.head) continue;
      for (const t of rec.entities) if (t.type === p.tail && t !== h) out.push({ head: h, tail: t, labels: p.labels });
    }
  }
  return out;
}

module.exports = { tokenize, CCKS, CORPUS, schema, FOLDERS, documentNames, loadDocument, allowedPairs };
