/** BIOES tagging: the tag scheme of a set of entity types, entity spans → tags, and tags → entity spans. */
export { OUTSIDE_TAG, TAG_POSITIONS, isValidTagSequence, parseTag, tagIndex, tagSchemeFor } from './scheme';
export type { ParsedTag, TagPosition, TagScheme } from './scheme';
export { addTaggingStats, emptyTaggingStats, encodeTags } from './encode';
export type { TagEncoding, TaggingStats } from './encode';
export { decodeTags } from './decode';
export type { TaggedSpan } from './decode';
