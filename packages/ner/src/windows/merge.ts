import type { TextWindow } from './split';

/** Anything with offsets. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Joins the spans found in each window into spans of the whole text. `perWindow[i]` holds window `i`'s spans with
 * offsets relative to the window; the result has text offsets, in text order, and no two overlap.
 *
 * Where windows overlap, a mention can be found twice, or cut short in the window whose edge crosses it. Every span
 * gets a margin: its distance to the nearest *cut* edge of its window (an edge at a sentence or text boundary does not
 * count). Spans are taken in order of decreasing margin (ties: earlier window, then earlier start) and a span that
 * overlaps one already taken is dropped, so a mention is kept from the window where it sits farthest from the edge.
 *
 * @example
 * // windows [0, 6) and [2, 8) of one long sentence (the first ends, the second starts, at a cut)
 * mergeWindowSpans(windows, [[{ start: 4, end: 6 }], [{ start: 2, end: 5 }]]);
 * // [{ start: 4, end: 7 }]: the first window's copy touches its cut edge (margin 0), the second's sits 2 from its own
 */
export function mergeWindowSpans<T extends Span>(
  windows: readonly TextWindow[],
  perWindow: readonly (readonly T[])[],
): T[] {
  if (windows.length !== perWindow.length) {
    throw new RangeError(`mergeWindowSpans: ${perWindow.length} span lists for ${windows.length} windows`);
  }
  const candidates: Array<{ span: T; margin: number; window: number }> = [];
  windows.forEach((w, k) => {
    for (const span of perWindow[k]) {
      const left = w.cutStart ? span.start : Number.POSITIVE_INFINITY;
      const right = w.cutEnd ? w.end - w.start - span.end : Number.POSITIVE_INFINITY;
      candidates.push({
        span: { ...span, start: span.start + w.start, end: span.end + w.start },
        margin: Math.min(left, right),
        window: k,
      });
    }
  });
  candidates.sort((a, b) => b.margin - a.margin || a.window - b.window || a.span.start - b.span.start);
  // Characters already covered by a taken span: a span is taken only if none of its characters is.
  const length = windows.reduce((max, w) => Math.max(max, w.end), 0);
  const covered = new Uint8Array(length);
  const taken: T[] = [];
  for (const { span } of candidates) {
    let free = true;
    for (let c = span.start; c < span.end && free; c++) free = covered[c] === 0;
    if (!free) continue;
    covered.fill(1, span.start, span.end);
    taken.push(span);
  }
  return taken.sort((a, b) => a.start - b.start);
}
