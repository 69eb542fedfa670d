import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SchemaError } from './errors';
import { loadSchema, loadSchemaSync, schemaIndex, schemaLabels, validateSchema } from './schema';

const minimal = () => ({
  version: 1,
  name: 'toy',
  entityTypes: ['disease', 'position'],
  pairs: [{ head: 'disease', tail: 'position', labels: ['DAP'] }],
});

function schemaErrorOf(obj: unknown): string {
  try {
    validateSchema(obj, 'toy.json');
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaError);
    return (err as Error).message;
  }
  throw new Error('expected a SchemaError');
}

describe('built-in schemas', () => {
  it('paper: Table 2, 5 types, 7 pairs, 11 labels, with ccks2017 and cmeie mappings', async () => {
    const paper = await loadSchema('paper');
    expect(paper.entityTypes).toEqual(['disease', 'symptom', 'test', 'treatment', 'position']);
    expect(paper.pairs.map((p) => `${p.head}>${p.tail}:${p.labels.join('|')}`)).toEqual([
      'disease>position:DAP',
      'symptom>position:SAP|SNAP',
      'test>disease:TeRD',
      'test>position:TeAP|TeCP',
      'test>symptom:TeRS|TeAS',
      'treatment>disease:TrAD|TrRD',
      'treatment>position:TrAP',
    ]);
    expect(schemaLabels(paper)).toEqual([
      'unknown',
      'DAP',
      'SAP',
      'SNAP',
      'TeAP',
      'TeAS',
      'TeCP',
      'TeRD',
      'TeRS',
      'TrAD',
      'TrAP',
      'TrRD',
    ]);
    const index = schemaIndex(paper);
    expect(index.mapType('ccks2017', '疾病和诊断')).toBe('disease');
    expect(index.mapType('ccks2017', '身体部位')).toBe('position');
    expect(index.mapType('cmeie', '手术治疗')).toBe('treatment');
    expect(index.mapType('cmeie', '社会学')).toBeUndefined();
    expect(index.mapType('cmeie', 'constructor')).toBeUndefined();
    expect(index.mapLabel('cmeie', '影像学检查')).toEqual({ label: 'TeRD', swap: true });
    expect(index.mapLabel('cmeie', '转移部位')).toEqual({ label: 'DAP' });
    expect(index.mapLabel('cmeie', '临床表现')).toBeUndefined();
    expect(index.mapLabel('brat', 'TrAP')).toEqual({ label: 'TrAP' });
  });

  it('cmeie: the 52 triples of 53_schemas.jsonl as 19 type pairs over 11 types and 44 labels', () => {
    const cmeie = loadSchemaSync('cmeie');
    expect(cmeie.entityTypes).toHaveLength(11);
    expect(cmeie.pairs).toHaveLength(19);
    expect(cmeie.pairs.reduce((n, p) => n + p.labels.length, 0)).toBe(52);
    expect(schemaLabels(cmeie)).toHaveLength(45);
    expect(schemaIndex(cmeie).pairLabels('疾病', '症状')).toEqual(
      new Set(['临床表现', '治疗后症状', '侵及周围组织转移的症状']),
    );
    expect(schemaIndex(cmeie).pairLabels('症状', '疾病')).toBeUndefined();
  });
});

describe('validateSchema', () => {
  it('accepts a minimal schema and drops the description', () => {
    expect(validateSchema({ ...minimal(), description: 'x' }, 'toy.json')).toEqual(minimal());
  });

  it.each([
    ['not an object', [], 'toy.json: a schema must be a JSON object'],
    ['bad version', { ...minimal(), version: 2 }, 'toy.json: field version: must be 1, got 2'],
    ['missing name', { ...minimal(), name: undefined }, 'toy.json: field name: is missing'],
    ['unknown field', { ...minimal(), entitytypes: [] }, 'toy.json: field entitytypes: unknown field'],
    [
      'duplicate type',
      { ...minimal(), entityTypes: ['disease', 'disease'] },
      'toy.json: field entityTypes[1]: duplicate entity type "disease"',
    ],
    [
      'pair head not a type',
      { ...minimal(), pairs: [{ head: 'drug', tail: 'position', labels: ['X'] }] },
      'toy.json: field pairs[0].head: "drug" is not one of entityTypes',
    ],
    [
      'empty labels',
      { ...minimal(), pairs: [{ head: 'disease', tail: 'position', labels: [] }] },
      'toy.json: field pairs[0].labels: must be a non-empty array',
    ],
    [
      'reserved label',
      { ...minimal(), pairs: [{ head: 'disease', tail: 'position', labels: ['unknown'] }] },
      'toy.json: field pairs[0].labels[0]: "unknown" is reserved',
    ],
    [
      'duplicate pair',
      { ...minimal(), pairs: [minimal().pairs[0], { head: 'disease', tail: 'position', labels: ['Y'] }] },
      'toy.json: field pairs[1]: duplicate pair disease → position',
    ],
    [
      'mapped type not in schema',
      { ...minimal(), mappings: { ccks2017: { types: { 疾病: 'illness' } } } },
      'toy.json: field mappings.ccks2017.types.疾病: "illness" is not one of entityTypes',
    ],
    [
      'mapped label not in schema',
      { ...minimal(), mappings: { cmeie: { labels: { 发病部位: { label: 'XYZ' } } } } },
      'toy.json: field mappings.cmeie.labels.发病部位.label: "XYZ" is not a label of any pair',
    ],
    [
      'swap not boolean',
      { ...minimal(), mappings: { cmeie: { labels: { 发病部位: { label: 'DAP', swap: 'yes' } } } } },
      'toy.json: field mappings.cmeie.labels.发病部位.swap: must be true or false',
    ],
  ])('refuses %s', (_name, obj, message) => {
    expect(schemaErrorOf(obj)).toContain(message);
  });
});

describe('loadSchema from files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-schema-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads a valid file and names the file in errors', async () => {
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify(minimal()));
    expect((await loadSchema(good)).name).toBe('toy');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({ ...minimal(), pairs: [{ head: 'disease', tail: 'nowhere', labels: ['DAP'] }] }),
    );
    await expect(loadSchema(bad)).rejects.toThrow(`${bad}: field pairs[0].tail: "nowhere" is not one of entityTypes`);
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{"version": 1,');
    expect(() => loadSchemaSync(broken)).toThrow(`${broken}: not valid JSON`);
    await expect(loadSchema(path.join(dir, 'none.json'))).rejects.toThrow(/none\.json: cannot read schema \(ENOENT\)/);
  });
});
