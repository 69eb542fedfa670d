/** Long texts in and out of a tagger's fixed reach: sentence-aligned overlapping windows, and merging back. */
export { SENTENCE_ENDS, splitWindows } from './split';
export type { TextWindow, WindowOptions } from './split';
export { mergeWindowSpans } from './merge';
export type { Span } from './merge';
