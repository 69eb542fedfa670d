import { CorpusFormatError, RecordFormatError } from './errors';
import { formatRecordLine, parseRecordLine } from './records';
import { loadSchemaSync } from './schema';
import { emptyReadStats } from './stats';
import type { EmrRecord } from './types';

const text = '右髋部疼痛肿胀。';
const good = (): EmrRecord => ({
  id: 'r1',
  text,
  entities: [
    { id: 'e0', type: 'position', start: 0, end: 3, text: '右髋部' },
    { id: 'e1', type: 'symptom', start: 3, end: 5, text: '疼痛' },
  ],
  relations: [{ head: 'e1', tail: 'e0', label: 'SAP' }],
});

function errorOf(line: string, schema = false): RecordFormatError {
  try {
    parseRecordLine(line, { file: 'gold.jsonl', line: 2 }, schema ? { schema: loadSchemaSync('paper') } : {});
  } catch (err) {
    expect(err).toBeInstanceOf(RecordFormatError);
    expect(err).toBeInstanceOf(CorpusFormatError);
    return err as RecordFormatError;
  }
  throw new Error('expected a RecordFormatError');
}

function mutate(change: (r: Record<string, any>) => void): string {
  const r = good() as unknown as Record<string, any>;
  change(r);
  return JSON.stringify(r);
}

describe('parseRecordLine', () => {
  it('parses a valid line and round-trips through formatRecordLine', () => {
    const record = parseRecordLine(formatRecordLine(good()), { line: 1 });
    expect(record).toEqual(good());
    expect(formatRecordLine(record)).toBe(
      '{"id":"r1","text":"右髋部疼痛肿胀。","entities":[{"id":"e0","type":"position","start":0,"end":3,"text":"右髋部"},' +
        '{"id":"e1","type":"symptom","start":3,"end":5,"text":"疼痛"}],"relations":[{"head":"e1","tail":"e0","label":"SAP"}]}',
    );
  });

  it('keeps scores, drops unknown fields, and defaults missing relations to []', () => {
    const withScore = mutate((r) => {
      r.relations[0].score = 0.75;
      r.extra = 1;
    });
    expect(parseRecordLine(withScore, { line: 1 }).relations).toEqual([
      { head: 'e1', tail: 'e0', label: 'SAP', score: 0.75 },
    ]);
    expect(parseRecordLine(withScore, { line: 1 })).not.toHaveProperty('extra');
    expect(
      parseRecordLine(
        mutate((r) => delete r.relations),
        { line: 1 },
      ).relations,
    ).toEqual([]);
  });

  it.each<[string, string, string, string]>([
    [
      'malformed JSON',
      '{"id": "r1", "text": "秘密',
      'malformed-json',
      'gold.jsonl:2: line is not valid JSON (at character 25)',
    ],
    ['a non-object', '[1,2]', 'wrong-type', 'gold.jsonl:2: a record must be a JSON object, got an array'],
    ['a missing id', mutate((r) => delete r.id), 'missing-field', 'gold.jsonl:2: field id: is missing'],
    [
      'an ill-typed text',
      mutate((r) => (r.text = 5)),
      'wrong-type',
      'gold.jsonl:2: record r1: field text: must be a string, got a number',
    ],
    [
      'missing entities',
      mutate((r) => delete r.entities),
      'missing-field',
      'gold.jsonl:2: record r1: field entities: is missing',
    ],
    [
      'a non-integer offset',
      mutate((r) => (r.entities[1].start = '3')),
      'wrong-type',
      'gold.jsonl:2: record r1: field entities[1].start: must be an integer offset, got a string',
    ],
    [
      'an end outside the text',
      mutate((r) => (r.entities[1].end = 99)),
      'bad-offset',
      'gold.jsonl:2: record r1: field entities[1].end: offset 99 is outside the text (length 8)',
    ],
    [
      'a negative start',
      mutate((r) => (r.entities[0].start = -1)),
      'bad-offset',
      'gold.jsonl:2: record r1: field entities[0].start: offset -1 is outside the text (length 8)',
    ],
    [
      'an empty span',
      mutate((r) => (r.entities[1].end = 3)),
      'bad-offset',
      'gold.jsonl:2: record r1: field entities[1].end: end 3 must be greater than start 3',
    ],
    [
      'a mention that differs from the text',
      mutate((r) => (r.entities[1].text = '肿胀')),
      'mention-mismatch',
      'gold.jsonl:2: record r1: field entities[1].text: does not equal text.slice(3, 5)',
    ],
    [
      'a duplicate entity id',
      mutate((r) => (r.entities[1].id = 'e0')),
      'duplicate-id',
      'gold.jsonl:2: record r1: field entities[1].id: entity id "e0" is used twice',
    ],
    [
      'a relation to a missing entity',
      mutate((r) => (r.relations[0].tail = 'e7')),
      'dangling-relation',
      'gold.jsonl:2: record r1: field relations[0].tail: names entity "e7", which the record does not have',
    ],
    [
      'a relation without label',
      mutate((r) => delete r.relations[0].label),
      'missing-field',
      'gold.jsonl:2: record r1: field relations[0].label: is missing',
    ],
    [
      'a non-numeric score',
      mutate((r) => (r.relations[0].score = 'high')),
      'wrong-type',
      'gold.jsonl:2: record r1: field relations[0].score: must be a finite number, got a string',
    ],
  ])('rejects %s', (_case, line, problem, message) => {
    const err = errorOf(line);
    expect(err.problem).toBe(problem);
    expect(err.message).toBe(message);
    expect(err.location.file).toBe('gold.jsonl');
    expect(err.location.line).toBe(2);
  });

  it('rejects a start or end that splits a surrogate pair, and accepts spans around it', () => {
    // 𠮷 (U+20BB7) is 2 UTF-16 code units: text[0] high, text[1] low surrogate
    const astral = (start: number, end: number, mention: string): string =>
      JSON.stringify({
        id: 'r9',
        text: '𠮷头痛',
        entities: [{ id: 'e0', type: 'symptom', start, end, text: mention }],
      });
    const atEnd = errorOf(astral(0, 1, '\ud842'));
    expect(atEnd.problem).toBe('bad-offset');
    expect(atEnd.location.field).toBe('entities[0].end');
    expect(atEnd.message).toBe(
      'gold.jsonl:2: record r9: field entities[0].end: offset 1 splits a surrogate pair ' +
        '(a character outside the BMP takes 2 UTF-16 code units; offsets count code units)',
    );
    const atStart = errorOf(astral(1, 3, '\udfb7头'));
    expect(atStart.problem).toBe('bad-offset');
    expect(atStart.location.field).toBe('entities[0].start');
    expect(atStart.message).toMatch(
      /^gold\.jsonl:2: record r9: field entities\[0\]\.start: offset 1 splits a surrogate pair/,
    );
    expect(parseRecordLine(astral(0, 2, '𠮷'), { line: 1 }).entities[0]).toMatchObject({ start: 0, end: 2 });
    expect(parseRecordLine(astral(2, 4, '头痛'), { line: 1 }).entities[0].text).toBe('头痛');
  });

  it('never quotes record text in errors', () => {
    expect(errorOf('{"id": "r1", "text": "患者张三"').message).not.toContain('张三');
    expect(errorOf(mutate((r) => (r.entities[0].text = '张三'))).message).not.toContain('张三');
  });

  it('with a schema: refuses unknown types, drops unknown labels', () => {
    const err = errorOf(
      mutate((r) => (r.entities[0].type = '身体部位')),
      true,
    );
    expect(err.problem).toBe('unknown-type');
    expect(err.message).toBe('gold.jsonl:2: record r1: field entities[0].type: type "身体部位" is not in schema paper');
    const stats = emptyReadStats();
    const line = mutate((r) => r.relations.push({ head: 'e0', tail: 'e1', label: '临床表现' }));
    const record = parseRecordLine(line, { line: 1 }, { schema: loadSchemaSync('paper'), stats });
    expect(record.relations).toEqual([{ head: 'e1', tail: 'e0', label: 'SAP' }]);
    expect(stats.droppedRelations).toBe(1);
  });
});

describe('entity scores', () => {
  it('round-trip through a canonical line and are checked', () => {
    const line = formatRecordLine({
      id: 'r',
      text: '发热',
      entities: [{ id: 'e0', type: '症状', start: 0, end: 2, text: '发热', score: 0.75 }],
      relations: [],
    });
    expect(line).toBe(
      '{"id":"r","text":"发热","entities":[{"id":"e0","type":"症状","start":0,"end":2,"text":"发热","score":0.75}],"relations":[]}',
    );
    expect(parseRecordLine(line, { line: 1 }).entities[0].score).toBe(0.75);
    expect(() => parseRecordLine(line.replace('0.75', '"high"'), { file: 'p.jsonl', line: 3 })).toThrow(
      /p\.jsonl:3: record r: field entities\[0\]\.score: must be a finite number/,
    );
  });
});

describe('entity assertions', () => {
  it('round-trip through a canonical line beside a score and are checked', () => {
    const line = formatRecordLine({
      id: 'r',
      text: '无发热',
      entities: [{ id: 'e0', type: 'symptom', start: 1, end: 3, text: '发热', score: 0.5, assertion: 'absent' }],
      relations: [],
    });
    expect(line).toBe(
      '{"id":"r","text":"无发热","entities":[{"id":"e0","type":"symptom","start":1,"end":3,"text":"发热","score":0.5,"assertion":"absent"}],"relations":[]}',
    );
    expect(parseRecordLine(line, { line: 1 }).entities[0]).toEqual({
      id: 'e0',
      type: 'symptom',
      start: 1,
      end: 3,
      text: '发热',
      score: 0.5,
      assertion: 'absent',
    });
    expect(() => parseRecordLine(line.replace('"absent"', '"negated"'), { file: 'p.jsonl', line: 4 })).toThrow(
      'p.jsonl:4: record r: field entities[0].assertion: must be one of present, absent, possible, historical, family',
    );
  });
});
