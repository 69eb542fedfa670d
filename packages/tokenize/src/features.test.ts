import { UsageError } from './errors';
import {
  candidateWindow,
  encodeBatch,
  encodeCandidate,
  positionId,
  positionVocabularySize,
  relativeDistance,
} from './features';
import type { Candidate, Entity } from './types';
import { CharVocabulary } from './vocabulary';

// Record text '患者男，45岁。头痛伴右侧颈部不适。'; the second sentence:
// 头8痛9伴10右11侧12颈13部14不15适16。17
const sentence = { index: 1, start: 8, end: 18, text: '头痛伴右侧颈部不适。' };
const entity = (id: string, type: string, start: number, end: number): Entity => ({
  id,
  type,
  start,
  end,
  text: sentence.text.slice(start - 8, end - 8),
});
const headache = entity('e0', 'symptom', 8, 10);
const neck = entity('e1', 'position', 13, 15);
const discomfort = entity('e2', 'symptom', 15, 17);
const candidate = (head: Entity, tail: Entity): Candidate => ({ recordId: 'r', sentence, head, tail, label: 'SAP' });
const vocab = CharVocabulary.build(['头痛头痛伴']); // <pad> <unk> 头 痛 伴

describe('positions', () => {
  it('measures distance to a span and shifts clipped distances past the padding id', () => {
    expect([7, 8, 9, 10, 12].map((i) => relativeDistance(i, 8, 10))).toEqual([-1, 0, 0, 1, 3]);
    expect([-9, -3, -1, 0, 1, 3, 9].map((d) => positionId(d, 3))).toEqual([1, 1, 3, 4, 5, 7, 7]);
    expect(positionVocabularySize(3)).toBe(8);
  });
});

describe('encodeCandidate', () => {
  it('encodes characters, head/tail positions, PCNN segments and mask, padded to maxLength', () => {
    const encoded = encodeCandidate(candidate(headache, neck), vocab, { maxLength: 12, maxDistance: 3 });
    expect(encoded.length).toBe(10);
    expect([...encoded.charIds]).toEqual([2, 3, 4, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect([...encoded.headPosition]).toEqual([4, 4, 5, 6, 7, 7, 7, 7, 7, 7, 0, 0]);
    expect([...encoded.tailPosition]).toEqual([1, 1, 1, 2, 3, 4, 4, 5, 6, 7, 0, 0]);
    expect([...encoded.segments]).toEqual([1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 0, 0]);
    expect([...encoded.mask]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('orders PCNN segments by position, not by head and tail', () => {
    const encoded = encodeCandidate(candidate(neck, headache), vocab, { maxLength: 10, maxDistance: 3 });
    expect([...encoded.segments]).toEqual([1, 1, 2, 2, 2, 3, 3, 3, 3, 3]);
    expect([...encoded.headPosition]).toEqual([1, 1, 1, 2, 3, 4, 4, 5, 6, 7]);
  });

  it('crops long sentences around both entities, else around the head, inside the sentence', () => {
    // union [13, 17) fits in 6: centred → [12, 18)
    expect(candidateWindow(candidate(neck, discomfort), 6)).toEqual({ start: 12, end: 18 });
    // union fits in 5: centred start 13 → [13, 18)
    expect(candidateWindow(candidate(neck, discomfort), 5)).toEqual({ start: 13, end: 18 });
    // union [8, 15) does not fit in 4: centred on the head [8, 10) → 7, shifted into the sentence → [8, 12)
    expect(candidateWindow(candidate(headache, neck), 4)).toEqual({ start: 8, end: 12 });
    // head [13, 15) centred in 4 → [12, 16)
    expect(candidateWindow(candidate(neck, headache), 4)).toEqual({ start: 12, end: 16 });
    const cropped = encodeCandidate(candidate(neck, discomfort), vocab, { maxLength: 6, maxDistance: 3 });
    expect(cropped.length).toBe(6);
    // window chars 侧颈部不适。: head (颈部) distances -1 0 0 1 2 3, tail (不适) distances -3 -2 -1 0 0 1
    expect([...cropped.headPosition]).toEqual([3, 4, 4, 5, 6, 7]);
    expect([...cropped.tailPosition]).toEqual([1, 2, 3, 4, 4, 5]);
    expect([...cropped.segments]).toEqual([1, 1, 1, 3, 3, 3]);
  });

  it('refuses bad sizes', () => {
    expect(() => encodeCandidate(candidate(headache, neck), vocab, { maxLength: 0, maxDistance: 3 })).toThrow(
      UsageError,
    );
    expect(() => encodeBatch([], vocab, { maxLength: 5, maxDistance: 1.5 })).toThrow(
      'maxDistance must be a positive integer, got 1.5',
    );
  });
});

describe('encodeBatch', () => {
  it('lays rows out flat, row b equal to encodeCandidate of candidate b', () => {
    const cands = [candidate(headache, neck), candidate(neck, discomfort), candidate(discomfort, neck)];
    const options = { maxLength: 8, maxDistance: 4 };
    const batch = encodeBatch(cands, vocab, options);
    expect(batch.batch).toBe(3);
    expect(batch.maxLength).toBe(8);
    expect(batch.charIds).toHaveLength(24);
    cands.forEach((c, b) => {
      const one = encodeCandidate(c, vocab, options);
      const row = (a: Int32Array | Float32Array) => [...a.slice(b * 8, (b + 1) * 8)];
      expect(row(batch.charIds)).toEqual([...one.charIds]);
      expect(row(batch.headPosition)).toEqual([...one.headPosition]);
      expect(row(batch.tailPosition)).toEqual([...one.tailPosition]);
      expect(row(batch.segments)).toEqual([...one.segments]);
      expect(row(batch.mask)).toEqual([...one.mask]);
    });
  });
});
