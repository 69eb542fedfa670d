import { mergeWindowSpans } from './merge';
import { splitWindows } from './split';

describe('splitWindows', () => {
  it('packs whole sentences into windows of at most maxLength', () => {
    const text = '发热三天。咳嗽！无痰；\n乏力';
    const windows = splitWindows(text, { maxLength: 6, overlap: 2 });
    expect(windows.map((w) => w.text)).toEqual(['发热三天。', '咳嗽！', '无痰；\n乏力']);
    expect(windows.map((w) => [w.start, w.end])).toEqual([
      [0, 5],
      [5, 8],
      [8, 14],
    ]);
    expect(windows.every((w) => !w.cutStart && !w.cutEnd)).toBe(true);
    expect(splitWindows('ab。cd。', { maxLength: 10, overlap: 2 }).map((w) => w.text)).toEqual(['ab。cd。']);
    expect(splitWindows('', { maxLength: 10, overlap: 2 })).toEqual([]);
  });

  it('cuts a long sentence into overlapping windows, the last aligned to its end', () => {
    const text = 'ab。0123456789。'; // the long sentence is [3, 14)
    const windows = splitWindows(text, { maxLength: 5, overlap: 2 });
    expect(windows.map((w) => [w.start, w.end, w.cutStart, w.cutEnd])).toEqual([
      [0, 3, false, false],
      [3, 8, false, true],
      [6, 11, true, true],
      [9, 14, true, false],
    ]);
    expect(windows.map((w) => w.text)).toEqual(['ab。', '01234', '34567', '6789。']);
  });

  it('never cuts a surrogate pair', () => {
    const text = 'abc𠮷defgh'; // 𠮷 at units 3-4
    const windows = splitWindows(text, { maxLength: 4, overlap: 1 });
    for (const w of windows) {
      expect(w.end - w.start).toBeLessThanOrEqual(4);
      expect(w.text).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
    // the windows cover the text
    const covered = new Set(windows.flatMap((w) => Array.from({ length: w.end - w.start }, (_, i) => w.start + i)));
    expect(covered.size).toBe(text.length);
    expect(windows.map((w) => w.text)).toEqual(['abc', '𠮷de', 'efgh']); // 4 would split 𠮷: the first window ends at 3
  });
});

describe('mergeWindowSpans', () => {
  const text = '0123456789';
  const windows = splitWindows(text, { maxLength: 6, overlap: 4 }); // [0,6) [2,8) [4,10)
  it('maps offsets back and keeps one copy of a mention found twice, from the window where it sits deepest', () => {
    expect(windows.map((w) => [w.start, w.end])).toEqual([
      [0, 6],
      [2, 8],
      [4, 10],
    ]);
    const merged = mergeWindowSpans(windows, [
      [{ start: 4, end: 6, score: 0.1 }], // [4,6) at the first window's cut edge (margin 0)
      [{ start: 2, end: 4, score: 0.9 }], // [4,6) again, 2 from either edge
      [{ start: 0, end: 2, score: 0.2 }], // [4,6) again, at the left cut (margin 0)
    ]);
    expect(merged).toEqual([{ start: 4, end: 6, score: 0.9 }]);
  });

  it('prefers the whole mention to one cut by a window edge, and keeps spans that do not overlap', () => {
    const merged = mergeWindowSpans(windows, [
      [
        { start: 0, end: 1, id: 'a' }, // at the text's start: no cut there
        { start: 5, end: 6, id: 'cut' }, // [5,6) cut short by the first window's right edge
      ],
      [{ start: 3, end: 5, id: 'whole' }], // [5,7)
      [{ start: 5, end: 6, id: 'end' }], // [9,10) at the text's end
    ]);
    expect(merged).toEqual([
      { start: 0, end: 1, id: 'a' },
      { start: 5, end: 7, id: 'whole' },
      { start: 9, end: 10, id: 'end' },
    ]);
  });
});
