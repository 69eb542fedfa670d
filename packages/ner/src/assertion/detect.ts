import { listMarkers } from '@emr-re/tokenize';
import type { Assertion, EmrRecord, Entity } from '@emr-re/tokenize';
import { defaultAssertionLexicon } from './lexicon';
import type { AssertionLexicon, AssertionTrigger } from './types';

/** Which value wins when several triggers reach one entity (GUIDELINES.md section 4): the first of this list. */
export const ASSERTION_PRIORITY: readonly Assertion[] = ['absent', 'family', 'possible', 'historical', 'present'];

/** A lexicon phrase found in a text: a trigger (with its triggers), a pseudo-trigger or a terminator. */
export interface LexiconMatch {
  start: number;
  /** Exclusive. */
  end: number;
  kind: 'trigger' | 'pseudo' | 'terminator';
  /** The triggers of that phrase (one phrase may have a forward and a backward trigger). */
  triggers: AssertionTrigger[];
}

interface PhraseEntry {
  phrase: string;
  kind: LexiconMatch['kind'];
  triggers: AssertionTrigger[];
}

/** Phrases by their first UTF-16 unit, longest first; a pseudo-trigger beats a trigger of the same phrase. */
function phraseTable(lexicon: AssertionLexicon): Map<string, PhraseEntry[]> {
  const entries = new Map<string, PhraseEntry>();
  for (const phrase of lexicon.terminators) entries.set(phrase, { phrase, kind: 'terminator', triggers: [] });
  for (const trigger of lexicon.triggers) {
    const entry = entries.get(trigger.phrase);
    if (entry?.kind === 'trigger') entry.triggers.push(trigger);
    else entries.set(trigger.phrase, { phrase: trigger.phrase, kind: 'trigger', triggers: [trigger] });
  }
  for (const phrase of lexicon.pseudoTriggers) entries.set(phrase, { phrase, kind: 'pseudo', triggers: [] });
  const table = new Map<string, PhraseEntry[]>();
  for (const entry of entries.values()) {
    const list = table.get(entry.phrase[0]) ?? [];
    list.push(entry);
    table.set(entry.phrase[0], list);
  }
  for (const list of table.values()) list.sort((a, b) => b.phrase.length - a.phrase.length);
  return table;
}

/**
 * The lexicon phrases of `text`, left to right: at each offset the longest phrase that overlaps no span of
 * `entities` (an entity's own characters are never a trigger: "无名指" is a position); a match is skipped over, so
 * matches never overlap ("不除外" is one possible trigger, not "除外").
 */
export function findLexiconMatches(
  text: string,
  lexicon: AssertionLexicon,
  entities: ReadonlyArray<{ start: number; end: number }> = [],
): LexiconMatch[] {
  const covered = new Uint8Array(text.length + 1);
  for (const e of entities) for (let k = Math.max(0, e.start); k < Math.min(text.length, e.end); k++) covered[k] = 1;
  const table = phraseTable(lexicon);
  const matches: LexiconMatch[] = [];
  let i = 0;
  while (i < text.length) {
    let found: PhraseEntry | undefined;
    for (const entry of table.get(text[i]) ?? []) {
      if (!text.startsWith(entry.phrase, i)) continue;
      let free = true;
      for (let k = i; k < i + entry.phrase.length && free; k++) free = covered[k] === 0;
      if (free) {
        found = entry;
        break;
      }
    }
    if (found === undefined) {
      i++;
      continue;
    }
    matches.push({ start: i, end: i + found.phrase.length, kind: found.kind, triggers: found.triggers });
    i += found.phrase.length;
  }
  return matches;
}

/**
 * Sets an assertion on every entity of a target type (`lexicon.targetTypes`: disease, symptom, treatment by
 * default) with ConText-style triggers (Harkema et al. 2009) adapted to Chinese EMRs (GUIDELINES.md of
 * corpus/emr-relations, section 4). Each trigger reaches the entities that start inside its scope: forward from
 * its end, or backward to its start, until a sentence end (。；, line break), a numbered list marker ("2." "3、"),
 * and, for a `'clause'` scope (the default), another lexicon phrase (trigger, pseudo-trigger, terminator such as
 * "但", "伴有") or a clause end (，：) that no target entity follows at once ("无发热，咳嗽" negates both; "无水肿，双肺呼吸音清"
 * stops at the comma). When several triggers reach one entity the first of `ASSERTION_PRIORITY` wins; an entity no
 * trigger reaches is `present`. Other entities are returned as they are. Pure: a new record, the input untouched.
 * @example
 * detectAssertions({ id: 'r', text: '否认高血压、糖尿病史', entities: [htn, dm], relations: [] })
 * // both entities get assertion 'absent' (否认 beats the historical 史)
 */
export function detectAssertions(record: EmrRecord, lexicon: AssertionLexicon = defaultAssertionLexicon()): EmrRecord {
  const { text } = record;
  const targetTypes = new Set(lexicon.targetTypes);
  const targets = record.entities.filter((e) => targetTypes.has(e.type)).sort((a, b) => a.start - b.start);
  const matches = findLexiconMatches(text, lexicon, record.entities);
  const n = text.length;
  const matchStart = new Uint8Array(n + 1);
  const matchEnd = new Uint8Array(n + 1);
  for (const m of matches) {
    matchStart[m.start] = 1;
    matchEnd[m.end] = 1;
  }
  const markerStart = new Uint8Array(n + 1);
  const markerEnd = new Uint8Array(n + 1);
  for (const m of listMarkers(text)) {
    markerStart[m.start] = 1;
    markerEnd[m.end] = 1;
  }
  const targetStart = new Uint8Array(n + 1);
  for (const e of targets) if (e.start >= 0 && e.start <= n) targetStart[e.start] = 1;
  const sentenceEnds = new Set(lexicon.sentenceEnds);
  const clauseEnds = new Set(lexicon.clauseEnds);
  const space = /\s/;

  // Where a sentence scope stops, from each offset: forward (the next sentence end or list marker) and backward
  // (just after the previous one), so many sentence-scope triggers in a long record stay linear.
  const sentenceStopAfter = new Int32Array(n + 1);
  sentenceStopAfter[n] = n;
  for (let k = n - 1; k >= 0; k--)
    sentenceStopAfter[k] = markerStart[k] || sentenceEnds.has(text[k]) ? k : sentenceStopAfter[k + 1];
  const sentenceStopBefore = new Int32Array(n + 1);
  for (let k = 1; k <= n; k++)
    sentenceStopBefore[k] = markerEnd[k] || sentenceEnds.has(text[k - 1]) ? k : sentenceStopBefore[k - 1];

  const forwardEnd = (from: number, trigger: AssertionTrigger): number => {
    if (trigger.scope === 'sentence') return sentenceStopAfter[from];
    let k = from;
    while (k < n) {
      if (markerStart[k] || sentenceEnds.has(text[k])) break;
      if (matchStart[k]) break;
      if (clauseEnds.has(text[k])) {
        let j = k;
        while (j < n && (clauseEnds.has(text[j]) || (space.test(text[j]) && !sentenceEnds.has(text[j])))) j++;
        if (!targetStart[j]) break;
        k = j;
        continue;
      }
      k++;
    }
    return k;
  };
  const backwardStart = (to: number, trigger: AssertionTrigger): number => {
    if (trigger.scope === 'sentence') return sentenceStopBefore[to];
    let k = to;
    while (k > 0) {
      if (markerEnd[k] || sentenceEnds.has(text[k - 1])) break;
      if (matchEnd[k] || clauseEnds.has(text[k - 1])) break;
      k--;
    }
    return k;
  };

  // Each trigger marks its scope [from, to) in a difference array of its (value, types); an entity takes a value
  // when its start lies in a marked range. Linear in text and entities however many triggers share a sentence. (A
  // backward scope ends where its trigger starts, and a trigger never overlaps an entity, so an entity starting
  // inside the scope ends inside it.)
  const ranges = new Map<string, { value: Assertion; types?: string[]; diff: Int32Array }>();
  for (const m of matches) {
    for (const trigger of m.triggers) {
      const [from, to] =
        trigger.direction === 'forward'
          ? [m.end, forwardEnd(m.end, trigger)]
          : [backwardStart(m.start, trigger), m.start];
      if (from >= to) continue;
      const key = `${trigger.value}\u0000${trigger.types?.join('\u0000') ?? ''}`;
      let range = ranges.get(key);
      if (range === undefined) {
        range = { value: trigger.value, types: trigger.types, diff: new Int32Array(n + 1) };
        ranges.set(key, range);
      }
      range.diff[from]++;
      range.diff[to]--;
    }
  }
  const found = new Map<Entity, Set<Assertion>>();
  for (const range of ranges.values()) {
    let depth = 0;
    let next = 0;
    for (let k = 0; k < n && next < targets.length; k++) {
      depth += range.diff[k];
      while (next < targets.length && targets[next].start === k) {
        const e = targets[next++];
        if (depth <= 0 || (range.types !== undefined && !range.types.includes(e.type))) continue;
        const values = found.get(e) ?? new Set<Assertion>();
        values.add(range.value);
        found.set(e, values);
      }
      while (next < targets.length && targets[next].start <= k) next++;
    }
  }
  return {
    ...record,
    entities: record.entities.map((e) => {
      if (!targetTypes.has(e.type)) return e;
      const values = found.get(e);
      const assertion = ASSERTION_PRIORITY.find((v) => values?.has(v)) ?? 'present';
      return { ...e, assertion };
    }),
  };
}
