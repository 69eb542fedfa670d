/**
 * Offset conversions. Records count offsets in UTF-16 code units (JavaScript string indices); CCKS and BRAT
 * files count Unicode code points (Python string indices). The two differ only when the text holds characters
 * outside the Basic Multilingual Plane (surrogate pairs), which is rare in Chinese EMRs but must not shift spans.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

/** Maps code point offsets of `text` to UTF-16 offsets (identity when the text has no surrogate pairs). */
export function codePointToUnitOffsets(text: string): (codePointOffset: number) => number {
  if (!SURROGATE.test(text)) return (offset) => offset;
  const units: number[] = [];
  let unit = 0;
  for (const ch of text) {
    units.push(unit);
    unit += ch.length;
  }
  units.push(unit);
  // Offsets beyond the text stay beyond it, so range checks still fail where they should.
  return (offset) => (offset >= 0 && offset < units.length ? units[offset] : offset + (unit - (units.length - 1)));
}

/** Maps UTF-16 offsets of `text` to code point offsets (identity when the text has no surrogate pairs). */
export function unitToCodePointOffsets(text: string): (unitOffset: number) => number {
  if (!SURROGATE.test(text)) return (offset) => offset;
  const points = new Int32Array(text.length + 1);
  let point = 0;
  for (let i = 0; i < text.length; i++) {
    points[i] = point;
    const code = text.charCodeAt(i);
    const isHigh = code >= 0xd800 && code <= 0xdbff;
    const nextIsLow = i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
    if (isHigh && nextIsLow) {
      points[i + 1] = point;
      i++;
    }
    point++;
  }
  points[text.length] = point;
  return (offset) => (offset >= 0 && offset <= text.length ? points[offset] : offset);
}

/** True when UTF-16 offset `k` falls between the two code units of a surrogate pair of `text`. */
export function splitsSurrogatePair(text: string, k: number): boolean {
  if (k <= 0 || k >= text.length) return false;
  const before = text.charCodeAt(k - 1);
  const after = text.charCodeAt(k);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** Compares file paths so that `x-2` sorts before `x-10` (digit runs compare as numbers). */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    if (pa[i] === pb[i]) continue;
    if (i % 2 === 1) {
      const diff = Number(pa[i]) - Number(pb[i]);
      if (diff !== 0) return diff;
    }
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}
