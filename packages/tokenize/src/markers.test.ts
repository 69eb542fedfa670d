import { UsageError } from './errors';
import { encodeBatch, encodeCandidate } from './features';
import { MARKERS_PER_WINDOW, entityMarkerCount, placeEntityMarkers } from './markers';
import type { EntityMarkerScheme } from './markers';
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
const candidate = (head: Entity, tail: Entity): Candidate => ({ recordId: 'r', sentence, head, tail, label: 'SAP' });
const vocab = CharVocabulary.build(['头痛头痛伴']); // <pad> <unk> 头 痛 伴: size 5
// Ids: [H:?] 5, [H:symptom] 6, [H:position] 7, [T:?] 8, [T:symptom] 9, [T:position] 10, [/H] 11, [/T] 12.
const markers: EntityMarkerScheme = { entityTypes: ['symptom', 'position'], firstId: vocab.size };

describe('entityMarkerCount', () => {
  it('counts (types + 1) start markers per role and one end marker per role', () => {
    expect(entityMarkerCount(2)).toBe(8);
    expect(entityMarkerCount(0)).toBe(4);
    expect(MARKERS_PER_WINDOW).toBe(4);
  });
});

describe('encodeCandidate with typed entity markers', () => {
  it('inserts [H:type] head [/H] … [T:type] tail [/T]; markers belong to their span (distance 0)', () => {
    const e = encodeCandidate(candidate(headache, neck), vocab, { maxLength: 16, maxDistance: 3, markers });
    expect(e.length).toBe(14);
    // [H:symptom] 头 痛 [/H] 伴 右 侧 [T:position] 颈 部 [/T] 不 适 。
    expect([...e.charIds]).toEqual([6, 2, 3, 11, 4, 1, 1, 10, 1, 1, 12, 1, 1, 1, 0, 0]);
    expect([...e.headPosition]).toEqual([4, 4, 4, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0]);
    expect([...e.tailPosition]).toEqual([1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5, 6, 7, 0, 0]);
    expect([...e.segments]).toEqual([1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 0, 0]);
    expect([...e.mask]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('places the tail markers first when the tail comes first, with the roles kept', () => {
    const e = encodeCandidate(candidate(neck, headache), vocab, { maxLength: 14, maxDistance: 3, markers });
    // [T:symptom] 头 痛 [/T] 伴 右 侧 [H:position] 颈 部 [/H] 不 适 。
    expect([...e.charIds]).toEqual([9, 2, 3, 12, 4, 1, 1, 7, 1, 1, 11, 1, 1, 1]);
    expect([...e.headPosition]).toEqual([1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5, 6, 7]);
    expect([...e.tailPosition]).toEqual([4, 4, 4, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7]);
    expect([...e.segments]).toEqual([1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3]);
  });

  it('crops 4 more characters so the markers fit, and marks an entity cropped out at the window edge', () => {
    // 10 characters + 4 markers > 8: the characters are cropped to 4 (头痛伴右, as candidateWindow(c, 4)); the tail
    // [13, 15) lies beyond, so its two markers stand side by side at the end, with the tail's distances and segment.
    const e = encodeCandidate(candidate(headache, neck), vocab, { maxLength: 8, maxDistance: 3, markers });
    expect(e.length).toBe(8);
    expect([...e.charIds]).toEqual([6, 2, 3, 11, 4, 1, 10, 12]);
    expect([...e.headPosition]).toEqual([4, 4, 4, 4, 5, 6, 7, 7]);
    expect([...e.tailPosition]).toEqual([1, 1, 1, 1, 1, 2, 4, 4]);
    expect([...e.segments]).toEqual([1, 1, 1, 1, 2, 2, 3, 3]);
    expect([...e.mask]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('gives a type the scheme lacks the type-0 start marker', () => {
    const other = { ...neck, type: 'drug' };
    const e = encodeCandidate(candidate(other, headache), vocab, { maxLength: 14, maxDistance: 3, markers });
    expect(e.charIds[0]).toBe(9); // [T:symptom]
    expect(e.charIds[7]).toBe(5); // [H:?]
  });

  it('encodes a batch row by row as encodeCandidate does', () => {
    const options = { maxLength: 12, maxDistance: 3, markers };
    const batch = encodeBatch([candidate(headache, neck), candidate(neck, headache)], vocab, options);
    const second = encodeCandidate(candidate(neck, headache), vocab, options);
    expect([...batch.charIds.subarray(12)]).toEqual([...second.charIds]);
    expect([...batch.tailPosition.subarray(12)]).toEqual([...second.tailPosition]);
  });

  it('rejects a window that cannot hold the markers, and a bad first id', () => {
    expect(() => encodeCandidate(candidate(headache, neck), vocab, { maxLength: 4, maxDistance: 3, markers })).toThrow(
      UsageError,
    );
    const bad = { ...markers, firstId: 0 };
    expect(() =>
      encodeBatch([candidate(headache, neck)], vocab, { maxLength: 9, maxDistance: 3, markers: bad }),
    ).toThrow(/firstId/);
  });
});

describe('placeEntityMarkers', () => {
  const order = (head: Entity, tail: Entity) =>
    placeEntityMarkers(candidate(head, tail), { start: 8, end: 18 }, markers).map(
      (m) => `${m.start ? '' : '/'}${m.role[0].toUpperCase()}@${m.offset}`,
    );

  it('nests the markers of overlapping, adjacent and identical spans', () => {
    expect(order(entity('a', 'symptom', 12, 17), neck)).toEqual(['H@12', 'T@13', '/T@15', '/H@17']);
    expect(order(neck, entity('b', 'symptom', 15, 17))).toEqual(['H@13', '/H@15', 'T@15', '/T@17']);
    expect(order(neck, neck)).toEqual(['H@13', 'T@13', '/T@15', '/H@15']);
  });
});
