import { CorpusFormatError, isUserError } from './errors';

describe('CorpusFormatError', () => {
  it('names file, line and field without the record text', () => {
    const err = new CorpusFormatError(
      { file: 'gold.jsonl', line: 2, field: 'entities[0].end' },
      'offset 99 is outside the text (length 12)',
    );
    expect(err.message).toBe('gold.jsonl:2: field entities[0].end: offset 99 is outside the text (length 12)');
    expect(err.code).toBe('CORPUS_FORMAT');
    expect(err.name).toBe('CorpusFormatError');
    expect(isUserError(err)).toBe(true);
    expect(isUserError(new Error('bug'))).toBe(false);
  });
});
