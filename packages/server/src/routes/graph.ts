import type { FastifyPluginAsync } from 'fastify';
import { documented } from '../openapi';
import type { EmrRecord } from '@emr-re/tokenize';
import { sparqlForm } from '@emr-re/kg';
import type { GraphStore, ModelStamp } from '@emr-re/kg';
import { noteRecords } from '../context';
import type { ServerContext } from '../context';
import { RequestError } from '../errors';
import { recordIds } from '../extract';
import { withEntityTexts } from '../graph-records';
import { errorSchema, graphEdgeSchema, graphEntitySchema, modelStampSchema, recordInSchema } from '../schemas';

const sparqlResultSchema = {
  description: 'SELECT rows (each binding a plain string), an ASK boolean, or a CONSTRUCT/DESCRIBE graph as N-Quads',
  anyOf: [
    {
      type: 'object',
      required: ['kind', 'variables', 'rows'],
      properties: {
        kind: { type: 'string', enum: ['select'] },
        variables: { type: 'array', items: { type: 'string' } },
        rows: { type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } } },
      },
    },
    {
      type: 'object',
      required: ['kind', 'value'],
      properties: { kind: { type: 'string', enum: ['ask'] }, value: { type: 'boolean' } },
    },
    {
      type: 'object',
      required: ['kind', 'nquads'],
      properties: { kind: { type: 'string', enum: ['graph'] }, nquads: { type: 'string' } },
    },
  ],
};

/**
 * The knowledge-graph routes over a `GraphStore`: entity search, an entity's neighbourhood with evidence, counts,
 * read-only SPARQL, and (with `writable`) adding extracted records.
 */
export const graphRoutes: FastifyPluginAsync<{ context: ServerContext; store: GraphStore }> = async (
  app,
  { context, store },
) => {
  const tags = ['graph'];
  app.get<{ Querystring: { q: string; limit: number } }>(
    '/v1/graph/entities',
    {
      schema: documented({
        summary: 'Entities whose normalised name contains q, most mentioned first',
        tags,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', default: '', description: 'part of a name (empty: the most mentioned)' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 20 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['entities'],
            properties: { entities: { type: 'array', items: graphEntitySchema } },
          },
          400: errorSchema,
        },
      }),
    },
    async (request) => ({ entities: await store.searchEntities(request.query.q, request.query.limit) }),
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/v1/graph/entity/:id',
    {
      schema: documented({
        summary: 'An entity and its edges, each with the mentions (evidence) that support it',
        tags,
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', description: "the entity's IRI, URL-encoded" } },
        },
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['entity', 'edges'],
            properties: { entity: graphEntitySchema, edges: { type: 'array', items: graphEdgeSchema } },
          },
          404: errorSchema,
        },
      }),
    },
    async (request) => {
      const found = await store.neighbourhood(request.params.id, request.query.limit);
      if (found === undefined) throw new RequestError(404, 'no-entity', 'no entity with this IRI in the graph');
      return found;
    },
  );

  app.get(
    '/v1/graph/stats',
    {
      schema: documented({
        summary: 'Counts of what the store holds',
        tags,
        response: {
          200: {
            type: 'object',
            properties: {
              entities: { type: 'integer' },
              edges: { type: 'integer' },
              evidence: { type: 'integer' },
              records: { type: 'integer' },
              triples: { type: 'integer' },
              entitiesByType: { type: 'object', additionalProperties: { type: 'integer' } },
              edgesByLabel: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
        },
      }),
    },
    async () => store.stats(),
  );

  // A SPARQL protocol client sends the query as the body with this type; JSON clients send {query}.
  app.addContentTypeParser('application/sparql-query', { parseAs: 'string' }, (_request, body, done) =>
    done(null, { query: body }),
  );
  app.post<{ Body: { query: string } }>(
    '/v1/sparql',
    {
      schema: documented({
        summary: 'A read-only SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE); SPARQL Update is refused',
        tags,
        body: {
          type: 'object',
          required: ['query'],
          additionalProperties: false,
          properties: { query: { type: 'string', minLength: 1 } },
        },
        consumes: { 'application/sparql-query': { type: 'string' } },
        response: { 200: sparqlResultSchema, 400: errorSchema },
      }),
    },
    async (request) => {
      // The store's `query` refuses updates too; this answers them before any parsing, with its own code.
      if (sparqlForm(request.body.query) === 'update')
        throw new RequestError(
          400,
          'update-refused',
          'SPARQL Update is refused: this endpoint answers read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)',
        );
      return store.query(request.body.query);
    },
  );

  app.post<{ Body: { records: EmrRecord[]; model?: ModelStamp } }>(
    '/v1/graph/add',
    {
      schema: documented({
        summary: 'Adds records with entities and relations to the graph (only when the server is writable)',
        description: `Idempotent: adding the same predictions twice adds nothing. At most ${context.limits.records} records.`,
        tags,
        body: {
          type: 'object',
          required: ['records'],
          additionalProperties: false,
          properties: {
            records: { type: 'array', minItems: 1, maxItems: context.limits.records, items: recordInSchema },
            model: { ...modelStampSchema, description: 'the model behind the predictions (default: the loaded one)' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['records', 'newEntities', 'newEdges', 'newEvidence'],
            properties: {
              records: { type: 'integer' },
              newEntities: { type: 'integer' },
              newEdges: { type: 'integer' },
              newEvidence: { type: 'integer' },
            },
          },
          400: errorSchema,
          403: errorSchema,
          413: errorSchema,
        },
      }),
    },
    async (request) => {
      if (!context.options.writable)
        throw new RequestError(403, 'read-only', 'the graph is read-only: start the server with --writable to add');
      const { records } = request.body;
      recordIds(records);
      noteRecords(context, request, records);
      const { relations } = context.options.models.info;
      const model = request.body.model ?? { id: relations.id, version: relations.version };
      return store.add(withEntityTexts(records), { model });
    },
  );
};
