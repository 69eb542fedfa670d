import type { FastifyPluginAsync } from 'fastify';
import { documented } from '../openapi';
import type { ServerContext } from '../context';
import type { JsonSchema } from '../openapi';
import { errorSchema } from '../schemas';

const modelFields: Record<string, JsonSchema> = {
  id: { type: 'string', description: 'sha256: and 16 hex digits of the SHA-256 of the manifest' },
  name: { type: 'string', description: 'the model directory name' },
  format: { type: 'string' },
  formatVersion: { type: 'integer' },
  version: { type: 'string', description: 'the package version that wrote the model' },
  arch: { type: 'string' },
  entityTypes: { type: 'array', items: { type: 'string' } },
};

/** `GET /v1/models`: ids, versions, architectures, entity types, labels and schema of the loaded models. */
export const modelRoutes: FastifyPluginAsync<{ context: ServerContext }> = async (app, { context }) => {
  app.get(
    '/v1/models',
    {
      schema: documented({
        summary: 'The loaded NER and relation models',
        tags: ['models'],
        response: {
          200: {
            type: 'object',
            required: ['ner', 'relations'],
            properties: {
              ner: { type: 'object', properties: modelFields },
              relations: {
                type: 'object',
                properties: {
                  ...modelFields,
                  labels: { type: 'array', items: { type: 'string' } },
                  schema: {
                    type: 'object',
                    description: 'the relation schema: entity types and the labels each (head, tail) pair may carry',
                    additionalProperties: true,
                  },
                },
              },
            },
          },
          500: errorSchema,
        },
      }),
    },
    async () => context.options.models.info,
  );
};
