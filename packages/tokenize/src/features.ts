import { UsageError } from './errors';
import { MARKERS_PER_WINDOW, placeEntityMarkers } from './markers';
import type { EntityMarkerScheme } from './markers';
import type { Candidate } from './types';
import type { CharVocabulary } from './vocabulary';

/** Sizes of the encoded window and of the relative-position range. */
export interface FeatureOptions {
  /** Characters per encoded window (longer sentences are cropped, shorter ones padded). */
  maxLength: number;
  /** Relative distances are clipped to `[-maxDistance, maxDistance]`. */
  maxDistance: number;
  /**
   * Typed entity markers inserted around the head and the tail (default none; see `placeEntityMarkers`). The
   * characters are then cropped to `maxLength - MARKERS_PER_WINDOW` so that the window with its markers fits.
   */
  markers?: EntityMarkerScheme;
}

/** One encoded candidate; every array has `maxLength` entries, padding after `length`. */
export interface EncodedCandidate {
  /** Character ids, `(maxLength)`; 0 = padding. */
  charIds: Int32Array;
  /** Position ids relative to the head, `(maxLength)`; 0 = padding, else clipped distance + maxDistance + 1. */
  headPosition: Int32Array;
  /** Position ids relative to the tail, `(maxLength)`. */
  tailPosition: Int32Array;
  /** PCNN pieces, `(maxLength)`: 1 up to the end of the first entity, 2 between, 3 from the second entity on, 0 padding. */
  segments: Int32Array;
  /** 1 on real characters, 0 on padding, `(maxLength)`. */
  mask: Float32Array;
  /** Real characters in the window. */
  length: number;
}

/** A batch of encoded candidates, flat row-major `(batch, maxLength)`, ready for `tf.tensor2d(x, [batch, maxLength])`. */
export interface EncodedBatch {
  charIds: Int32Array;
  headPosition: Int32Array;
  tailPosition: Int32Array;
  segments: Int32Array;
  mask: Float32Array;
  batch: number;
  maxLength: number;
}

/** Size of a position-embedding table: ids 1..2·maxDistance+1 for distances, 0 for padding. */
export function positionVocabularySize(maxDistance: number): number {
  return 2 * maxDistance + 2;
}

/** Signed distance of character `i` to the span [start, end): negative before, 0 inside, positive after. */
export function relativeDistance(i: number, start: number, end: number): number {
  if (i < start) return i - start;
  if (i >= end) return i - end + 1;
  return 0;
}

/** Position id of a distance: clipped to ±maxDistance, shifted by maxDistance + 1 so that 0 stays padding. */
export function positionId(distance: number, maxDistance: number): number {
  return Math.max(-maxDistance, Math.min(maxDistance, distance)) + maxDistance + 1;
}

function checkOptions(options: FeatureOptions): void {
  if (!Number.isInteger(options.maxLength) || options.maxLength < 1)
    throw new UsageError(`maxLength must be a positive integer, got ${options.maxLength}`);
  if (!Number.isInteger(options.maxDistance) || options.maxDistance < 1)
    throw new UsageError(`maxDistance must be a positive integer, got ${options.maxDistance}`);
  if (options.markers !== undefined) {
    if (options.maxLength <= MARKERS_PER_WINDOW)
      throw new UsageError(`maxLength must exceed ${MARKERS_PER_WINDOW} with entity markers, got ${options.maxLength}`);
    if (!Number.isInteger(options.markers.firstId) || options.markers.firstId < 1)
      throw new UsageError(`markers.firstId must be a positive integer, got ${options.markers.firstId}`);
  }
}

/**
 * The record-level window [start, end) of a candidate: its sentence when it fits in `maxLength`. A longer
 * sentence is cropped to `maxLength` characters: centred on the span from the first entity's start to the
 * last entity's end when that span fits, else centred on the head entity (starting at the head when the
 * head alone is longer); the window is then shifted to stay inside the sentence.
 */
export function candidateWindow(candidate: Candidate, maxLength: number): { start: number; end: number } {
  const { sentence, head, tail } = candidate;
  if (sentence.end - sentence.start <= maxLength) return { start: sentence.start, end: sentence.end };
  const from = Math.min(head.start, tail.start);
  const to = Math.max(head.end, tail.end);
  let start: number;
  if (to - from <= maxLength) start = from - Math.floor((maxLength - (to - from)) / 2);
  else if (head.end - head.start >= maxLength) start = head.start;
  else start = head.start - Math.floor((maxLength - (head.end - head.start)) / 2);
  start = Math.max(sentence.start, Math.min(sentence.end - maxLength, start));
  return { start, end: start + maxLength };
}

function encodeInto(
  c: Candidate,
  vocab: CharVocabulary,
  options: FeatureOptions,
  out: EncodedBatch,
  row: number,
): number {
  const { maxLength, maxDistance, markers } = options;
  const window = candidateWindow(c, markers ? maxLength - MARKERS_PER_WINDOW : maxLength);
  const { head, tail, sentence } = c;
  const headFirst = head.start < tail.start || (head.start === tail.start && head.end <= tail.end);
  const first = headFirst ? head : tail;
  const second = headFirst ? tail : head;
  const placed = markers ? placeEntityMarkers(c, window, markers) : [];
  const base = row * maxLength;
  let j = base;
  // A marker takes the distances and segment of its entity's boundary character, except its own distance: 0, so
  // that the markers belong to the span (entity pooling reads spans from distance 0; 'start' then reads [H:type]).
  const put = (id: number, anchor: number, role?: 'head' | 'tail') => {
    out.charIds[j] = id;
    out.headPosition[j] = positionId(role === 'head' ? 0 : relativeDistance(anchor, head.start, head.end), maxDistance);
    out.tailPosition[j] = positionId(role === 'tail' ? 0 : relativeDistance(anchor, tail.start, tail.end), maxDistance);
    out.segments[j] = anchor < first.end ? 1 : anchor < second.start ? 2 : 3;
    out.mask[j] = 1;
    j++;
  };
  let k = 0;
  for (let p = window.start; p <= window.end; p++) {
    for (; k < placed.length && placed[k].offset === p; k++) put(placed[k].id, placed[k].anchor, placed[k].role);
    if (p < window.end) put(vocab.id(sentence.text[p - sentence.start]), p);
  }
  // Padding stays 0 (typed arrays start zeroed).
  return j - base;
}

function allocate(batch: number, maxLength: number): EncodedBatch {
  const n = batch * maxLength;
  return {
    charIds: new Int32Array(n),
    headPosition: new Int32Array(n),
    tailPosition: new Int32Array(n),
    segments: new Int32Array(n),
    mask: new Float32Array(n),
    batch,
    maxLength,
  };
}

/**
 * Encodes one candidate: characters of its window (see `candidateWindow`), two position features, PCNN segments,
 * mask; with `options.markers`, the typed entity markers inserted around the two spans (see `placeEntityMarkers`).
 */
export function encodeCandidate(
  candidate: Candidate,
  vocab: CharVocabulary,
  options: FeatureOptions,
): EncodedCandidate {
  checkOptions(options);
  const out = allocate(1, options.maxLength);
  const length = encodeInto(candidate, vocab, options, out, 0);
  return {
    charIds: out.charIds,
    headPosition: out.headPosition,
    tailPosition: out.tailPosition,
    segments: out.segments,
    mask: out.mask,
    length,
  };
}

/** Encodes candidates into flat `(batch, maxLength)` arrays, row b = `encodeCandidate(candidates[b])`. */
export function encodeBatch(
  candidates: readonly Candidate[],
  vocab: CharVocabulary,
  options: FeatureOptions,
): EncodedBatch {
  checkOptions(options);
  const out = allocate(candidates.length, options.maxLength);
  candidates.forEach((c, row) => encodeInto(c, vocab, options, out, row));
  return out;
}
