import { RecordFormatError } from './errors';
import { annotateEmrRecord, parseEmrAnnotationLine } from './emr-annotations';
import type { EmrAnnotation } from './emr-annotations';
import { parseCcks2017Record } from './ccks2017';
import { loadSchemaSync } from './schema';

const schema = loadSchemaSync('paper');
// 双0下1肢2无3水4肿5，6腹7部8疼9痛10，11查12体13。14  (made up)
const TEXT = '双下肢无水肿，腹部疼痛，查体。';
const ENTITIES =
  '双下肢\t0\t2\t身体部位\n水肿\t4\t5\t症状和体征\n腹部\t7\t8\t身体部位\n疼痛\t9\t10\t症状和体征\n查体\t12\t13\t检查和检验\n';
const gold = () => parseCcks2017Record(TEXT, ENTITIES, { recordId: 'ccks2017-f-f-1' }, { schema });

const annotation = (): EmrAnnotation => ({
  record: 'f/f-1',
  relations: [
    { head: [4, 5], tail: [0, 2], label: 'SNAP' },
    { head: [9, 10], tail: [7, 8], label: 'SAP' },
    { head: [12, 13], tail: [9, 10], label: 'TeRS' },
  ],
  assertions: [
    { span: [4, 5], value: 'absent' },
    { span: [9, 10], value: 'present' },
  ],
  split: 'test',
  annotator: 'A',
});

function errorOf(fn: () => unknown): RecordFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RecordFormatError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('parseEmrAnnotationLine', () => {
  it('reads a line as it is written in annotations.jsonl', () => {
    expect(parseEmrAnnotationLine(JSON.stringify(annotation()), { line: 1 })).toEqual(annotation());
  });

  it.each([
    ['a bad record id', { record: '../etc' }, 'field record: must be "<folder>/<name>"'],
    ['a span of one number', { relations: [{ head: [4], tail: [0, 2], label: 'SNAP' }] }, 'field relations[0].head'],
    [
      'an end before its start',
      { relations: [{ head: [5, 4], tail: [0, 2], label: 'SNAP' }] },
      'end 4 is before start 5',
    ],
    ['an unknown assertion', { assertions: [{ span: [4, 5], value: 'negated' }] }, 'field assertions[0].value'],
    ['an unknown split', { split: 'dev' }, 'field split: must be one of train, test'],
    ['no annotator', { annotator: '' }, 'field annotator'],
  ])('rejects %s, naming file, line and field', (_what, change, message) => {
    const err = errorOf(() =>
      parseEmrAnnotationLine(JSON.stringify({ ...annotation(), ...change }), { file: 'a.jsonl', line: 7 }),
    );
    expect(err.message).toContain('a.jsonl:7');
    expect(err.message).toContain(message);
  });
});

describe('annotateEmrRecord', () => {
  it('turns spans into relations by entity id and sets each assertion', () => {
    const record = annotateEmrRecord(gold(), annotation(), { schema });
    expect(record.relations).toEqual([
      { head: 'e1', tail: 'e0', label: 'SNAP' },
      { head: 'e3', tail: 'e2', label: 'SAP' },
      { head: 'e4', tail: 'e3', label: 'TeRS' },
    ]);
    expect(record.entities.map((e) => [e.text, e.type, e.assertion])).toEqual([
      ['双下肢', 'position', undefined],
      ['水肿', 'symptom', 'absent'],
      ['腹部', 'position', undefined],
      ['疼痛', 'symptom', 'present'],
      ['查体', 'test', undefined],
    ]);
    expect(gold().entities.every((e) => e.assertion === undefined)).toBe(true);
  });

  it('names record and field when a span is no gold entity', () => {
    const bad = annotation();
    bad.relations[1].tail = [7, 9];
    const err = errorOf(() => annotateEmrRecord(gold(), bad, { schema, location: { file: 'a.jsonl', line: 3 } }));
    expect(err.message).toBe(
      'a.jsonl:3: record f/f-1: field relations[1].tail: no gold entity at 7..9 (CCKS offsets, end inclusive)',
    );
    expect(err.problem).toBe('bad-offset');
    expect(err.message).not.toContain('腹部');
  });

  it('rejects a label that does not fit the pair, a pair labelled twice, and bad assertions', () => {
    const wrongLabel = annotation();
    wrongLabel.relations[0].label = 'TeAP';
    expect(errorOf(() => annotateEmrRecord(gold(), wrongLabel, { schema })).message).toContain(
      'field relations[0].label: "TeAP" is not a label of symptom → position',
    );
    const twice = annotation();
    twice.relations.push({ head: [4, 5], tail: [0, 2], label: 'SAP' });
    expect(errorOf(() => annotateEmrRecord(gold(), twice, { schema })).message).toContain(
      'field relations[3]: this pair is labelled twice',
    );
    const onTest = annotation();
    onTest.assertions.push({ span: [12, 13], value: 'present' });
    expect(errorOf(() => annotateEmrRecord(gold(), onTest, { schema })).message).toContain(
      'field assertions[2].span: the entity at 12..13 is of a type without assertions',
    );
    const missing = annotation();
    missing.assertions.pop();
    expect(errorOf(() => annotateEmrRecord(gold(), missing, { schema })).message).toContain(
      'field assertions: the symptom at 9..10 has no assertion',
    );
    const double = annotation();
    double.assertions.push({ span: [4, 5], value: 'possible' });
    expect(errorOf(() => annotateEmrRecord(gold(), double, { schema })).message).toContain(
      'field assertions[2].span: this entity has two assertions',
    );
  });

  it('counts CCKS offsets in code points when the text has characters outside the BMP', () => {
    const text = '𠀀双下肢无水肿';
    const record = parseCcks2017Record(
      text,
      '双下肢\t1\t3\t身体部位\n水肿\t5\t6\t症状和体征\n',
      { recordId: 'r' },
      { schema },
    );
    const annotated = annotateEmrRecord(
      record,
      {
        record: 'f/r',
        relations: [{ head: [5, 6], tail: [1, 3], label: 'SNAP' }],
        assertions: [{ span: [5, 6], value: 'absent' }],
        split: 'train',
        annotator: 'A',
      },
      { schema },
    );
    expect(annotated.relations).toEqual([{ head: 'e1', tail: 'e0', label: 'SNAP' }]);
    expect(annotated.entities[1]).toMatchObject({ start: 6, end: 8, assertion: 'absent' });
  });
});
