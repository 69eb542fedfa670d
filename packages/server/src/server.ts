import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestNote, ServerContext } from './context';
import { errorAnswer } from './error-handler';
import { errorBody } from './errors';
import type { DocumentedRoute, RouteSchema } from './openapi';
import { DEFAULT_LIMITS } from './options';
import type { RequestLogEvent, ServerLimits, ServerOptions } from './options';
import { extractRoutes } from './routes/extract';
import { graphRoutes } from './routes/graph';
import { healthRoutes } from './routes/health';
import { modelRoutes } from './routes/models';
import { openApiRoutes } from './routes/openapi';
import { pageRoutes } from './routes/page';
import { createWorkQueue } from './work-queue';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

function checkedLimits(given: Partial<ServerLimits> | undefined): ServerLimits {
  const limits = { ...DEFAULT_LIMITS, ...given };
  for (const [key, value] of Object.entries(limits))
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`limits.${key} must be a positive integer`);
  return limits;
}

/**
 * The emr-re HTTP service on fastify, ready to `listen`: one plugin per route group (`/healthz`, `/v1/models`,
 * `/v1/extract`, the graph routes when a store is given, `/openapi.json`, the page at `/`), a JSON schema on every
 * route, JSON errors `{error: {status, code, message}}`, and a log event per request that names record ids and
 * sizes, never text (unless `logText`). The caller owns the models and the store and closes them after the server.
 * @example
 * const app = await createServer({ models: { ner, relations, info } });
 * await app.listen({ host: '127.0.0.1', port: 8080 });
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits = checkedLimits(options.limits);
  const app = Fastify({
    logger: false,
    // Plugins read the page from disk; on a loaded machine that can take longer than avvio's 10 s default.
    pluginTimeout: 120000,
    bodyLimit: limits.bodyBytes,
    // An unknown field is an error the client should see, not a field silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });
  const context: ServerContext = {
    options,
    limits,
    queue: createWorkQueue(limits.queuedBatches),
    notes: new WeakMap<FastifyRequest, RequestNote>(),
  };

  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, schema: route.schema as RouteSchema | undefined });
  });

  app.setErrorHandler((err, request, reply) => {
    const answer = errorAnswer(err, limits);
    const note = context.notes.get(request) ?? {};
    note.error = answer.code;
    context.notes.set(request, note);
    if (answer.status >= 500) {
      const e = err as Error;
      options.onLog?.({
        kind: 'error',
        route: request.routeOptions.url ?? '(none)',
        name: e?.name ?? 'Error',
        message: String(e?.message ?? err),
        stack: e?.stack,
      });
    }
    if (answer.status === 503) reply.header('retry-after', '1');
    return reply.status(answer.status).send(errorBody(answer.status, answer.code, answer.message));
  });
  app.setNotFoundHandler((request, reply) => {
    const note = context.notes.get(request) ?? {};
    note.error = 'not-found';
    context.notes.set(request, note);
    return reply
      .status(404)
      .send(errorBody(404, 'not-found', `no route ${request.method} ${request.url.split('?')[0]} (see /openapi.json)`));
  });

  if (options.onLog) {
    const log = options.onLog;
    app.addHook('onResponse', async (request, reply) => {
      const note = context.notes.get(request);
      const length = Number(request.headers['content-length']);
      const event: RequestLogEvent = {
        kind: 'request',
        method: request.method,
        route: request.routeOptions.url ?? '(no route)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      };
      if (Number.isFinite(length)) event.bytes = length;
      if (note?.records) event.records = note.records;
      if (note?.error) event.error = note.error;
      if (options.logText) {
        event.url = request.url;
        if (note?.texts) event.texts = note.texts;
      }
      log(event);
    });
  }

  await app.register(healthRoutes, { context });
  await app.register(modelRoutes, { context });
  await app.register(extractRoutes, { context });
  if (options.store) await app.register(graphRoutes, { context, store: options.store });
  await app.register(pageRoutes);
  await app.register(openApiRoutes, { routes, version: packageVersion() });
  await app.ready();
  return app;
}
