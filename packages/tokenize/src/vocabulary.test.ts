import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorpusFormatError, UsageError } from './errors';
import { CharVocabulary, PAD_ID, UNK_ID } from './vocabulary';

describe('CharVocabulary', () => {
  it('orders characters by frequency, ties by code unit, after <pad> and <unk>', () => {
    const vocab = CharVocabulary.build(['咳嗽咳痰', '咳嗽']);
    expect(vocab.tokens).toEqual(['<pad>', '<unk>', '咳', '嗽', '痰']);
    expect(vocab.size).toBe(5);
    expect([vocab.id('咳'), vocab.id('痰'), vocab.id('热')]).toEqual([2, 4, UNK_ID]);
    expect(vocab.token(PAD_ID)).toBe('<pad>');
    expect([...vocab.encode('咳热')]).toEqual([2, 1]);
    expect(() => vocab.token(5)).toThrow(RangeError);
  });

  it('applies minCount and maxSize', () => {
    expect(CharVocabulary.build(['aaabbc'], { minCount: 2 }).tokens).toEqual(['<pad>', '<unk>', 'a', 'b']);
    expect(CharVocabulary.build(['aaabbc'], { maxSize: 3 }).tokens).toEqual(['<pad>', '<unk>', 'a']);
    expect(() => CharVocabulary.build([], { maxSize: 1 })).toThrow(UsageError);
    expect(() => CharVocabulary.build([], { minCount: 0 })).toThrow(UsageError);
  });

  it('saves atomically and loads back equal', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emr-vocab-'));
    try {
      const vocab = CharVocabulary.build(['右髋部疼痛\r\n', '𠮷']);
      const file = path.join(dir, 'vocab.json');
      await vocab.save(file);
      expect(fs.readdirSync(dir)).toEqual(['vocab.json']);
      const back = await CharVocabulary.load(file);
      expect(back.tokens).toEqual(vocab.tokens);
      expect(back.id('\r')).toBe(vocab.id('\r'));
      vocab.saveSync(file);
      expect(CharVocabulary.loadSync(file).toJSON()).toEqual(vocab.toJSON());
      fs.writeFileSync(file, '{"version": 1, "tokens": ["<pad>", "<unk>", "a", "a"]}');
      await expect(CharVocabulary.load(file)).rejects.toThrow(`${file}: field tokens[3]: duplicate token`);
      await expect(CharVocabulary.load(path.join(dir, 'none.json'))).rejects.toThrow(CorpusFormatError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [[], 'vocab.json: field (root): a vocabulary must be a JSON object'],
    [{ version: 2, tokens: [] }, 'vocab.json: field version: must be 1, got 2'],
    [{ version: 1, tokens: ['<unk>', '<pad>'] }, 'vocab.json: field tokens[0]: must be "<pad>"'],
    [{ version: 1, tokens: ['<pad>', '<unk>', 3] }, 'vocab.json: field tokens[2]: must be a non-empty string'],
  ])('fromJSON refuses %j', (json, message) => {
    expect(() => CharVocabulary.fromJSON(json, 'vocab.json')).toThrow(message);
  });
});
