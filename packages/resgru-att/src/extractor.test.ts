import { CorpusFormatError } from '@emr-re/tokenize';
import { checkedEntities } from './extractor';

describe('checkedEntities', () => {
  const record = {
    id: 'r1',
    text: '否认高血压病史',
    entities: [
      { id: 'e0', type: '疾病', start: 2, end: 5, score: 0.93, assertion: 'absent' },
      { id: 'e1', type: '疾病', start: 2, end: 5, assertion: 'maybe' },
    ],
  };

  it("keeps a recogniser's score and a known assertion, fills the text, and drops an unknown assertion", () => {
    expect(checkedEntities(record, 0)).toEqual([
      { id: 'e0', type: '疾病', start: 2, end: 5, text: '高血压', score: 0.93, assertion: 'absent' },
      { id: 'e1', type: '疾病', start: 2, end: 5, text: '高血压' },
    ]);
  });

  it('names the record and field of bad offsets, never the text', () => {
    const bad = { ...record, entities: [{ id: 'e0', type: '疾病', start: 2, end: 99 }] };
    expect(() => checkedEntities(bad, 0)).toThrow(CorpusFormatError);
    expect(() => checkedEntities(bad, 0)).toThrow(/r1.*entities\[0\]\.end/);
    expect(() => checkedEntities(bad, 0)).not.toThrow(/高血压/);
  });
});
