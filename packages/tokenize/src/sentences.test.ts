import { sentenceOf, splitSentences } from './sentences';

describe('splitSentences', () => {
  it('splits on 。！？ and line breaks, keeps delimiters and closing quotes, trims white space', () => {
    const text = '患者头痛。无发热！\r\n查体：正常？”好';
    const sentences = splitSentences(text);
    expect(sentences.map((s) => [s.index, s.start, s.end, s.text])).toEqual([
      [0, 0, 5, '患者头痛。'],
      [1, 5, 9, '无发热！'],
      [2, 11, 18, '查体：正常？”'],
      [3, 18, 19, '好'],
    ]);
    for (const s of sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('splits on ASCII ! ? ; and keeps a run of delimiters together', () => {
    expect(splitSentences('a!b?c;d。。e').map((s) => s.text)).toEqual(['a!', 'b?', 'c;', 'd。。', 'e']);
  });

  it('drops empty and delimiter-only sentences', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('\r\n\r\n  \n')).toEqual([]);
    expect(splitSentences('。\n  咳嗽。\n\n')).toEqual([{ index: 0, start: 4, end: 7, text: '咳嗽。' }]);
  });

  it('does not split on full-width semicolons, commas or decimal points', () => {
    expect(splitSentences('2016-10-29；11：12入院，体温36.5℃。').map((s) => s.text)).toEqual([
      '2016-10-29；11：12入院，体温36.5℃。',
    ]);
  });
});

describe('sentenceOf', () => {
  const sentences = splitSentences('患者头痛。无发热！');
  it('finds the sentence holding a span, or -1 when it crosses a boundary', () => {
    expect(sentenceOf(sentences, 2, 4)).toBe(0);
    expect(sentenceOf(sentences, 5, 8)).toBe(1);
    expect(sentenceOf(sentences, 3, 6)).toBe(-1);
    expect(sentenceOf(sentences, 20, 21)).toBe(-1);
  });
});
