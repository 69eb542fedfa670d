import type { Candidate } from './types';

/**
 * Typed entity markers (Baldini Soares et al. 2019; Zhou & Chen 2021): marker tokens inserted around the head and
 * the tail spans of an encoded window, `[H:type] head [/H] … [T:type] tail [/T]`. Their ids follow the character
 * vocabulary: `firstId + role × (types + 1) + type index` for the start markers (role 0 head, 1 tail; type index
 * 0 for a type `entityTypes` lacks, else its index + 1), then `firstId + 2 × (types + 1) + role` for the two end
 * markers.
 */
export interface EntityMarkerScheme {
  /** The schema's entity types, in the schema's order (saved with a model, so the ids stay stable). */
  entityTypes: readonly string[];
  /** The id of the first marker: the character vocabulary's size, so markers never collide with characters. */
  firstId: number;
}

/** Characters a window gives up to its markers: one start and one end marker per entity. */
export const MARKERS_PER_WINDOW = 4;

/** Marker ids a scheme over `typeCount` entity types uses: (types + 1) start markers per role, one end marker per role. */
export function entityMarkerCount(typeCount: number): number {
  return 2 * (typeCount + 1) + 2;
}

/** The entity's role in the pair. */
export type MarkerRole = 'head' | 'tail';

/** One marker placed in a window. */
export interface PlacedMarker {
  /** Marker id (see `EntityMarkerScheme`). */
  id: number;
  role: MarkerRole;
  /** True for the start marker `[H:type]` / `[T:type]`, false for the end marker `[/H]` / `[/T]`. */
  start: boolean;
  /**
   * Where it goes, in record offsets: before the character at `offset` (so `offset = window end` is after the
   * last character). The entity span is clamped to the window first, so an entity cropped out of the window
   * gets its two markers side by side at the window edge nearest to it.
   */
  offset: number;
  /**
   * The record offset of the character whose distances and PCNN segment the marker takes: the entity's first
   * character for a start marker, its last for an end marker (not clamped: a marker standing in for an entity
   * cropped out of the window keeps that entity's distances and segment).
   */
  anchor: number;
}

/**
 * The four markers of a candidate in a window [start, end), in the order they are inserted. At one offset, end
 * markers of spans opened before it come first (inner span first), then start markers (longer span first, head
 * first on a tie), then end markers of spans that are empty in the window; so the markers always nest.
 */
export function placeEntityMarkers(
  candidate: Candidate,
  window: { start: number; end: number },
  scheme: EntityMarkerScheme,
): PlacedMarker[] {
  const types = scheme.entityTypes.length;
  const clamp = (p: number) => Math.max(window.start, Math.min(window.end, p));
  const keyed: { marker: PlacedMarker; key: number[] }[] = [];
  (['head', 'tail'] as const).forEach((role, r) => {
    const entity = role === 'head' ? candidate.head : candidate.tail;
    const s = clamp(entity.start);
    const t = Math.max(s, clamp(entity.end));
    const typeIndex = scheme.entityTypes.indexOf(entity.type) + 1;
    keyed.push({
      marker: { id: scheme.firstId + r * (types + 1) + typeIndex, role, start: true, offset: s, anchor: entity.start },
      key: [s, 1, -t, r],
    });
    keyed.push({
      marker: {
        id: scheme.firstId + 2 * (types + 1) + r,
        role,
        start: false,
        offset: t,
        anchor: Math.max(entity.start, entity.end - 1),
      },
      key: [t, s === t ? 2 : 0, -s, -r],
    });
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
    return 0;
  });
  return keyed.map((k) => k.marker);
}
