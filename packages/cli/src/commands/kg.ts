/** `emr-re kg add|query|stats|ask|push`: the embedded knowledge-graph store (`openGraph` of `@emr-re/kg`). */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  NAMED_QUERIES,
  KG_DEFAULT_GRAPH,
  bindNamedQuery,
  namedQuery,
  openGraph,
  pushGraph,
  type EmbeddedGraphStore,
  type ModelStamp,
  type QueryResult,
} from '@emr-re/kg';
import { UsageError, decodeText, openCorpus } from '@emr-re/tokenize';
import { defineCommand } from '../command';
import { encodingArgument, inputPath, intArgument } from '../flags';
import type { CliIO, CommandRun } from '../io';
import { reportReadStats } from '../read-report';

const SUBCOMMANDS = 'add, query, stats, ask, push';

/** Help text of `emr-re kg`. */
export const HELP = `usage: emr-re kg add   --store DIR --predictions FILE.jsonl [--model-id ID] [--model-version V] [--json]
       emr-re kg query --store DIR (--sparql TEXT | --file Q.rq) [--json | --csv]
       emr-re kg stats --store DIR [--json]
       emr-re kg ask   NAME ARG... --store DIR [--json | --csv]     (emr-re kg ask --list: the named queries)
       emr-re kg push  --store DIR --endpoint URL [--graph IRI] [--batch-size N] [--retries N] [--json]
A knowledge graph in a directory: entities merged by type and normalised name, one edge per (head, label, tail)
with every piece of evidence (record id, offsets, score, model), kept as sorted N-Quads and queried with SPARQL 1.1
(the emr:, rdf:, rdfs:, xsd: prefixes are declared). Adding the same predictions twice changes nothing.
'emr-re kg <subcommand> --help' lists a subcommand's options.`;

/** Runs `emr-re kg <subcommand>`. */
export const run: CommandRun = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError(`missing subcommand (${SUBCOMMANDS}); see emr-re kg --help`);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(HELP + '\n');
    return 0;
  }
  const command = { add, query, stats, ask, push }[sub];
  if (command === undefined) throw new UsageError(`unknown subcommand '${sub}' (expected: ${SUBCOMMANDS})`);
  return command(rest, io);
};

const STORE_FLAG = { store: { type: 'string' } } as const;
const STORE_REQUIRED = ['store', '--store DIR is required'] as const;

/** Opens an existing store for reading: a missing one is a one-line error, never created. */
function openExisting(dir: string, io: CliIO): Promise<EmbeddedGraphStore> {
  return openGraph(path.resolve(io.cwd, dir), { create: false });
}

const add = defineCommand({
  help: `usage: emr-re kg add --store DIR --predictions FILE.jsonl [--model-id ID] [--model-version V] [--json]
Adds the entities and relations of canonical JSONL records (emr-re predict, emr-re extract, or gold) to the store
in DIR, creating it when DIR is missing or empty. Ids come from content: records added again add nothing.
  --model-id ID, --model-version V   the model behind the predictions, kept on every piece of evidence
  --min-score P    keep relations scoring at least P (default 0)
  --encoding E     the predictions' text encoding (default utf-8)
  --quiet          no summary line on stderr
  --json           print {"records","newEntities","newEdges","newEvidence","seconds","store"}`,
  flags: {
    ...STORE_FLAG,
    predictions: { type: 'string' },
    'model-id': { type: 'string' },
    'model-version': { type: 'string' },
    'min-score': { type: 'string' },
    encoding: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  required: [STORE_REQUIRED, ['predictions', '--predictions FILE.jsonl is required']],
  run: async (values, io) => {
    const started = Date.now();
    const input = inputPath(values.predictions, '--predictions', io.cwd);
    const dir = path.resolve(io.cwd, values.store);
    if (dir === input) throw new UsageError('--store must not be the --predictions file');
    const minScore = values['min-score'] === undefined ? 0 : Number(values['min-score']);
    if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1)
      throw new UsageError(`--min-score must be a number in 0..1, got '${values['min-score']}'`);
    if (values['model-version'] !== undefined && values['model-id'] === undefined)
      throw new UsageError('--model-version needs --model-id');
    const model: ModelStamp | undefined =
      values['model-id'] === undefined
        ? undefined
        : values['model-version'] === undefined
          ? { id: values['model-id'] }
          : { id: values['model-id'], version: values['model-version'] };
    const encoding = encodingArgument(values.encoding);
    const kg = await openGraph(dir);
    try {
      const reader = openCorpus(input, 'jsonl', { encoding });
      const records = (async function* () {
        for await (const record of reader.read()) {
          yield minScore > 0
            ? { ...record, relations: record.relations.filter((r) => (r.score ?? 1) >= minScore) }
            : record;
        }
      })();
      const result = await kg.add(records, { model });
      reportReadStats(reader.stats, { file: input, format: 'jsonl', command: 'kg add' }, io);
      const seconds = (Date.now() - started) / 1000;
      if (values.json) io.stdout(JSON.stringify({ ...result, seconds, store: dir }) + '\n');
      else if (!values.quiet)
        io.stderr(
          `kg add: ${result.records} records → ${result.newEntities} new entities, ${result.newEdges} new edges, ${result.newEvidence} new evidence in ${dir} (${seconds.toFixed(1)}s)\n`,
        );
    } finally {
      await kg.close();
    }
    return 0;
  },
});

const query = defineCommand({
  help: `usage: emr-re kg query --store DIR (--sparql TEXT | --file Q.rq) [--json | --csv]
Runs a read-only SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE; updates are refused) on the store in DIR.
The prefixes emr: <urn:emr-re:kg#>, rdf:, rdfs: and xsd: are declared. Output: tab-separated with a header line
(default), CSV (--csv), or JSON (--json: {"kind":"select","variables":[...],"rows":[{VAR:value}]}, {"kind":"ask",
"value":true}, or {"kind":"graph","nquads":"..."}); CONSTRUCT/DESCRIBE print N-Quads.`,
  flags: {
    ...STORE_FLAG,
    sparql: { type: 'string' },
    file: { type: 'string' },
    encoding: { type: 'string' },
    json: { type: 'boolean', default: false },
    csv: { type: 'boolean', default: false },
  },
  required: [STORE_REQUIRED],
  run: async (values, io) => {
    if ((values.sparql === undefined) === (values.file === undefined))
      throw new UsageError('give the query as exactly one of --sparql TEXT or --file Q.rq');
    if (values.json && values.csv) throw new UsageError('--json and --csv are exclusive');
    const text =
      values.sparql ??
      decodeText(await fs.readFile(inputPath(values.file!, '--file', io.cwd)), {
        file: path.resolve(io.cwd, values.file!),
        encoding: encodingArgument(values.encoding),
      });
    const kg = await openExisting(values.store, io);
    try {
      printResult(await kg.query(text), values, io);
    } finally {
      await kg.close();
    }
    return 0;
  },
});

const stats = defineCommand({
  help: `usage: emr-re kg stats --store DIR [--json]
Counts of the store in DIR: entities, edges, evidence, records, triples, bytes of graph.nq, entities by type and
edges by label. --json prints them as one JSON object (keys sorted; the same store prints the same bytes).`,
  flags: { ...STORE_FLAG, json: { type: 'boolean', default: false } },
  required: [STORE_REQUIRED],
  run: async (values, io) => {
    const kg = await openExisting(values.store, io);
    try {
      const s = { ...(await kg.stats()), bytes: await kg.bytes() };
      if (values.json) {
        io.stdout(JSON.stringify(s) + '\n');
        return 0;
      }
      io.stdout(
        `entities ${s.entities}\nedges ${s.edges}\nevidence ${s.evidence}\nrecords ${s.records}\ntriples ${s.triples}\nbytes ${s.bytes}\n`,
      );
      for (const [type, n] of Object.entries(s.entitiesByType)) io.stdout(`entities of type ${type} ${n}\n`);
      for (const [label, n] of Object.entries(s.edgesByLabel)) io.stdout(`edges labelled ${label} ${n}\n`);
    } finally {
      await kg.close();
    }
    return 0;
  },
});

const ask = defineCommand({
  help: `usage: emr-re kg ask NAME ARG... --store DIR [--json | --csv]
       emr-re kg ask --list
Answers a named question (a SPARQL file shipped with @emr-re/kg, working for the CMeIE and the paper schema):
${NAMED_QUERIES.map((q) => `  ${[q.name, ...q.params.map((p) => p.name.toUpperCase())].join(' ').padEnd(32)} ${q.description}`).join('\n')}
Entity names are matched in their normalised form (NFKC, no spaces, lower case). Output as for kg query.`,
  flags: {
    ...STORE_FLAG,
    list: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    csv: { type: 'boolean', default: false },
  },
  positionals: true,
  run: async (values, io, positionals) => {
    if (values.list) {
      for (const q of NAMED_QUERIES)
        io.stdout(`${[q.name, ...q.params.map((p) => p.name.toUpperCase())].join(' ')}\t${q.description}\n`);
      return 0;
    }
    const [name, ...args] = positionals;
    if (name === undefined)
      throw new UsageError(`missing the question's name (${NAMED_QUERIES.map((q) => q.name).join(', ')})`);
    if (values.store === undefined) throw new UsageError(STORE_REQUIRED[1]);
    if (values.json && values.csv) throw new UsageError('--json and --csv are exclusive');
    const sparql = bindNamedQuery(namedQuery(name), args);
    const kg = await openExisting(values.store, io);
    try {
      printResult(await kg.query(sparql), values, io);
    } finally {
      await kg.close();
    }
    return 0;
  },
});

const push = defineCommand({
  help: `usage: emr-re kg push --store DIR --endpoint URL [--graph IRI] [--batch-size N] [--retries N] [--json]
Copies the store in DIR into the named graph IRI (default ${KG_DEFAULT_GRAPH}) of a SPARQL 1.1 server by
Update requests over HTTP (form-encoded update=, e.g. Virtuoso's http://HOST:8890/sparql), N triples each
(default 2000). Requests failing on the network or with 429/5xx are retried with exponential backoff (default 5
retries). Idempotent: pushing again changes nothing; pushing a grown store replaces its counts.
  --user U --password P   HTTP basic authentication (or EMR_RE_SPARQL_USER / EMR_RE_SPARQL_PASSWORD)
  --json                  print {"triples","batches","retried","graph","endpoint"}`,
  flags: {
    ...STORE_FLAG,
    endpoint: { type: 'string' },
    graph: { type: 'string' },
    'batch-size': { type: 'string' },
    retries: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  required: [STORE_REQUIRED, ['endpoint', '--endpoint URL (a SPARQL 1.1 Update endpoint) is required']],
  run: async (values, io) => {
    let endpoint: URL;
    try {
      endpoint = new URL(values.endpoint);
    } catch {
      throw new UsageError(`--endpoint must be an http(s) URL, got '${values.endpoint}'`);
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:')
      throw new UsageError(`--endpoint must be an http(s) URL, got '${values.endpoint}'`);
    const graph = values.graph ?? KG_DEFAULT_GRAPH;
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\s]*$/.test(graph))
      throw new UsageError(`--graph must be an absolute IRI, got '${graph}'`);
    const batchSize = intArgument(values['batch-size'], '--batch-size', 1);
    const retries = intArgument(values.retries, '--retries', 0);
    const user = values.user ?? io.env.EMR_RE_SPARQL_USER;
    const password = values.password ?? io.env.EMR_RE_SPARQL_PASSWORD;
    const headers: Record<string, string> = {};
    if (user !== undefined)
      headers.authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
    const kg = await openExisting(values.store, io);
    try {
      const result = await pushGraph(kg.nquadLines(), {
        endpoint: endpoint.href,
        graph,
        batchSize,
        retries,
        headers,
        onProgress: (done) => {
          if (!values.quiet && !values.json) io.stderr(`kg push: ${done} triples sent\n`);
        },
      });
      if (values.json) io.stdout(JSON.stringify({ ...result, endpoint: endpoint.href }) + '\n');
      else if (!values.quiet)
        io.stderr(
          `kg push: ${result.triples} triples in ${result.batches} requests (${result.retried} retried) into <${graph}> at ${endpoint.href}\n`,
        );
    } finally {
      await kg.close();
    }
    return 0;
  },
});

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value: string | undefined): string {
  if (value === undefined) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A tab-separated field: tabs and line breaks inside a value become spaces. */
function tsvField(value: string | undefined): string {
  return value === undefined ? '' : value.replace(/[\t\r\n]/g, ' ');
}

function printResult(result: QueryResult, flags: { json?: boolean; csv?: boolean }, io: CliIO): void {
  if (flags.json) {
    io.stdout(JSON.stringify(result) + '\n');
    return;
  }
  if (result.kind === 'ask') {
    io.stdout(flags.csv ? `boolean\r\n${result.value}\r\n` : `${result.value}\n`);
    return;
  }
  if (result.kind === 'graph') {
    io.stdout(result.nquads);
    return;
  }
  const field = flags.csv ? csvField : tsvField;
  const sep = flags.csv ? ',' : '\t';
  const eol = flags.csv ? '\r\n' : '\n';
  const out = [result.variables.map((v) => field(v)).join(sep)];
  for (const row of result.rows) out.push(result.variables.map((v) => field(row[v])).join(sep));
  io.stdout(out.join(eol) + eol);
}
