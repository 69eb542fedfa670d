import * as tf from '@tensorflow/tfjs-core';
import { PAD_ID } from '@emr-re/tokenize';
import type { CharVocabulary, EmrRecord } from '@emr-re/tokenize';
import type { NerConfig } from './config';
import { TaggingStats, addTaggingStats, emptyTaggingStats, encodeTags } from './tagging/encode';
import type { TagScheme } from './tagging/scheme';
import { splitWindows } from './windows/split';

/** One window of a training record: character ids and gold tag ids, `(length)` each. */
export interface TaggedWindow {
  chars: Int32Array;
  tags: Int32Array;
}

/** What preparing the training windows did with the records' mentions. */
export interface TrainingDataStats extends TaggingStats {
  /** Records read. */
  records: number;
  /** Windows made. */
  windows: number;
  /**
   * Tagged mentions left untagged in a window because the window's edge cuts them (a mention across two windows of
   * an over-long sentence, or across a sentence end); the overlapping neighbour usually holds it whole.
   */
  cutByWindow: number;
}

/** The position of tag id `k` of a BIOES scheme: 0 O, else 1 B, 2 I, 3 E, 4 S (tags are O, then B I E S per type). */
function positionOf(k: number): number {
  return k === 0 ? 0 : ((k - 1) % 4) + 1;
}
const B = 1;
const I = 2;
const E = 3;

/**
 * Sets to O (id 0), in place, the tags of mentions that the window edges cut: a window starting on I/E continues a
 * mention begun before it, one ending on B/I a mention that goes on after it. Returns how many mentions were cut.
 */
export function clearCutMentions(tags: Int32Array): number {
  let cut = 0;
  const n = tags.length;
  if (n > 0 && (positionOf(tags[0]) === I || positionOf(tags[0]) === E)) {
    cut++;
    let i = 0;
    while (i < n && positionOf(tags[i]) === I) tags[i++] = 0;
    if (i < n && positionOf(tags[i]) === E) tags[i] = 0;
  }
  if (n > 0 && (positionOf(tags[n - 1]) === B || positionOf(tags[n - 1]) === I)) {
    cut++;
    let i = n - 1;
    while (i >= 0 && positionOf(tags[i]) === I) tags[i--] = 0;
    if (i >= 0 && positionOf(tags[i]) === B) tags[i] = 0;
  }
  return cut;
}

/**
 * The training windows of records: each record's text is cut as `recognize` cuts it (`splitWindows` with the
 * config's `maxLength` and `overlap`), its mentions tagged once over the whole text (`encodeTags`), and each window
 * takes its slice of the tags, less the mentions its edges cut.
 */
export function trainingWindows(
  records: readonly EmrRecord[],
  scheme: TagScheme,
  vocabulary: CharVocabulary,
  config: Pick<NerConfig, 'maxLength' | 'overlap'>,
): { windows: TaggedWindow[]; stats: TrainingDataStats } {
  const stats: TrainingDataStats = { ...emptyTaggingStats(), records: 0, windows: 0, cutByWindow: 0 };
  const windows: TaggedWindow[] = [];
  for (const record of records) {
    stats.records++;
    const encoded = encodeTags(record, scheme);
    addTaggingStats(stats, encoded.stats);
    const chars = vocabulary.encode(record.text);
    for (const w of splitWindows(record.text, config)) {
      const tags = encoded.ids.slice(w.start, w.end);
      stats.cutByWindow += clearCutMentions(tags);
      windows.push({ chars: chars.slice(w.start, w.end), tags });
    }
  }
  stats.windows = windows.length;
  return { windows, stats };
}

/** A padded batch of windows as tensors; the caller disposes them. */
export interface WindowBatch {
  /** `(batch, length)` int32 character ids, PAD (0) after each row's end. */
  chars: tf.Tensor2D;
  /** `(batch, length)` float32, 1 on real characters. */
  mask: tf.Tensor2D;
  /** `(batch, length)` int32 tag ids (0 on padding), when the windows carry tags. */
  tags?: tf.Tensor2D;
  /** Real length of each row. */
  lengths: number[];
}

/** Pads windows `(length_i)` to the longest of them (`length`) and makes the batch tensors. */
export function windowBatch(items: ReadonlyArray<{ chars: Int32Array; tags?: Int32Array }>): WindowBatch {
  const lengths = items.map((w) => w.chars.length);
  const T = Math.max(1, ...lengths);
  const n = items.length;
  const chars = new Int32Array(n * T).fill(PAD_ID);
  const mask = new Float32Array(n * T);
  const withTags = items.every((w) => w.tags !== undefined);
  const tags = withTags ? new Int32Array(n * T) : undefined;
  items.forEach((w, i) => {
    chars.set(w.chars, i * T);
    mask.fill(1, i * T, i * T + w.chars.length);
    if (tags) tags.set(w.tags as Int32Array, i * T);
  });
  const batch: WindowBatch = {
    chars: tf.tensor2d(chars, [n, T], 'int32'),
    mask: tf.tensor2d(mask, [n, T], 'float32'),
    lengths,
  };
  if (tags) batch.tags = tf.tensor2d(tags, [n, T], 'int32');
  return batch;
}
