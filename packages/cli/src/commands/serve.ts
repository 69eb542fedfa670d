/** `emr-re serve`: the HTTP service and the web page over a NER model, a relation model and optionally a graph. */
import * as path from 'node:path';
import { UsageError } from '@emr-re/tokenize';
import { openGraph } from '@emr-re/kg';
import type { EmbeddedGraphStore } from '@emr-re/kg';
import { BACKEND_NAMES, selectBackend } from '@emr-re/resgru-att';
import { DEFAULT_LIMITS, createServer, describeModels } from '@emr-re/server';
import type { ServerLogEvent } from '@emr-re/server';
import { defineCommand } from '../command';
import { backendArgument, inputPath, intArgument } from '../flags';
import type { CliIO, CommandRun } from '../io';
import { onInterrupt } from '../interrupt';
import { loadPipeline } from '../pipeline';

const HELP = `usage: emr-re serve --ner DIR --relations DIR [--store DIR] [--host 127.0.0.1] [--port 8080] [--writable]
                    [--log-text]
Serves extraction over HTTP and a web page that draws it, until Ctrl-C (SIGINT) or SIGTERM:
  GET  /                    the page: paste or drop text (or open a JSONL of predictions) → entities, arcs, triples
  POST /v1/extract          {"records":[{"id"?,"text"}]} (or records with "entities": relations only) → records
                            with scored entities and relations
  GET  /v1/models, /healthz, /openapi.json (the OpenAPI 3.1 document of every route)
  with --store DIR (a store of emr-re kg add): GET /v1/graph/entities?q=, GET /v1/graph/entity/:iri,
  GET /v1/graph/stats, POST /v1/sparql (read-only), POST /v1/graph/add (only with --writable)
Logs go to stderr, one line a request, with record ids and sizes but never record text (unless --log-text).
  --host H            address to bind (default 127.0.0.1: this machine only)
  --port N            port (default 8080; 0: any free port)
  --store DIR         a knowledge-graph store directory (created if missing)
  --writable          allow POST /v1/graph/add
  --max-records N     records a request at most (default ${DEFAULT_LIMITS.records}; more: 400)
  --max-body-bytes N  request body bytes at most (default ${DEFAULT_LIMITS.bodyBytes}; more: 413)
  --batch-size N      records the models see at once (default ${DEFAULT_LIMITS.batchSize})
  --log-text          also log record texts and URLs (they hold patient data)
  --backend B         auto|${BACKEND_NAMES.join('|')}
  --quiet             no per-request log lines`;

/** One stderr line for a log event: method, route, status, time, record ids with sizes; text only if logged. */
export function logLine(event: ServerLogEvent): string {
  if (event.kind === 'error') return `emr-re serve: error on ${event.route}: ${event.name}: ${event.message}\n`;
  const parts = [`${event.method} ${event.url ?? event.route} ${event.status} ${event.ms}ms`];
  if (event.bytes !== undefined) parts.push(`${event.bytes}B`);
  if (event.records)
    parts.push(`records ${event.records.length}: ${event.records.map((r) => `${r.id}(${r.chars})`).join(' ')}`);
  if (event.error) parts.push(event.error);
  if (event.texts) parts.push(`texts ${JSON.stringify(event.texts)}`);
  return `emr-re serve: ${parts.join(' ')}\n`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Waits for the first SIGINT/SIGTERM the `emr-re` process receives (routed here by `onInterrupt`). */
function interrupted(): { signal: Promise<NodeJS.Signals>; release: () => void } {
  let release = (): void => undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    release = onInterrupt(resolve);
  });
  return { signal, release };
}

/** `emr-re serve`. */
export const run: CommandRun = defineCommand({
  help: HELP,
  flags: {
    ner: { type: 'string' },
    relations: { type: 'string' },
    store: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    writable: { type: 'boolean', default: false },
    'log-text': { type: 'boolean', default: false },
    'max-records': { type: 'string' },
    'max-body-bytes': { type: 'string' },
    'batch-size': { type: 'string' },
    backend: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
  required: [
    ['ner', '--ner DIR (a model of emr-re ner train) is required'],
    ['relations', '--relations DIR (a model of emr-re train) is required'],
  ],
  run: async (values, io: CliIO) => {
    const host = values.host ?? '127.0.0.1';
    const port = intArgument(values.port, '--port') ?? 8080;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got '${values.port}'`);
    if (values.writable && values.store === undefined) throw new UsageError('--writable needs --store DIR');
    const limits = {
      records: intArgument(values['max-records'], '--max-records', 1),
      bodyBytes: intArgument(values['max-body-bytes'], '--max-body-bytes', 1),
      batchSize: intArgument(values['batch-size'], '--batch-size', 1),
    };
    const dirs = {
      ner: inputPath(values.ner, '--ner', io.cwd),
      relations: inputPath(values.relations, '--relations', io.cwd),
    };
    const say = (line: string): void => io.stderr(`emr-re serve: ${line}\n`);
    // Registered before the slow loading, so a Ctrl-C during it also stops cleanly.
    const stop = interrupted();
    try {
      await selectBackend({ backend: backendArgument(values.backend), log: (line) => values.quiet || say(line) });
      const pipeline = await loadPipeline(dirs);
      let store: EmbeddedGraphStore | undefined;
      try {
        const info = await describeModels(dirs, pipeline);
        if (values.store !== undefined) store = await openGraph(inputStorePath(values.store, io.cwd));
        const app = await createServer({
          models: { ner: pipeline.ner, relations: pipeline.relations, info },
          store,
          writable: values.writable,
          logText: values['log-text'],
          limits: Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
          onLog: (event) => {
            if (!values.quiet || event.kind === 'error') io.stderr(logLine(event));
          },
        });
        try {
          try {
            await app.listen({ host, port });
          } catch (err) {
            const code = (err as { code?: string }).code;
            if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: already in use on ${host}`);
            if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
              throw new UsageError(`--host ${host}: not an address of this machine`);
            throw err;
          }
          const address = app.server.address();
          const bound = typeof address === 'object' && address !== null ? address.port : port;
          const shown = host.includes(':') ? `[${host}]` : host;
          if (!isLoopback(host))
            say(`listening on ${host}, reachable from other machines: the API has no authentication`);
          io.stdout(
            `emr-re serve: http://${shown}:${bound}/ (NER ${info.ner.id}, relations ${info.relations.id}` +
              `${store ? `, graph ${store.dir}${values.writable ? ' writable' : ' read-only'}` : ''}); Ctrl-C stops\n`,
          );
          const signal = await stop.signal;
          say(`${signal}: stopping`);
        } finally {
          await app.close();
        }
      } finally {
        await store?.close();
        pipeline.dispose();
      }
      return 0;
    } finally {
      stop.release();
    }
  },
});

/** `--store DIR` resolved against the working directory (it may not exist yet: the store creates it). */
function inputStorePath(value: string, cwd: string): string {
  if (value === '') throw new UsageError('--store needs a directory');
  return path.resolve(cwd, value);
}
