import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as oxigraph from 'oxigraph';
import type { Assertion, EmrRecord } from '@emr-re/tokenize';
import {
  ASSERTION_VALUES,
  acquireOutputLock,
  parseTemporaryName,
  removeStaleTemporaries,
  writeFileAtomic,
} from '@emr-re/tokenize';
import { ASSERTION_ORDER, type AssertionCounts } from '../assertion';
import { normaliseMention } from '../graph';
import { GraphStoreError, SparqlError } from './errors';
import { GraphIndex, tallyLines, type GraphDelta, type NodeTally } from './plan';
import { mergeSortedLines, readLinePieces, readLines } from './line-file';
import { assertReadOnly, parseResultsJson, sparqlForm, sparqlString } from './sparql';
import type {
  AddOptions,
  AddResult,
  GraphEdge,
  GraphEntity,
  GraphEvidence,
  GraphStats,
  GraphStore,
  Neighbourhood,
  QueryResult,
} from './types';
import { assertionCountIri, KG_PROLOGUE, KG_VOCABULARY, V } from './vocabulary';

/** The manifest every store directory holds: what it is, so no other directory is ever written into. */
export const STORE_MANIFEST = 'kg.json';
/** The store's content: sorted N-Quads (one quad a line), replaced atomically on every change. */
export const STORE_GRAPH = 'graph.nq';
/** The version of the store layout and vocabulary. */
export const STORE_VERSION = 1;

/** Options of `openGraph`. */
export interface OpenGraphOptions {
  /** Create the store when the directory is missing or empty (default true); false: `GraphStoreError`. */
  create?: boolean;
  /** Records planned and applied per batch in `add` (default 1,000): progress is reported after each. */
  batchSize?: number;
}

/** The embedded store: a `GraphStore` that can also hand out its canonical N-Quads. */
export interface EmbeddedGraphStore extends GraphStore {
  /** The store directory. */
  readonly dir: string;
  /** Every quad as sorted N-Quads lines (the lines of `graph.nq`), streamed: what `push` sends. */
  nquadLines(): AsyncIterable<string>;
  /** The size of `graph.nq` in bytes (0 before the first add). */
  bytes(): Promise<number>;
}

interface Manifest {
  format: 'emr-re-kg-store';
  version: number;
  vocabulary: string;
}

function manifest(): Manifest {
  return { format: 'emr-re-kg-store', version: STORE_VERSION, vocabulary: KG_VOCABULARY };
}

/**
 * Opens (creating it if needed) the knowledge-graph store in `dir`: an in-memory oxigraph store loaded from
 * `dir/graph.nq`. `add` writes the whole graph back to a temporary file renamed over `graph.nq`, so a process
 * killed mid-write leaves the last committed graph; a lock file keeps two writers apart, and a writer reloads
 * the graph first if another process changed it since it was opened.
 * @throws GraphStoreError when `dir` is a file, a directory holding anything but a store, a store of another
 *   version, or (with `create: false`) missing.
 */
export async function openGraph(dir: string, options: OpenGraphOptions = {}): Promise<EmbeddedGraphStore> {
  const root = path.resolve(dir);
  await prepareDirectory(root, options.create ?? true);
  const store = new OxigraphGraphStore(root, options.batchSize ?? 1000);
  await store.load();
  return store;
}

async function prepareDirectory(root: string, create: boolean): Promise<void> {
  const info = await fs.stat(root).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) throw new GraphStoreError(`${root} is a file, not a store directory`);
  // Another process creating the store at this moment has only its manifest's temporary here: still empty.
  const entries = (info === undefined ? [] : await fs.readdir(root)).filter(
    (entry) => parseTemporaryName(entry)?.target !== STORE_MANIFEST,
  );
  if (entries.includes(STORE_MANIFEST)) {
    let m: Partial<Manifest>;
    try {
      m = JSON.parse(await fs.readFile(path.join(root, STORE_MANIFEST), 'utf8')) as Partial<Manifest>;
    } catch {
      throw new GraphStoreError(`${path.join(root, STORE_MANIFEST)} is not a store manifest`);
    }
    if (m.format !== 'emr-re-kg-store') throw new GraphStoreError(`${root} is not an emr-re knowledge-graph store`);
    if (m.version !== STORE_VERSION) {
      throw new GraphStoreError(`${root}: store version ${m.version}, this emr-re reads version ${STORE_VERSION}`);
    }
    return;
  }
  if (!create) throw new GraphStoreError(`no knowledge-graph store at ${root} (create one with emr-re kg add)`);
  if (entries.length > 0) {
    throw new GraphStoreError(`${root} holds files but no ${STORE_MANIFEST}: not a store; choose another directory`);
  }
  await fs.mkdir(root, { recursive: true });
  await writeFileAtomic(path.join(root, STORE_MANIFEST), JSON.stringify(manifest()) + '\n');
}

interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

async function stampOf(file: string): Promise<FileStamp | undefined> {
  const s = await fs.stat(file).catch(() => undefined);
  return s === undefined ? undefined : { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
}

function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return a?.size === b?.size && a?.mtimeMs === b?.mtimeMs && a?.ino === b?.ino;
}

async function* chunks<T>(items: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

const NTRIPLES = 'application/n-triples';
/** A line of the store: subject, predicate, object (all in the default graph). */
const LINE = /^<([^>]*)> <([^>]*)> (.*) \.$/;
const PROLOGUE_LINES = KG_PROLOGUE.split('\n').length - 1;

/**
 * Oxigraph keeps the graph in 32-bit WebAssembly memory (at most 4 GB, several hundred bytes a triple): a graph
 * beyond that fails to grow it (a RangeError) or traps.
 */
function isOutOfMemory(err: unknown): boolean {
  const message = String((err as Error)?.message ?? err);
  return (
    (err instanceof RangeError && /memory|allocation/i.test(message)) ||
    ((err as Error)?.name === 'RuntimeError' && /unreachable|memory/i.test(message))
  );
}

function outOfMemory(dir: string, err: unknown): GraphStoreError {
  return new GraphStoreError(
    `the graph of ${dir} outgrew the embedded store's WebAssembly memory (4 GB; ${String((err as Error)?.message ?? err).split('\n')[0]}): ` +
      'split the predictions into several stores, or load them into a SPARQL server',
  );
}

/** `error at L:C` of the parser counted in the user's text, without the prologue put before it. */
function shiftErrorLine(message: string, lines: number): string {
  return message.replace(/error at (\d+):(\d+)/, (m, l: string, c: string) =>
    Number(l) > lines ? `error at line ${Number(l) - lines}, column ${c}` : m,
  );
}
const NQUADS = 'application/n-quads';
/** The per-assertion count properties of entities and edges, to the value they count. */
const ASSERTION_COUNTS = new Map<string, Assertion>(
  ASSERTION_VALUES.flatMap((v) => [
    [assertionCountIri('mention', v), v],
    [assertionCountIri('evidence', v), v],
  ]),
);
const RESULTS_JSON = 'application/sparql-results+json';

class OxigraphGraphStore implements EmbeddedGraphStore {
  private store = new oxigraph.Store();
  private index: GraphIndex | undefined;
  private loadedStamp: FileStamp | undefined;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly batchSize: number,
  ) {}

  private get graphFile(): string {
    return path.join(this.dir, STORE_GRAPH);
  }

  /** (Re)loads `graph.nq` in pieces; the index of ids and tallies is rebuilt lazily, on the next `add`. */
  async load(): Promise<void> {
    const stamp = await stampOf(this.graphFile);
    this.store = new oxigraph.Store();
    this.index = undefined;
    if (stamp !== undefined) {
      for await (const piece of readLinePieces(this.graphFile)) {
        try {
          this.store.load(piece, { format: NQUADS, no_transaction: true, lenient: true });
        } catch (err) {
          if (isOutOfMemory(err)) throw outOfMemory(this.dir, err);
          throw new GraphStoreError(
            `${this.graphFile} is not valid N-Quads: ${String((err as Error)?.message ?? err)}`,
          );
        }
      }
    }
    this.loadedStamp = stamp;
  }

  private select(sparql: string): Array<Record<string, string | undefined>> {
    const result = parseResultsJson(this.store.query(KG_PROLOGUE + sparql, { results_format: RESULTS_JSON }) as string);
    return result.kind === 'select' ? result.rows : [];
  }

  /** The ids and tallies of the store, read from its lines (every node has an `rdf:type` line). */
  private async buildIndex(): Promise<GraphIndex> {
    const index = new GraphIndex();
    if ((await stampOf(this.graphFile)) === undefined) return index;
    const tallies = new Map<string, NodeTally>();
    for await (const line of readLines(this.graphFile)) {
      const m = LINE.exec(line);
      if (m === null) continue;
      const [, subject, predicate, object] = m;
      if (predicate === V.type) index.knowNode(subject);
      else if (predicate === V.assertion || predicate === V.headAssertion || predicate === V.tailAssertion) {
        index.knowAssertionLine(line);
      } else if (
        predicate === V.mentionCount ||
        predicate === V.evidenceCount ||
        predicate === V.maxScore ||
        ASSERTION_COUNTS.has(predicate)
      ) {
        const value = Number(/^"([^"]*)"/.exec(object)?.[1]);
        const tally = tallies.get(subject) ?? { count: 0 };
        const assertion = ASSERTION_COUNTS.get(predicate);
        if (assertion !== undefined) tally.assertions = { ...tally.assertions, [assertion]: value };
        else if (predicate === V.maxScore) tally.maxScore = value;
        else tally.count = value;
        tallies.set(subject, tally);
      }
    }
    for (const [iri, tally] of tallies) index.knowTally(iri, tally);
    return index;
  }

  /** Applies a delta to the in-memory store and to the pending file change (lines added and removed). */
  private apply(delta: GraphDelta, pending: { added: Set<string>; removed: Set<string> }): void {
    const stale: string[] = [];
    for (const [iri, { before }] of delta.changed) {
      if (before === undefined) continue; // a new node: no tally in the store yet
      for (const line of tallyLines(iri, before)) {
        stale.push(line);
        // a tally replaced twice within one add: its intermediate line was never written
        if (!pending.added.delete(line)) pending.removed.add(line);
      }
    }
    // One update for the batch: wasm calls per quad (and the JS objects they return) cost more than the parse.
    if (stale.length > 0) this.store.update(`DELETE DATA {\n${stale.join('\n')}\n}`);
    const lines = [...delta.lines];
    for (const [iri, { after }] of delta.changed) lines.push(...tallyLines(iri, after));
    if (lines.length > 0)
      this.store.load(lines.join('\n') + '\n', { format: NTRIPLES, no_transaction: true, lenient: true });
    // a line removed and written again (an edge's maximum that stayed) is simply kept
    for (const line of lines) if (!pending.removed.delete(line)) pending.added.add(line);
  }

  async add(records: Iterable<EmrRecord> | AsyncIterable<EmrRecord>, options: AddOptions = {}): Promise<AddResult> {
    this.assertOpen();
    const lock = acquireOutputLock(this.graphFile, { command: 'kg add' });
    try {
      await removeStaleTemporaries(this.graphFile);
      if (!sameStamp(await stampOf(this.graphFile), this.loadedStamp)) await this.load();
      this.index ??= await this.buildIndex();
      const result: AddResult = { records: 0, newEntities: 0, newEdges: 0, newEvidence: 0 };
      let changed = false;
      const pending = { added: new Set<string>(), removed: new Set<string>() };
      for await (const batch of chunks(records, this.batchSize)) {
        const delta = this.index.plan(batch, options.model);
        this.apply(delta, pending);
        result.records += delta.records;
        result.newEntities += delta.newEntities;
        result.newEdges += delta.newEdges;
        result.newEvidence += delta.newEvidence;
        changed ||= delta.lines.length > 0;
        options.onProgress?.(result.records);
      }
      if (changed) await this.persist(pending);
      return result;
    } catch (err) {
      if (isOutOfMemory(err)) {
        this.closed = true;
        this.store = new oxigraph.Store();
        throw outOfMemory(this.dir, err);
      }
      // The in-memory graph may hold part of a failed add: go back to what is on disk.
      await this.load();
      throw err;
    } finally {
      lock.release();
    }
  }

  async *nquadLines(): AsyncGenerator<string> {
    this.assertOpen();
    if ((await stampOf(this.graphFile)) !== undefined) yield* readLines(this.graphFile);
  }

  /** Writes the next `graph.nq`: the old lines merged with the change, to a temporary file renamed over it. */
  private async persist(pending: { added: Set<string>; removed: Set<string> }): Promise<void> {
    const exists = (await stampOf(this.graphFile)) !== undefined;
    const existing = exists ? readLines(this.graphFile) : (async function* () {})();
    await writeFileAtomic(this.graphFile, mergeSortedLines(existing, pending.removed, [...pending.added]));
    this.loadedStamp = await stampOf(this.graphFile);
  }

  async bytes(): Promise<number> {
    return (await stampOf(this.graphFile))?.size ?? 0;
  }

  async query(sparql: string): Promise<QueryResult> {
    this.assertOpen();
    assertReadOnly(sparql);
    const form = sparqlForm(sparql);
    // emr:, rdf:, rdfs: and xsd: are declared for the user (a query may declare them again).
    const text = KG_PROLOGUE + sparql;
    try {
      if (form === 'construct' || form === 'describe') {
        return { kind: 'graph', nquads: this.store.query(text, { results_format: NQUADS }) as string };
      }
      return parseResultsJson(this.store.query(text, { results_format: RESULTS_JSON }) as string);
    } catch (err) {
      const message = String((err as Error)?.message ?? err).split('\n')[0];
      throw new SparqlError(`SPARQL ${shiftErrorLine(message, PROLOGUE_LINES)}`);
    }
  }

  async stats(): Promise<GraphStats> {
    this.assertOpen();
    const count = (cls: string): number =>
      Number(this.select(`SELECT (COUNT(*) AS ?n) WHERE { ?s a emr:${cls} }`)[0]?.n ?? 0);
    const byKey = (sparql: string): Record<string, number> => {
      const out: Record<string, number> = {};
      const rows = this.select(sparql).sort((a, b) => (a.k! < b.k! ? -1 : a.k! > b.k! ? 1 : 0));
      for (const row of rows) out[row.k!] = Number(row.n);
      return out;
    };
    return {
      entities: count('Entity'),
      edges: count('Edge'),
      evidence: count('Evidence'),
      records: count('Record'),
      triples: this.store.size,
      entitiesByType: byKey('SELECT ?k (COUNT(*) AS ?n) WHERE { ?s a emr:Entity ; emr:entityType ?k } GROUP BY ?k'),
      edgesByLabel: byKey('SELECT ?k (COUNT(*) AS ?n) WHERE { ?s a emr:Edge ; emr:relation ?k } GROUP BY ?k'),
    };
  }

  async searchEntities(text: string, limit = 20): Promise<GraphEntity[]> {
    this.assertOpen();
    const rows = this.select(`SELECT ?e ?type ?name ?n WHERE {
      ?e a emr:Entity ; rdfs:label ?name ; emr:entityType ?type ; emr:mentionCount ?n .
      FILTER(CONTAINS(?name, ${sparqlString(normaliseMention(text))}))
    } ORDER BY DESC(?n) ?name ?type LIMIT ${Math.max(0, Math.floor(limit))}`);
    return rows.map((r) => this.withAssertions({ iri: r.e!, type: r.type!, name: r.name!, mentions: Number(r.n) }));
  }

  async neighbourhood(iri: string, limit = 50): Promise<Neighbourhood | undefined> {
    this.assertOpen();
    const entityOf = (e: string): GraphEntity | undefined => {
      const rows = this.select(`SELECT ?type ?name ?n WHERE {
        <${e}> a emr:Entity ; rdfs:label ?name ; emr:entityType ?type ; emr:mentionCount ?n }`);
      return (
        rows[0] &&
        this.withAssertions({ iri: e, type: rows[0].type!, name: rows[0].name!, mentions: Number(rows[0].n) })
      );
    };
    if (!/^[^<>"{}|^`\\\s]+$/.test(iri)) return undefined;
    const entity = entityOf(iri);
    if (entity === undefined) return undefined;
    const edgeRows = this.select(`SELECT ?edge ?h ?label ?t ?c WHERE {
      { ?edge emr:head <${iri}> } UNION { ?edge emr:tail <${iri}> }
      ?edge emr:head ?h ; emr:relation ?label ; emr:tail ?t ; emr:evidenceCount ?c .
    } ORDER BY DESC(?c) ?label ?edge LIMIT ${Math.max(0, Math.floor(limit))}`);
    const cache = new Map<string, GraphEntity>([[iri, entity]]);
    const get = (e: string): GraphEntity => {
      if (!cache.has(e)) cache.set(e, entityOf(e)!);
      return cache.get(e)!;
    };
    const edges: GraphEdge[] = edgeRows.map((r) =>
      this.withAssertions({
        iri: r.edge!,
        head: get(r.h!),
        label: r.label!,
        tail: get(r.t!),
        evidence: this.evidenceOf(r.edge!),
      }),
    );
    return { entity, edges };
  }

  private evidenceOf(edge: string): GraphEvidence[] {
    const rows = this.select(`SELECT ?record ?hs ?he ?ts ?te ?score ?model ?version ?ha ?ta ?a WHERE {
      ?ev emr:edge <${edge}> ; emr:headMention ?hm ; emr:tailMention ?tm .
      ?hm emr:record/emr:recordId ?record ; emr:start ?hs ; emr:end ?he .
      ?tm emr:start ?ts ; emr:end ?te .
      OPTIONAL { ?ev emr:score ?score }
      OPTIONAL { ?ev emr:model ?m . ?m emr:modelId ?model . OPTIONAL { ?m emr:modelVersion ?version } }
      OPTIONAL { ?ev emr:headAssertion ?ha }
      OPTIONAL { ?ev emr:tailAssertion ?ta }
      OPTIONAL { ?ev emr:assertion ?a }
    } ORDER BY ?record ?hs ?ts ?model ?ha ?ta ?a`);
    return rows.map((r) => {
      const ev: GraphEvidence = {
        recordId: r.record!,
        head: [Number(r.hs), Number(r.he)],
        tail: [Number(r.ts), Number(r.te)],
      };
      if (r.score !== undefined) ev.score = Number(r.score);
      if (r.model !== undefined)
        ev.model = r.version === undefined ? { id: r.model } : { id: r.model, version: r.version };
      if (r.ha !== undefined) ev.headAssertion = r.ha as Assertion;
      if (r.ta !== undefined) ev.tailAssertion = r.ta as Assertion;
      if (r.a !== undefined) ev.assertion = r.a as Assertion;
      return ev;
    });
  }

  /** The entity or edge with its per-assertion counts (`emr:<value>MentionCount`...) set, when it has any. */
  private withAssertions<T extends { iri: string; assertions?: AssertionCounts }>(node: T): T {
    const rows = this.select(
      `SELECT ?p ?n WHERE { <${node.iri}> ?p ?n FILTER(?p IN (${[...ASSERTION_COUNTS.keys()]
        .map((p) => `<${p}>`)
        .join(', ')})) }`,
    );
    let counts: AssertionCounts | undefined;
    for (const v of ASSERTION_ORDER) {
      const row = rows.find((r) => ASSERTION_COUNTS.get(r.p!) === v);
      if (row !== undefined) counts = { ...counts, [v]: Number(row.n) };
    }
    if (counts !== undefined) node.assertions = counts;
    return node;
  }

  async close(): Promise<void> {
    // Every add is written before it returns: nothing is pending; the memory is released with the store.
    this.closed = true;
    this.store = new oxigraph.Store();
    this.index = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new GraphStoreError(`the store at ${this.dir} was closed`);
  }
}
