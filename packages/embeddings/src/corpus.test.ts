import { CorpusEncoder, encodeCorpus, SENTENCE_END } from './corpus';

describe('CorpusEncoder', () => {
  it('makes characters tokens, drops whitespace, sorts by count and ends sentences', async () => {
    const c = await encodeCorpus(['腹 痛\t腹\u3000', '', '  ', '痛𠀋腹'], 1);
    // counts: 腹 3, 痛 2, 𠀋 1 (an astral character is one token)
    expect(c.tokens).toEqual(['腹', '痛', '𠀋']);
    expect(Array.from(c.counts)).toEqual([3, 2, 1]);
    expect(Array.from(c.ids)).toEqual([0, 1, 0, SENTENCE_END, 1, 2, 0, SENTENCE_END]);
    expect(c.trainWords).toBe(6);
  });

  it('breaks count ties by first appearance and applies minCount', () => {
    const e = new CorpusEncoder();
    e.push('bacab');
    e.push('dd');
    const c = e.finish(2);
    // counts: b 2, a 2, c 1, d 2 -> ties in first-seen order: b, a, d; c dropped
    expect(c.tokens).toEqual(['b', 'a', 'd']);
    expect(Array.from(c.ids)).toEqual([0, 1, 1, 0, SENTENCE_END, 2, 2, SENTENCE_END]);
    expect(c.trainWords).toBe(6);
  });

  it('accepts an async stream and can place ids on shared memory', async () => {
    async function* lines(): AsyncGenerator<string> {
      yield 'ab';
      yield 'b';
    }
    const c = await encodeCorpus(lines(), 1, true);
    expect(c.ids.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(c.ids)).toEqual([1, 0, SENTENCE_END, 0, SENTENCE_END]);
  });
});
