/* global document, window, fetch, requestAnimationFrame, FileReader, CSS */
// The page: text in, entities highlighted and relations drawn as arcs, a table of triples, a graph view.
import { arcLevels, entitySegments, localGraph, parsePredictions, sentenceAround, typeColour } from './arcs.js';

const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const state = { records: [], health: undefined, models: undefined, cy: undefined };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'style') node.style.cssText = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function status(text) {
  $('status').textContent = text;
}

async function api(path, body) {
  const response = await fetch(
    path,
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  const json = await response.json().catch(() => ({}));
  if (!response.ok)
    throw new Error(json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${response.status}`);
  return json;
}

function filters() {
  const min = Number($('min-score').value);
  return { label: $('relation-filter').value, min: Number.isFinite(min) ? min : 0 };
}

function visibleRelations(record) {
  const { label, min } = filters();
  return record.relations.filter((r) => (label === '' || r.label === label) && (r.score ?? 1) >= min);
}

/** Renders every record (text layer with entity marks, an SVG layer for arcs), the legend and the table. */
function render() {
  const host = $('records');
  host.replaceChildren();
  const types = new Set();
  for (const record of state.records) {
    const { segments } = entitySegments(record.text, record.entities);
    const layer = el('div', { class: 'text-layer', lang: 'zh' });
    for (const s of segments) {
      if (!s.entity) {
        layer.append(s.text);
        continue;
      }
      const e = s.entity;
      types.add(e.type);
      const score = typeof e.score === 'number' ? ` ${e.score.toFixed(2)}` : '';
      layer.append(
        el(
          'mark',
          {
            class: 'entity',
            tabindex: '0',
            role: 'button',
            'data-entity-id': e.id,
            'data-type': e.type,
            title: `${e.type}${score}`,
            'aria-label': `${e.type}: ${s.text}`,
            style: `background:${typeColour(e.type)}`,
            onclick: () => showEntity(record, e),
            onkeydown: (ev) => {
              if (ev.key === 'Enter' || ev.key === ' ') {
                ev.preventDefault();
                showEntity(record, e);
              }
            },
          },
          s.text,
        ),
      );
    }
    const arcs = svg('svg', { class: 'arc-layer', 'aria-hidden': 'true' });
    const box = el('div', { class: 'annotated' }, layer);
    box.append(arcs);
    host.append(el('article', { class: 'record', 'data-record-id': record.id }, el('h3', {}, record.id), box));
  }
  $('legend').replaceChildren(
    ...[...types].sort().map((t) => el('span', { class: 'type-chip', style: `background:${typeColour(t)}` }, t)),
  );
  const labels = new Set(state.records.flatMap((r) => r.relations.map((x) => x.label)));
  for (const l of state.models?.relations.labels ?? []) if (l !== 'unknown') labels.add(l);
  const select = $('relation-filter');
  const chosen = select.value;
  select.replaceChildren(
    el('option', { value: '' }, 'all relations'),
    ...[...labels].sort().map((l) => el('option', { value: l }, l)),
  );
  select.value = labels.has(chosen) ? chosen : '';
  redraw();
}

/** Arcs and table again (filters changed, or the window was resized). */
function redraw() {
  document.querySelectorAll('article.record').forEach((article, i) => drawArcs(article, state.records[i]));
  renderTable();
  const ents = state.records.reduce((n, r) => n + r.entities.length, 0);
  const rels = state.records.reduce((n, r) => n + visibleRelations(r).length, 0);
  if (state.records.length > 0) status(`${state.records.length} records, ${ents} entities, ${rels} relations shown`);
}

function drawArcs(article, record) {
  const layer = article.querySelector('.text-layer');
  const arcs = article.querySelector('.arc-layer');
  layer.style.lineHeight = '';
  for (let pass = 0; pass < 2; pass++) {
    const maxLevel = layoutArcs(layer, arcs, record);
    // Room above every line for the highest stack of arcs, then lay out once more with the taller lines.
    if (pass === 0 && maxLevel > 1) layer.style.lineHeight = `${3.6 + (maxLevel - 1) * 1.1}em`;
    else break;
  }
}

function layoutArcs(layer, arcs, record) {
  arcs.replaceChildren();
  const origin = layer.getBoundingClientRect();
  arcs.setAttribute('width', String(origin.width));
  arcs.setAttribute('height', String(origin.height));
  const defs = svg('defs');
  const marker = svg('marker', {
    id: `arrow-${CSS.escape(record.id)}`,
    viewBox: '0 0 10 10',
    refX: 9,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto-start-reverse',
  });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#44505c' }));
  defs.append(marker);
  arcs.append(defs);
  const marks = new Map([...layer.querySelectorAll('mark.entity')].map((m) => [m.dataset.entityId, m]));
  const box = (id) => {
    const m = marks.get(id);
    if (!m) return undefined;
    const r = m.getClientRects()[0] ?? m.getBoundingClientRect();
    return {
      x: (r.left + r.right) / 2 - origin.left,
      top: r.top - origin.top,
      left: r.left - origin.left,
      right: r.right - origin.left,
    };
  };
  const placed = [];
  for (const rel of visibleRelations(record)) {
    const h = box(rel.head);
    const t = box(rel.tail);
    if (!h || !t) continue;
    placed.push({ rel, h, t, sameLine: Math.abs(h.top - t.top) < 4 });
  }
  // Levels per line: arcs on one line that overlap stack up.
  const byLine = new Map();
  for (const p of placed) {
    const line = Math.round(p.h.top);
    const list = byLine.get(line) ?? [];
    list.push(p);
    byLine.set(line, list);
  }
  let maxLevel = 0;
  for (const list of byLine.values()) {
    const spans = list.map((p) =>
      p.sameLine
        ? { left: Math.min(p.h.x, p.t.x), right: Math.max(p.h.x, p.t.x) }
        : { left: p.h.x, right: p.t.top > p.h.top ? origin.width : p.h.x },
    );
    arcLevels(spans).forEach((level, i) => {
      list[i].level = level;
      maxLevel = Math.max(maxLevel, level + 1);
    });
  }
  const arrow = `url(#arrow-${CSS.escape(record.id)})`;
  for (const p of placed) {
    const rise = 10 + p.level * 13;
    const yh = p.h.top - rise;
    const title = `${p.rel.label}${typeof p.rel.score === 'number' ? ` ${p.rel.score.toFixed(3)}` : ''}`;
    let d;
    let labelX;
    if (p.sameLine) {
      d = `M${p.h.x},${p.h.top} L${p.h.x},${yh + 4} Q${p.h.x},${yh} ${p.h.x + Math.sign(p.t.x - p.h.x) * 4},${yh} L${p.t.x - Math.sign(p.t.x - p.h.x) * 4},${yh} Q${p.t.x},${yh} ${p.t.x},${yh + 4} L${p.t.x},${p.t.top}`;
      labelX = (p.h.x + p.t.x) / 2;
    } else {
      // Across lines: up from the head and off to the edge, in from the edge and down to the tail.
      const forward = p.t.top > p.h.top;
      const edgeH = forward ? origin.width : 0;
      const edgeT = forward ? 0 : origin.width;
      const yt = p.t.top - rise;
      d = `M${p.h.x},${p.h.top} L${p.h.x},${yh} L${edgeH},${yh} M${edgeT},${yt} L${p.t.x},${yt} L${p.t.x},${p.t.top}`;
      labelX = (p.h.x + edgeH) / 2;
    }
    const path = svg('path', {
      class: 'arc',
      d,
      'marker-end': arrow,
      'data-label': p.rel.label,
      'data-head': p.rel.head,
      'data-tail': p.rel.tail,
    });
    const t = svg('title');
    t.textContent = title;
    path.append(t);
    const label = svg('text', { class: 'arc-label', x: labelX, y: yh - 2, 'text-anchor': 'middle' });
    label.textContent = p.rel.label;
    arcs.append(path, label);
  }
  return maxLevel;
}

function entityText(record, id) {
  const e = record.entities.find((x) => x.id === id);
  return e ? e : { text: id, type: '?' };
}

function renderTable() {
  const rows = [];
  for (const record of state.records)
    for (const rel of visibleRelations(record)) {
      const h = entityText(record, rel.head);
      const t = entityText(record, rel.tail);
      const open = () => showEntity(record, h);
      rows.push(
        el(
          'tr',
          { tabindex: '0', onclick: open, onkeydown: (ev) => ev.key === 'Enter' && open() },
          el('td', {}, record.id),
          el('td', {}, el('span', { class: 'type-chip', style: `background:${typeColour(h.type)}` }, h.type), h.text),
          el('td', { class: 'label' }, rel.label),
          el('td', {}, el('span', { class: 'type-chip', style: `background:${typeColour(t.type)}` }, t.type), t.text),
          el('td', { class: 'score' }, typeof rel.score === 'number' ? rel.score.toFixed(3) : ''),
        ),
      );
    }
  document.querySelector('#triples tbody').replaceChildren(...rows);
}

async function extract() {
  const lines = $('input')
    .value.split('\n')
    .map((t, i) => ({ id: `line-${i + 1}`, text: t }))
    .filter((r) => r.text.trim() !== '');
  if (lines.length === 0) {
    status('Nothing to extract: paste some text first');
    return;
  }
  status(`Extracting ${lines.length} record${lines.length === 1 ? '' : 's'}…`);
  $('extract-button').disabled = true;
  try {
    const answer = await api('/v1/extract', { records: lines });
    state.records = answer.records;
    render();
  } catch (err) {
    status(`Extraction failed: ${err.message}`);
  } finally {
    $('extract-button').disabled = false;
  }
}

function openFile(file) {
  const reader = new FileReader();
  reader.onload = () => {
    const text = String(reader.result);
    if (/\.jsonl?$/i.test(file.name)) {
      try {
        state.records = parsePredictions(text);
        render();
      } catch (err) {
        status(`${file.name}: ${err.message}`);
      }
    } else {
      $('input').value = text;
      extract();
    }
  };
  reader.readAsText(file);
}

// ---- graph view -------------------------------------------------------------------------------------------------

async function showEntity(record, entity) {
  document.querySelectorAll('mark.entity.selected').forEach((m) => m.classList.remove('selected'));
  document
    .querySelectorAll(
      `article[data-record-id="${CSS.escape(record.id)}"] mark[data-entity-id="${CSS.escape(entity.id)}"]`,
    )
    .forEach((m) => m.classList.add('selected'));
  $('graph-query').value = entity.text;
  await openNeighbourhood({ name: entity.text, type: entity.type });
}

/** The neighbourhood of an entity: from the server's graph when it has one, else from the records on the page. */
async function openNeighbourhood(target) {
  try {
    let nb;
    if (state.health?.graph) {
      const iri = target.iri ?? (await findInStore(target));
      nb = iri === undefined ? undefined : await api(`/v1/graph/entity/${encodeURIComponent(iri)}`);
    } else {
      const g = localGraph(state.records);
      const entity = g.nodes.find((n) =>
        target.iri ? n.iri === target.iri : n.name === target.name && n.type === target.type,
      );
      nb = entity && { entity, edges: g.edges.filter((e) => e.head === entity || e.tail === entity) };
    }
    if (!nb) {
      $('graph-title').textContent = `${target.name}: not in the graph`;
      $('graph-edges').replaceChildren();
      return;
    }
    drawGraph(nb);
  } catch (err) {
    $('graph-title').textContent = `Graph: ${err.message}`;
  }
}

async function findInStore(target) {
  const { entities } = await api(`/v1/graph/entities?q=${encodeURIComponent(target.name)}&limit=50`);
  const exact = entities.find((e) => e.name === target.name && (!target.type || e.type === target.type));
  return (exact ?? entities[0])?.iri;
}

function drawGraph(nb) {
  const nodes = new Map([[nb.entity.iri, nb.entity]]);
  for (const e of nb.edges) {
    nodes.set(e.head.iri, e.head);
    nodes.set(e.tail.iri, e.tail);
  }
  const elements = [
    ...[...nodes.values()].map((n) => ({
      data: {
        id: n.iri,
        label: `${n.name}\n${n.type}`,
        colour: typeColour(n.type),
        centre: n.iri === nb.entity.iri ? 2 : 1,
      },
    })),
    ...nb.edges.map((e, i) => ({
      data: { id: `edge-${i}`, source: e.head.iri, target: e.tail.iri, label: e.label, index: i },
    })),
  ];
  $('graph-title').textContent =
    `${nb.entity.name} (${nb.entity.type}): ${nb.edges.length} edge${nb.edges.length === 1 ? '' : 's'}`;
  $('graph').dataset.nodes = String(nodes.size);
  $('graph').dataset.edges = String(nb.edges.length);
  if (state.cy) state.cy.destroy();
  if (window.cytoscape) {
    state.cy = window.cytoscape({
      container: $('graph'),
      elements,
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'background-color': 'data(colour)',
            'text-wrap': 'wrap',
            'text-valign': 'center',
            'font-size': 11,
            width: 56,
            height: 56,
            'border-width': 1,
            'border-color': '#44505c',
          },
        },
        { selector: 'node[centre = 2]', style: { 'border-width': 3 } },
        {
          selector: 'edge',
          style: {
            label: 'data(label)',
            'curve-style': 'bezier',
            'target-arrow-shape': 'triangle',
            'font-size': 10,
            width: 1.5,
            'text-background-color': '#fff',
            'text-background-opacity': 1,
          },
        },
      ],
      layout: {
        name: 'concentric',
        concentric: (n) => n.data('centre'),
        levelWidth: () => 1,
        animate: false,
        minNodeSpacing: 40,
      },
    });
    state.cy.on('tap', 'edge', (ev) => showEvidence(nb.edges[ev.target.data('index')]));
    state.cy.on('tap', 'node', (ev) => {
      const n = nodes.get(ev.target.id());
      if (n && n.iri !== nb.entity.iri) openNeighbourhood(n);
    });
  }
  $('graph-edges').replaceChildren(
    ...nb.edges.map((e) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', class: 'edge', onclick: () => showEvidence(e) },
          `${e.head.name} —${e.label}→ ${e.tail.name} (${e.evidence.length})`,
        ),
      ),
    ),
  );
  $('evidence').replaceChildren();
}

/** An edge's evidence: each mention's sentence when its record is on the page, else its record id and offsets. */
function showEvidence(edge) {
  const items = edge.evidence.map((ev) => {
    const record = state.records.find((r) => r.id === ev.recordId);
    const meta = `${ev.recordId}${typeof ev.score === 'number' ? ` · score ${ev.score.toFixed(3)}` : ''}${ev.model ? ` · ${ev.model.id}` : ''}`;
    if (!record)
      return el('li', { class: 'evidence' }, `${meta} · head [${ev.head.join(', ')}) tail [${ev.tail.join(', ')})`);
    const span = sentenceAround(record.text, Math.min(ev.head[0], ev.tail[0]), Math.max(ev.head[1], ev.tail[1]));
    const quote = el('blockquote', { lang: 'zh' });
    const cuts = [ev.head, ev.tail].sort((a, b) => a[0] - b[0]);
    let at = span.start;
    for (const [s, e] of cuts) {
      if (s < at) continue;
      quote.append(record.text.slice(at, s), el('mark', {}, record.text.slice(s, e)));
      at = e;
    }
    quote.append(record.text.slice(at, span.end));
    return el('li', { class: 'evidence' }, el('div', { class: 'muted' }, meta), quote);
  });
  $('evidence').replaceChildren(
    el('h4', {}, `${edge.head.name} —${edge.label}→ ${edge.tail.name}`),
    el('ul', {}, ...items),
  );
}

async function searchGraph(ev) {
  ev.preventDefault();
  const q = $('graph-query').value.trim();
  let found;
  try {
    if (state.health?.graph) found = (await api(`/v1/graph/entities?q=${encodeURIComponent(q)}&limit=20`)).entities;
    else
      found = localGraph(state.records)
        .nodes.filter((n) => n.name.includes(q))
        .sort((a, b) => b.mentions - a.mentions)
        .slice(0, 20);
  } catch (err) {
    $('graph-title').textContent = `Search: ${err.message}`;
    return;
  }
  $('graph-results').replaceChildren(
    ...found.map((n) =>
      el(
        'li',
        {},
        el('button', { type: 'button', onclick: () => openNeighbourhood(n) }, `${n.name} (${n.type}, ${n.mentions})`),
      ),
    ),
  );
  if (found.length === 0) $('graph-title').textContent = `No entity matches “${q}”`;
}

async function start() {
  try {
    [state.health, state.models] = await Promise.all([api('/healthz'), api('/v1/models')]);
    const m = state.models;
    $('models-line').textContent =
      `NER ${m.ner.name} (${m.ner.arch}, ${m.ner.id}) · relations ${m.relations.name} (${m.relations.arch}, ${m.relations.id})`;
    $('graph-source').textContent = state.health.graph
      ? 'Neighbourhoods from the server’s knowledge graph.'
      : 'No store on the server: neighbourhoods from the records on this page.';
  } catch (err) {
    $('models-line').textContent = `The service did not answer: ${err.message}`;
  }
  $('extract-button').addEventListener('click', extract);
  $('input').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      extract();
    }
  });
  $('input').addEventListener('dragover', (ev) => {
    ev.preventDefault();
    $('input').classList.add('dragging');
  });
  $('input').addEventListener('dragleave', () => $('input').classList.remove('dragging'));
  $('input').addEventListener('drop', (ev) => {
    $('input').classList.remove('dragging');
    const file = ev.dataTransfer?.files?.[0];
    if (file) {
      ev.preventDefault();
      openFile(file);
    }
  });
  $('file-input').addEventListener('change', () => {
    const file = $('file-input').files[0];
    if (file) openFile(file);
  });
  $('relation-filter').addEventListener('change', redraw);
  $('min-score').addEventListener('input', redraw);
  $('graph-search').addEventListener('submit', searchGraph);
  let pending = false;
  window.addEventListener('resize', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      redraw();
    });
  });
  document.body.dataset.ready = 'true';
}

start();
