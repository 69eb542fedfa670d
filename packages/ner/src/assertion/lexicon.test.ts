import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmrReError } from '@emr-re/tokenize';
import {
  AssertionLexiconError,
  defaultAssertionLexicon,
  loadAssertionLexicon,
  mergeAssertionLexicons,
  parseAssertionLexicon,
} from './lexicon';

describe('assertion lexicon', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-lexicon-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  it('ships the triggers the issue names, each with a value and a direction', () => {
    const lexicon = defaultAssertionLexicon();
    const phrases = new Set(lexicon.triggers.map((t) => t.phrase));
    for (const p of ['否认', '无', '未见', '未', '不伴', '排除', '可疑', '考虑', '既往', '家族史', '过敏', '不成立'])
      expect(phrases.has(p)).toBe(true);
    // the paper schema's types and CMeIE's
    expect(lexicon.targetTypes).toEqual([
      'disease',
      'symptom',
      'treatment',
      '疾病',
      '症状',
      '药物',
      '手术治疗',
      '其他治疗',
    ]);
    // a fresh copy each time: changing one does not change the next
    lexicon.triggers.length = 0;
    expect(defaultAssertionLexicon().triggers.length).toBeGreaterThan(40);
  });

  it('a user file extends the shipped lexicon; with replace it is the whole lexicon', () => {
    const file = write(
      'extra.json',
      JSON.stringify({
        version: 1,
        triggers: [{ phrase: '已愈', value: 'historical', direction: 'backward' }],
        terminators: ['后'],
      }),
    );
    const merged = loadAssertionLexicon(file);
    const base = defaultAssertionLexicon();
    expect(merged.triggers).toHaveLength(base.triggers.length + 1);
    expect(merged.terminators).toEqual([...base.terminators, '后']);
    expect(() => loadAssertionLexicon(file, { replace: true })).toThrow(`${file}: "targetTypes" is missing`);
    const whole = write(
      'whole.json',
      JSON.stringify({ ...base, triggers: [{ phrase: '无', value: 'absent', direction: 'forward' }] }),
    );
    expect(loadAssertionLexicon(whole, { replace: true }).triggers).toEqual([
      { phrase: '无', value: 'absent', direction: 'forward' },
    ]);
  });

  it('refuses a bad file with an AssertionLexiconError naming the file and the field', () => {
    const cases: Array<[string, string]> = [
      ['{', 'not JSON'],
      ['[]', 'must be a JSON object'],
      ['{"version":2}', '"version" must be 1 (got 2)'],
      ['{"version":1,"words":[]}', '"words" is not a lexicon field'],
      [
        '{"version":1,"triggers":[{"phrase":"无","value":"present","direction":"forward"}]}',
        '"triggers[0].value" must be one of absent, possible, historical, family',
      ],
      [
        '{"version":1,"triggers":[{"phrase":"无","value":"absent","direction":"left"}]}',
        '"triggers[0].direction" must be forward or backward',
      ],
      [
        '{"version":1,"triggers":[{"phrase":"","value":"absent","direction":"forward"}]}',
        '"triggers[0].phrase" must be a non-empty string',
      ],
      [
        '{"version":1,"triggers":[{"phrase":"无","value":"absent","direction":"forward","scope":"page"}]}',
        '"triggers[0].scope" must be clause or sentence',
      ],
      [
        '{"version":1,"triggers":[{"phrase":"无","value":"absent","direction":"forward","negate":true}]}',
        '"triggers[0].negate" is not a trigger field',
      ],
      ['{"version":1,"sentenceEnds":["。。"]}', '"sentenceEnds[0]" must be one character (got 2)'],
      ['{"version":1,"pseudoTriggers":[3]}', '"pseudoTriggers[0]" must be a non-empty string'],
    ];
    for (const [content, message] of cases) {
      const file = write('bad.json', content);
      let caught: unknown;
      try {
        loadAssertionLexicon(file);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AssertionLexiconError);
      expect(caught).toBeInstanceOf(EmrReError);
      expect((caught as Error).message).toContain(`${file}: `);
      expect((caught as Error).message).toContain(message);
    }
    expect(() => loadAssertionLexicon(path.join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read \(ENOENT\)/);
  });

  it('merging drops duplicate list entries and replaces a trigger of the same phrase and direction', () => {
    const base = defaultAssertionLexicon();
    const merged = mergeAssertionLexicons(
      base,
      parseAssertionLexicon({ version: 1, clauseEnds: ['，', '、'] }, 'x', true),
    );
    expect(merged.clauseEnds).toEqual([...base.clauseEnds, '、']);
    expect(merged.triggers).toEqual(base.triggers);
  });
});
