import type { FastifySchema } from 'fastify';

/** The schema of a route, as given to fastify (plus the documentation keys OpenAPI takes). */
export interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: string[];
  /** Leave the route out of the document (e.g. the page's static files). */
  hide?: boolean;
  params?: JsonSchema;
  querystring?: JsonSchema;
  body?: JsonSchema;
  /** Content types of the body besides application/json (e.g. application/sparql-query), each with its schema. */
  consumes?: Record<string, JsonSchema>;
  response?: Record<string, JsonSchema>;
}

/** A JSON Schema object (draft-07 subset that fastify's Ajv and OpenAPI 3.1 both read). */
export type JsonSchema = Record<string, unknown>;

/** A route as registered: method, fastify URL (`/a/:id`), schema. */
export interface DocumentedRoute {
  method: string;
  url: string;
  schema?: RouteSchema;
}

/** An OpenAPI 3.1 document (the parts this package writes). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
}

/** `/v1/graph/entity/:id` → `/v1/graph/entity/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function responses(schema: RouteSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, s] of Object.entries(schema.response ?? {})) {
    const { description, ...rest } = s;
    out[status] = {
      description: typeof description === 'string' ? description : status.startsWith('2') ? 'OK' : 'Error',
      content: { 'application/json': { schema: rest } },
    };
  }
  if (Object.keys(out).length === 0) out['200'] = { description: 'OK' };
  return out;
}

/**
 * The OpenAPI 3.1 document of routes registered with schemas: path and query parameters, the JSON body (and other
 * body types from `consumes`), the responses by status. HEAD routes and `hide`d ones are left out.
 */
export function openApiDocument(
  routes: readonly DocumentedRoute[],
  info: { title: string; version: string; description?: string },
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (method === 'head' || route.schema?.hide) continue;
    const schema = route.schema ?? {};
    const operation: Record<string, unknown> = {};
    if (schema.summary) operation.summary = schema.summary;
    if (schema.description) operation.description = schema.description;
    if (schema.tags) operation.tags = schema.tags;
    const params = [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')];
    if (params.length > 0) operation.parameters = params;
    if (schema.body || schema.consumes) {
      const content: Record<string, unknown> = {};
      if (schema.body) content['application/json'] = { schema: schema.body };
      for (const [type, s] of Object.entries(schema.consumes ?? {})) content[type] = { schema: s };
      operation.requestBody = { required: true, content };
    }
    operation.responses = responses(schema);
    const key = openApiPath(route.url);
    paths[key] = { ...(paths[key] ?? {}), [method]: operation };
  }
  return { openapi: '3.1.0', info, paths };
}

/**
 * A route schema with its documentation keys, typed for fastify (which validates with body/querystring/params and
 * serialises with response, and keeps the rest for `onRoute` hooks such as the one that builds the document).
 */
export function documented(schema: RouteSchema): FastifySchema {
  return schema as FastifySchema;
}
