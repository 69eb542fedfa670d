import type { FastifyPluginAsync } from 'fastify';
import { documented, openApiDocument } from '../openapi';
import type { DocumentedRoute } from '../openapi';

/** `GET /openapi.json`: the OpenAPI 3.1 document generated from the schemas of the routes registered. */
export const openApiRoutes: FastifyPluginAsync<{ routes: DocumentedRoute[]; version: string }> = async (
  app,
  { routes, version },
) => {
  app.get(
    '/openapi.json',
    {
      schema: documented({
        summary: 'This document',
        tags: ['service'],
        response: { 200: { type: 'object', additionalProperties: true } },
      }),
    },
    async () =>
      openApiDocument(routes, {
        title: 'emr-re',
        version,
        description:
          'Entity and relation extraction from Chinese electronic medical records, and the knowledge graph built from it.',
      }),
  );
};
