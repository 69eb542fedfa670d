#!/usr/bin/env node
// Builds schemas/cmeie.json from CMeIE's 53_schemas.jsonl (one {"subject_type","predicate","object_type"} a line).
// Usage: node scripts/build-cmeie-schema.js ../../../shared/data/cmeie/53_schemas.jsonl > schemas/cmeie.json
// Head = subject, tail = object; one schema pair per (subject_type, object_type), labels in file order.
'use strict';
const fs = require('node:fs');

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: build-cmeie-schema.js 53_schemas.jsonl\n');
  process.exit(2);
}
const entityTypes = [];
const pairs = new Map();
const addType = (t) => {
  if (!entityTypes.includes(t)) entityTypes.push(t);
};
fs.readFileSync(source, 'utf8')
  .split(/\r?\n/)
  .filter((line) => line.trim() !== '')
  .forEach((line) => {
    const { subject_type: head, predicate, object_type: tail } = JSON.parse(line);
    addType(head);
    addType(tail);
    const key = `${head}\u0000${tail}`;
    if (!pairs.has(key)) pairs.set(key, { head, tail, labels: [], category: `${head}-${tail}` });
    const pair = pairs.get(key);
    if (!pair.labels.includes(predicate)) pair.labels.push(predicate);
  });
const schema = {
  version: 1,
  name: 'cmeie',
  description: 'CMeIE (CHIP 2020 / CBLUE) schema from 53_schemas.jsonl: head = subject, tail = object.',
  entityTypes,
  pairs: [...pairs.values()],
  // CCKS 2017 EMR entity types onto CMeIE's, so the EMRs can serve as a bootstrapping pool or prediction input
  // under this schema. CCKS's 治疗 mixes drugs and procedures; it maps to 其他治疗.
  mappings: {
    ccks2017: {
      types: { 疾病和诊断: '疾病', 症状和体征: '症状', 检查和检验: '检查', 身体部位: '部位', 治疗: '其他治疗' },
    },
  },
};
process.stdout.write(JSON.stringify(schema, null, 2) + '\n');
