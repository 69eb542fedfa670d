import { decodeTags } from './decode';

const spans = (tags: string, text: string) =>
  decodeTags(tags.split(' '), text).map((s) => `${s.type}:${s.start}-${s.end}:${s.text}`);

describe('decodeTags', () => {
  it('reads valid sequences exactly', () => {
    expect(spans('B-D E-D O S-S B-S I-S E-S', 'abcdefg')).toEqual(['D:0-2:ab', 'S:3-4:d', 'S:4-7:efg']);
    expect(spans('O O', 'ab')).toEqual([]);
    expect(decodeTags([], '')).toEqual([]);
  });

  it('closes an unfinished entity at its last tagged character', () => {
    expect(spans('B-D I-D O', 'abc')).toEqual(['D:0-2:ab']);
    expect(spans('B-D I-D', 'ab')).toEqual(['D:0-2:ab']);
    expect(spans('B-D B-D E-D', 'abc')).toEqual(['D:0-1:a', 'D:1-3:bc']);
    expect(spans('B-D S-S', 'ab')).toEqual(['D:0-1:a', 'S:1-2:b']);
  });

  it('starts a new entity at I or E that continues nothing', () => {
    expect(spans('O I-D E-D', 'abc')).toEqual(['D:1-3:bc']);
    expect(spans('E-D O', 'ab')).toEqual(['D:0-1:a']);
    expect(spans('B-D I-S E-S', 'abc')).toEqual(['D:0-1:a', 'S:1-3:bc']);
    expect(spans('B-D E-S', 'ab')).toEqual(['D:0-1:a', 'S:1-2:b']);
  });

  it('widens spans that would split a surrogate pair', () => {
    const text = 'a𠮷b'; // units: a, high, low, b
    expect(spans('O O S-D O', text)).toEqual(['D:1-3:𠮷']);
    expect(spans('O S-D O O', text)).toEqual(['D:1-3:𠮷']);
    // the second span would start inside the pair the first one was widened over: clipped to what is left
    expect(spans('S-D S-S O O', text)).toEqual(['D:0-1:a', 'S:1-3:𠮷']);
    expect(spans('O S-D S-S O', text)).toEqual(['D:1-3:𠮷']);
  });

  it('refuses tags that do not fit the text', () => {
    expect(() => decodeTags(['O'], 'ab')).toThrow(RangeError);
    expect(() => decodeTags(['Q'], 'a')).toThrow(/not a BIOES tag/);
  });
});
