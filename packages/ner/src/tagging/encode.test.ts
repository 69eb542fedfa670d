import type { Entity } from '@emr-re/tokenize';
import { encodeTags } from './encode';
import { decodeTags } from './decode';
import { isValidTagSequence, tagSchemeFor } from './scheme';

const scheme = tagSchemeFor(['疾病', '症状', '部位']);
const entity = (id: string, type: string, start: number, end: number, text: string): Entity => ({
  id,
  type,
  start,
  end,
  text,
});

describe('encodeTags', () => {
  it('tags B-I-E for long mentions and S for one-character ones', () => {
    const text = '患糖尿病伴咳';
    const out = encodeTags(
      { text, entities: [entity('T1', '疾病', 1, 4, '糖尿病'), entity('T2', '症状', 5, 6, '咳')] },
      scheme,
    );
    expect(out.tags).toEqual(['O', 'B-疾病', 'I-疾病', 'E-疾病', 'O', 'S-症状']);
    expect(Array.from(out.ids)).toEqual([0, 1, 2, 3, 0, 8]);
    expect(out.stats).toMatchObject({ mentions: 2, tagged: 2, overlapping: 0 });
    expect(decodeTags(out.tags, text)).toEqual([
      { type: '疾病', start: 1, end: 4, text: '糖尿病' },
      { type: '症状', start: 5, end: 6, text: '咳' },
    ]);
  });

  it('keeps the longest of overlapping or nested mentions and counts the others', () => {
    const text = '左肺上叶肺癌';
    const out = encodeTags(
      {
        text,
        entities: [
          entity('T1', '部位', 0, 4, '左肺上叶'),
          entity('T2', '部位', 1, 2, '肺'), // nested
          entity('T3', '疾病', 0, 6, '左肺上叶肺癌'), // the longest
          entity('T4', '疾病', 0, 6, '左肺上叶肺癌'), // listed twice
          entity('T5', '疾病', 4, 6, '肺癌'), // nested
        ],
      },
      scheme,
    );
    expect(out.tags).toEqual(['B-疾病', 'I-疾病', 'I-疾病', 'I-疾病', 'I-疾病', 'E-疾病']);
    expect(out.entities.map((e) => e.id)).toEqual(['T3']);
    expect(out.stats).toEqual({
      mentions: 5,
      tagged: 1,
      overlapping: 3,
      duplicates: 1,
      unknownType: 0,
      invalidSpan: 0,
      widened: 0,
    });
  });

  it('resolves crossing mentions of equal length by the earlier start', () => {
    const out = encodeTags(
      { text: 'abcde', entities: [entity('b', '症状', 2, 5, 'cde'), entity('a', '症状', 0, 3, 'abc')] },
      scheme,
    );
    expect(out.entities.map((e) => e.id)).toEqual(['a']);
    expect(out.tags).toEqual(['B-症状', 'I-症状', 'E-症状', 'O', 'O']);
  });

  it('drops and counts unknown types and invalid spans', () => {
    const out = encodeTags(
      {
        text: 'abc',
        entities: [entity('1', '药物', 0, 1, 'a'), entity('2', '疾病', 2, 9, 'c'), entity('3', '疾病', 2, 2, '')],
      },
      scheme,
    );
    expect(out.tags).toEqual(['O', 'O', 'O']);
    expect(out.stats).toMatchObject({ mentions: 3, tagged: 0, unknownType: 1, invalidSpan: 2 });
  });

  it('tags per UTF-16 code unit and widens spans that would split a surrogate pair', () => {
    const text = '患𠮷病a'; // 𠮷 is U+20BB7: two code units, 1 and 2
    expect(text.length).toBe(5);
    const whole = encodeTags({ text, entities: [entity('1', '疾病', 1, 4, '𠮷病')] }, scheme);
    expect(whole.tags).toEqual(['O', 'B-疾病', 'I-疾病', 'E-疾病', 'O']);
    expect(whole.stats.widened).toBe(0);
    // start 2 falls between the two units of 𠮷: the mention is widened to start at 1
    const split = encodeTags({ text, entities: [entity('1', '疾病', 2, 4, '\udfb7病')] }, scheme);
    expect(split.tags).toEqual(['O', 'B-疾病', 'I-疾病', 'E-疾病', 'O']);
    expect(split.entities[0]).toMatchObject({ start: 1, end: 4, text: '𠮷病' });
    expect(split.stats.widened).toBe(1);
    // a one-character astral mention is two units: B, E
    const single = encodeTags({ text, entities: [entity('1', '症状', 1, 3, '𠮷')] }, scheme);
    expect(single.tags).toEqual(['O', 'B-症状', 'E-症状', 'O', 'O']);
    expect(isValidTagSequence(single.tags, scheme)).toBe(true);
  });
});
