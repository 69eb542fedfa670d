import { isValidTagSequence, parseTag, tagSchemeFor } from './scheme';
import { NerDataError } from '../errors';

describe('tagSchemeFor', () => {
  const scheme = tagSchemeFor(['D', 'S']);
  const k = (tag: string) => scheme.tags.indexOf(tag);
  const allowed = (from: string, to: string) => scheme.constraints.transitions[k(from)][k(to)];

  it('lists O then B, I, E, S of each type in order', () => {
    expect(scheme.tags).toEqual(['O', 'B-D', 'I-D', 'E-D', 'S-D', 'B-S', 'I-S', 'E-S', 'S-S']);
    expect(scheme.types).toEqual(['D', 'S']);
    expect(scheme.constraints.transitions).toHaveLength(9);
    scheme.constraints.transitions.forEach((row) => expect(row).toHaveLength(9));
  });

  it('allows I-X and E-X only after B-X or I-X of the same type', () => {
    for (const from of scheme.tags) {
      const expected = from === 'B-D' || from === 'I-D';
      expect([from, allowed(from, 'I-D'), allowed(from, 'E-D')]).toEqual([from, expected, expected]);
    }
  });

  it('allows nothing but I-X or E-X after B-X and I-X', () => {
    for (const from of ['B-S', 'I-S']) {
      expect(scheme.tags.filter((to) => allowed(from, to))).toEqual(['I-S', 'E-S']);
    }
  });

  it('allows O, B and S after O, E and S', () => {
    for (const from of ['O', 'E-D', 'S-D', 'E-S', 'S-S']) {
      expect(scheme.tags.filter((to) => allowed(from, to))).toEqual(['O', 'B-D', 'S-D', 'B-S', 'S-S']);
    }
  });

  it('starts with O, B or S and ends with O, E or S', () => {
    expect(scheme.tags.filter((_, i) => scheme.constraints.start[i])).toEqual(['O', 'B-D', 'S-D', 'B-S', 'S-S']);
    expect(scheme.tags.filter((_, i) => scheme.constraints.end[i])).toEqual(['O', 'E-D', 'S-D', 'E-S', 'S-S']);
  });

  it('judges whole sequences', () => {
    expect(isValidTagSequence(['O', 'B-D', 'I-D', 'E-D', 'S-S'], scheme)).toBe(true);
    expect(isValidTagSequence(['B-D', 'E-S'], scheme)).toBe(false);
    expect(isValidTagSequence(['I-D', 'E-D'], scheme)).toBe(false);
    expect(isValidTagSequence(['B-D'], scheme)).toBe(false);
    expect(isValidTagSequence(['X'], scheme)).toBe(false);
    expect(isValidTagSequence([], scheme)).toBe(true);
  });

  it('refuses no types and repeated types', () => {
    expect(() => tagSchemeFor([])).toThrow(NerDataError);
    expect(() => tagSchemeFor(['D', 'D'])).toThrow(/listed twice/);
  });

  it('reads tag names, types with hyphens included', () => {
    expect(parseTag('O')).toEqual({ position: 'O' });
    expect(parseTag('E-a-b')).toEqual({ position: 'E', type: 'a-b' });
    expect(parseTag('X-a')).toBeUndefined();
    expect(parseTag('B-')).toBeUndefined();
  });
});
