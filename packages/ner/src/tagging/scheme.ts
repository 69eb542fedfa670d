/**
 * The BIOES tag scheme of a set of entity types: `O` outside any entity; for an entity of type X, `S-X` on a
 * one-character entity, else `B-X` on its first character, `I-X` inside and `E-X` on its last. BIOES rather than BIO
 * because the explicit end lets the CRF learn where mentions stop, which matters for Chinese text without spaces.
 */
import type { CrfConstraints } from '@emr-re/engine';
import { NerDataError } from '../errors';

/** The tag outside every entity. */
export const OUTSIDE_TAG = 'O';

/** The positions of a character in an entity: Begin, Inside, End, Single. */
export const TAG_POSITIONS = ['B', 'I', 'E', 'S'] as const;

/** One of `TAG_POSITIONS`. */
export type TagPosition = (typeof TAG_POSITIONS)[number];

/** A tag name read back: `O`, or a position in an entity of a type. */
export type ParsedTag = { position: 'O' } | { position: TagPosition; type: string };

/** The tags of a set of entity types and the transitions a CRF over them may take. */
export interface TagScheme {
  readonly encoding: 'BIOES';
  /** Entity types, in tag order. */
  readonly types: readonly string[];
  /** `O`, then `B-X, I-X, E-X, S-X` for each type X in `types` order: K = 1 + 4 × types. */
  readonly tags: readonly string[];
  /** Which tag sequences are valid BIOES, for the CRF (`[from][to]`, start, end; K × K, K, K). */
  readonly constraints: CrfConstraints;
}

/** Reads a tag name (`O`, `B-疾病`, …); undefined when it is not one. */
export function parseTag(tag: string): ParsedTag | undefined {
  if (tag === OUTSIDE_TAG) return { position: 'O' };
  const position = tag[0] as TagPosition;
  if (tag.length < 3 || tag[1] !== '-' || !TAG_POSITIONS.includes(position)) return undefined;
  return { position, type: tag.slice(2) };
}

/** May tag `to` follow tag `from` in a BIOES sequence? */
function follows(from: ParsedTag, to: ParsedTag): boolean {
  const inside = from.position === 'B' || from.position === 'I';
  const continues = to.position === 'I' || to.position === 'E';
  // Inside an entity only its own continuation may come; outside one, only O, B or S.
  if (inside) return continues && (to as { type: string }).type === (from as { type: string }).type;
  return !continues;
}

/**
 * The BIOES scheme of `types` (order kept): tags `O, B-X, I-X, E-X, S-X, B-Y, …` and the constraints that forbid
 * invalid sequences: `I-X`/`E-X` only after `B-X`/`I-X` of the same type; after `B-X`/`I-X` nothing but `I-X`/`E-X`;
 * a sequence starts with `O`, `B-*` or `S-*` and ends with `O`, `E-*` or `S-*`.
 * @throws NerDataError when `types` is empty, repeats a type or holds an empty string.
 * @example
 * tagSchemeFor(['疾病']).tags; // ['O', 'B-疾病', 'I-疾病', 'E-疾病', 'S-疾病']
 */
export function tagSchemeFor(types: readonly string[]): TagScheme {
  if (types.length === 0) throw new NerDataError('no entity types: the training records have no entities');
  const seen = new Set<string>();
  for (const type of types) {
    if (typeof type !== 'string' || type === '') throw new NerDataError('entity types must be non-empty strings');
    if (seen.has(type)) throw new NerDataError(`entity type "${type}" is listed twice`);
    seen.add(type);
  }
  const tags = [OUTSIDE_TAG, ...types.flatMap((t) => TAG_POSITIONS.map((p) => `${p}-${t}`))];
  const parsed = tags.map((t) => parseTag(t) as ParsedTag);
  const constraints: CrfConstraints = {
    transitions: parsed.map((from) => parsed.map((to) => follows(from, to))),
    start: parsed.map((t) => t.position === 'O' || t.position === 'B' || t.position === 'S'),
    end: parsed.map((t) => t.position === 'O' || t.position === 'E' || t.position === 'S'),
  };
  return { encoding: 'BIOES', types: [...types], tags, constraints };
}

/** The index of every tag name of `scheme`. */
export function tagIndex(scheme: TagScheme): ReadonlyMap<string, number> {
  return new Map(scheme.tags.map((t, i) => [t, i]));
}

/** True when `tags` is a valid BIOES sequence under `scheme`'s constraints (an empty sequence is valid). */
export function isValidTagSequence(tags: readonly string[], scheme: TagScheme): boolean {
  if (tags.length === 0) return true;
  const index = tagIndex(scheme);
  const ids = tags.map((t) => index.get(t));
  if (ids.some((k) => k === undefined)) return false;
  const k = ids as number[];
  const { transitions, start, end } = scheme.constraints;
  if (!start[k[0]] || !end[k[k.length - 1]]) return false;
  for (let i = 1; i < k.length; i++) if (!transitions[k[i - 1]][k[i]]) return false;
  return true;
}
