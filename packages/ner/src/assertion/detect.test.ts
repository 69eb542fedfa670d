import type { EmrRecord, Entity } from '@emr-re/tokenize';
import { detectAssertions, findLexiconMatches } from './detect';
import { defaultAssertionLexicon, mergeAssertionLexicons } from './lexicon';

/** A record whose entities are the bracketed parts of `marked` ("否认[高血压]" → disease 高血压), typed by `types`. */
function record(marked: string, types: Record<string, string>): EmrRecord {
  const entities: Entity[] = [];
  let text = '';
  for (const part of marked.split(/(\[[^\]]+\])/u)) {
    if (part.startsWith('[')) {
      const name = part.slice(1, -1);
      entities.push({
        id: `e${entities.length}`,
        type: types[name] ?? 'symptom',
        start: text.length,
        end: text.length + name.length,
        text: name,
      });
      text += name;
    } else text += part;
  }
  return { id: 'r', text, entities, relations: [] };
}

/** `text of entity: assertion` for each entity that got one. */
function detect(marked: string, types: Record<string, string> = {}, lexicon = defaultAssertionLexicon()): string[] {
  return detectAssertions(record(marked, types), lexicon).entities.map((e) => `${e.text}:${e.assertion ?? '-'}`);
}

const D = {
  高血压: 'disease',
  糖尿病: 'disease',
  心脏病: 'disease',
  冠心病: 'disease',
  肺炎: 'disease',
  骨折: 'disease',
};

describe('detectAssertions', () => {
  it('negates a list under 否认 to its end, and absent beats the historical 史', () => {
    expect(detect('否认[高血压]、[糖尿病]，[心脏病]病史。', D)).toEqual([
      '高血压:absent',
      '糖尿病:absent',
      '心脏病:absent',
    ]);
  });

  it('a comma list right after 无 stays negated; a comma followed by other words ends the scope', () => {
    expect(detect('无[发热]，[咳嗽]。')).toEqual(['发热:absent', '咳嗽:absent']);
    expect(detect('[双下肢]无[水肿]，双肺呼吸音清，[啰音]。', { 双下肢: 'position' })).toEqual([
      '双下肢:-',
      '水肿:absent',
      '啰音:present',
    ]);
    expect(detect('伴有[恶心]，无[呕吐]。')).toEqual(['恶心:present', '呕吐:absent']);
  });

  it('scopes end at 。；, a list marker, a pseudo-trigger and a terminator', () => {
    expect(detect('无[发热]。[咳嗽]')).toEqual(['发热:absent', '咳嗽:present']);
    expect(detect('无[发热]；[咳嗽]')).toEqual(['发热:absent', '咳嗽:present']);
    expect(detect('无[发热]2.[咳嗽]')).toEqual(['发热:absent', '咳嗽:present']);
    expect(detect('无明显诱因出现[腹痛]')).toEqual(['腹痛:present']);
    expect(detect('无[发热]但[咳嗽]')).toEqual(['发热:absent', '咳嗽:present']);
  });

  it('backward triggers reach to the clause start; a sentence scope runs over commas', () => {
    expect(detect('[头痛]，[肿胀]不明显')).toEqual(['头痛:present', '肿胀:absent']);
    expect(detect('与[肺炎]相鉴别，查体无异常，故诊断不成立。[骨折]', D)).toEqual(['肺炎:absent', '骨折:present']);
    expect(detect('[冠心病]史20年，[骨折]', D)).toEqual(['冠心病:historical', '骨折:present']);
  });

  it('possible, historical and family values, with the guidelines priority absent > family > possible > historical', () => {
    expect(detect('考虑[肺炎]', D)).toEqual(['肺炎:possible']);
    expect(detect('[骨折]？', D)).toEqual(['骨折:possible']);
    expect(detect('既往[高血压]、[糖尿病]', D)).toEqual(['高血压:historical', '糖尿病:historical']);
    expect(detect('母亲患[糖尿病]', D)).toEqual(['糖尿病:family']);
    expect(detect('家族史：否认[糖尿病]史', D)).toEqual(['糖尿病:absent']);
    expect(detect('既往考虑[肺炎]', D)).toEqual(['肺炎:possible']);
  });

  it('type-restricted triggers: an allergen drug is absent, an allergic symptom is not', () => {
    const types = { 青霉素: 'treatment', 皮疹: 'symptom' };
    expect(detect('对[青霉素]过敏', types)).toEqual(['青霉素:absent']);
    expect(detect('[皮疹]过敏', types)).toEqual(['皮疹:present']);
  });

  it('longest phrase wins and matches never overlap: 不除外 is possible, not the absent 除外; 未见 one trigger', () => {
    const lexicon = defaultAssertionLexicon();
    const text = '不除外骨折，未见异常，未见水肿';
    expect(findLexiconMatches(text, lexicon).map((m) => `${text.slice(m.start, m.end)}:${m.kind}`)).toEqual([
      '不除外:trigger',
      '未见异常:pseudo',
      '未见:trigger',
    ]);
    expect(detect('不除外[骨折]', D)).toEqual(['骨折:possible']);
  });

  it('overlapping scopes of many triggers and type-restricted triggers combine per entity', () => {
    const types = { ...D, 青霉素: 'treatment', 皮疹: 'symptom' };
    // two sentence scopes of 不成立 overlap the same entities; 过敏 reaches the treatment only
    expect(detect('[肺炎]，[骨折]不成立，不成立，对[青霉素]、[皮疹]过敏。[冠心病]', types)).toEqual([
      '肺炎:absent',
      '骨折:absent',
      '青霉素:absent',
      '皮疹:present',
      '冠心病:present',
    ]);
    // a long record: every repetition gets the same values as one alone
    const one = '否认[高血压]病史，既往[冠心病]，[骨折]？。';
    const values = detect(one.repeat(300), D);
    expect(values).toHaveLength(900);
    for (let i = 0; i < 900; i += 3)
      expect(values.slice(i, i + 3)).toEqual(['高血压:absent', '冠心病:historical', '骨折:possible']);
  });

  it("an entity's own characters are never a trigger (无名指 is a position)", () => {
    expect(detect('[无名指][肿胀]', { 无名指: 'position' })).toEqual(['无名指:-', '肿胀:present']);
  });

  it('counts offsets in UTF-16 units across surrogate pairs (𠮷 is two units)', () => {
    const r = record('𠮷无[𠮷痛]，𠮷[咳嗽]', {});
    expect(r.entities.map((e) => [e.start, e.end])).toEqual([
      [3, 6],
      [9, 11],
    ]);
    expect(detectAssertions(r).entities.map((e) => e.assertion)).toEqual(['absent', 'present']);
    expect(detect('[𠮷痛]不明显')).toEqual(['𠮷痛:absent']);
  });

  it('leaves non-target entities and the input record untouched; no entities, no change', () => {
    const r = record('无[发热]，[胸部][CT]', { 胸部: 'position', CT: 'test' });
    const out = detectAssertions(r);
    expect(out.entities.map((e) => e.assertion)).toEqual(['absent', undefined, undefined]);
    expect(r.entities[0].assertion).toBeUndefined();
    expect(out.entities[1]).toBe(r.entities[1]);
    expect(detectAssertions({ id: 'x', text: '无', entities: [], relations: [] }).entities).toEqual([]);
  });

  it('a user lexicon extends the shipped one (new trigger) or changes a shipped trigger', () => {
    const base = defaultAssertionLexicon();
    expect(detect('[发热]已愈')).toEqual(['发热:present']);
    const extended = mergeAssertionLexicons(base, {
      triggers: [{ phrase: '已愈', value: 'historical', direction: 'backward' }],
    });
    expect(detect('[发热]已愈', {}, extended)).toEqual(['发热:historical']);
    const changed = mergeAssertionLexicons(base, {
      triggers: [{ phrase: '考虑', value: 'absent', direction: 'forward' }],
    });
    expect(changed.triggers.filter((t) => t.phrase === '考虑')).toHaveLength(1);
    expect(detect('考虑[肺炎]', D, changed)).toEqual(['肺炎:absent']);
  });
});
