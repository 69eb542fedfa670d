// Pure helpers of the page: text segments, arc levels, colours, evidence sentences (no DOM here).

/**
 * The text cut into plain pieces and entity pieces. Entities are taken by start (longest first); one that overlaps
 * an entity already taken is left out of the text (it stays in the table) and listed in `hidden`.
 */
export function entitySegments(text, entities) {
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const segments = [];
  const hidden = [];
  let at = 0;
  for (const e of sorted) {
    if (e.start < at || e.end > text.length || e.end <= e.start) {
      hidden.push(e.id);
      continue;
    }
    if (e.start > at) segments.push({ text: text.slice(at, e.start) });
    segments.push({ text: text.slice(e.start, e.end), entity: e });
    at = e.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return { segments, hidden };
}

/**
 * Levels of arcs on one line so that arcs whose spans overlap sit at different heights: shortest first, each at the
 * lowest level free over its span (brat's layout, simplified). `arcs` are `{left, right}` in pixels.
 */
export function arcLevels(arcs) {
  const order = arcs.map((a, i) => i).sort((i, j) => arcs[i].right - arcs[i].left - (arcs[j].right - arcs[j].left));
  const levels = new Array(arcs.length).fill(0);
  const taken = [];
  for (const i of order) {
    const a = arcs[i];
    let level = 0;
    while (taken.some((t) => t.level === level && t.left < a.right + 2 && a.left < t.right + 2)) level++;
    levels[i] = level;
    taken.push({ level, left: a.left, right: a.right });
  }
  return levels;
}

/** A light colour for an entity type, the same on every page load (hue from the type's characters). */
export function typeColour(type) {
  let h = 0;
  for (const ch of type) h = (h * 31 + ch.codePointAt(0)) % 360;
  return `hsl(${h}, 70%, 82%)`;
}

/** The sentence of `text` around `[start, end)`: from after the previous 。！？；\n to the next one (included). */
export function sentenceAround(text, start, end) {
  const stops = /[。！？!?；;\n]/;
  let s = start;
  while (s > 0 && !stops.test(text[s - 1])) s--;
  let e = end;
  while (e < text.length && !stops.test(text[e])) e++;
  if (e < text.length) e++;
  return { start: s, end: e };
}

/** Records from JSONL text: one JSON object a line with `text`; `entities`/`relations` default to empty. */
export function parsePredictions(jsonl) {
  const records = [];
  jsonl.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
    if (typeof r !== 'object' || r === null || typeof r.text !== 'string')
      throw new Error(`line ${i + 1}: a record needs a text`);
    records.push({
      id: typeof r.id === 'string' ? r.id : `line-${i + 1}`,
      text: r.text,
      entities: Array.isArray(r.entities) ? r.entities : [],
      relations: Array.isArray(r.relations) ? r.relations : [],
    });
  });
  return records;
}

/**
 * The graph of the records on the page: entities merged by (type, text), edges by (head, label, tail), each edge
 * keeping its mentions as evidence — the same shape as the server's `/v1/graph/entity/:id`.
 */
export function localGraph(records) {
  const nodes = new Map();
  const edges = new Map();
  const key = (e) => `${e.type}\u0000${e.text}`;
  for (const r of records) {
    const byId = new Map(r.entities.map((e) => [e.id, e]));
    for (const e of r.entities) {
      const k = key(e);
      const n = nodes.get(k) ?? {
        iri: `local:${encodeURIComponent(e.type)}/${encodeURIComponent(e.text)}`,
        type: e.type,
        name: e.text,
        mentions: 0,
      };
      n.mentions++;
      nodes.set(k, n);
    }
    for (const rel of r.relations) {
      const h = byId.get(rel.head);
      const t = byId.get(rel.tail);
      if (!h || !t) continue;
      const k = `${key(h)}\u0001${rel.label}\u0001${key(t)}`;
      const edge = edges.get(k) ?? {
        iri: `local:edge/${edges.size}`,
        head: nodes.get(key(h)),
        label: rel.label,
        tail: nodes.get(key(t)),
        evidence: [],
      };
      edge.evidence.push({ recordId: r.id, head: [h.start, h.end], tail: [t.start, t.end], score: rel.score });
      edges.set(k, edge);
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}
