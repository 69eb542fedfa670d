import { listMarkers, splitClauses } from './clauses';

const texts = (text: string, options = {}) => splitClauses(text, options).map((c) => c.text);

describe('listMarkers', () => {
  it('finds numbered item markers and not numbers inside values', () => {
    const text = '1.老年男性，2、既往体健；（3）查体：①T 36.5℃，L4、5椎体，3.5cm，P 80次/分。5 专科情况：4）无';
    const found = listMarkers(text).map((m) => text.slice(m.start, m.end));
    expect(found).toEqual(['1.', '2、', '（3）', '①', '5 ', '4）']);
    expect(listMarkers('右侧2、3指，T12、L1，1、2级')).toEqual([]);
  });
});

describe('splitClauses', () => {
  it('cuts sentences after ；，、： and before list markers, with offsets into the text', () => {
    const text = '既往高血压病史；2.查体：双下肢无水肿，左膝、右膝疼痛。3、无发热';
    const clauses = splitClauses(text);
    expect(clauses.map((c) => c.text)).toEqual([
      '既往高血压病史；',
      '2.查体：',
      '双下肢无水肿，',
      '左膝、',
      '右膝疼痛。',
      '3、无发热',
    ]);
    for (const c of clauses) expect(text.slice(c.start, c.end)).toBe(c.text);
    expect(clauses.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("at level 'item' cuts only after ； and before list markers", () => {
    expect(texts('既往高血压病史；2.查体：双下肢无水肿，左膝、右膝疼痛。3、无发热', { level: 'item' })).toEqual([
      '既往高血压病史；',
      '2.查体：双下肢无水肿，左膝、右膝疼痛。',
      '3、无发热',
    ]);
  });

  it('never cuts inside a keepWhole span, keeps runs of delimiters together and trims white space', () => {
    // 对0青1、2链3霉4素5过6敏7，8，9 10无11
    const text = '对青、链霉素过敏，， 无';
    expect(texts(text)).toEqual(['对青、', '链霉素过敏，，', '无']);
    expect(splitClauses(text, { keepWhole: [{ start: 1, end: 6 }] })).toEqual([
      { index: 0, start: 0, end: 10, text: '对青、链霉素过敏，，' },
      { index: 1, start: 11, end: 12, text: '无' },
    ]);
    expect(texts('，、；')).toEqual([]);
    expect(texts('')).toEqual([]);
  });

  it('counts offsets in UTF-16 code units across surrogate pairs', () => {
    const text = '𠮷痛，𠮷肿';
    expect(splitClauses(text)).toEqual([
      { index: 0, start: 0, end: 4, text: '𠮷痛，' },
      { index: 1, start: 4, end: 7, text: '𠮷肿' },
    ]);
  });
});
