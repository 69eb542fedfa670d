import type { FastifyPluginAsync } from 'fastify';
import { documented } from '../openapi';
import { noteRecords } from '../context';
import type { ServerContext } from '../context';
import { extractRecords, recordIds } from '../extract';
import type { ExtractInput } from '../extract';
import { entityInSchema, errorSchema, recordSchema, scoreSchema } from '../schemas';

interface ExtractBody {
  records: ExtractInput[];
  minEntityScore?: number;
  minScore?: number;
}

/**
 * `POST /v1/extract`: records `{id?, text}` → records with scored entities and relations; records that carry
 * `entities` keep them and get relations only. Cut into batches that take turns on the models.
 */
export const extractRoutes: FastifyPluginAsync<{ context: ServerContext }> = async (app, { context }) => {
  const { limits } = context;
  app.post<{ Body: ExtractBody }>(
    '/v1/extract',
    {
      schema: documented({
        summary: 'Entities and relations of records',
        description:
          `Each record is {id?, text} (entities found by the NER model, then relations between them) or ` +
          `{id?, text, entities} (relations only). At most ${limits.records} records and ${limits.bodyBytes} ` +
          `bytes a request (400 / 413). Offsets are UTF-16 code units into text, end exclusive.`,
        tags: ['extraction'],
        body: {
          type: 'object',
          required: ['records'],
          additionalProperties: false,
          properties: {
            records: {
              type: 'array',
              minItems: 1,
              maxItems: limits.records,
              items: {
                type: 'object',
                required: ['text'],
                properties: {
                  id: { type: 'string', minLength: 1 },
                  text: { type: 'string', minLength: 1 },
                  entities: { type: 'array', items: entityInSchema },
                },
              },
            },
            minEntityScore: { ...scoreSchema, description: 'keep entities scoring at least this (default 0)' },
            minScore: { ...scoreSchema, description: 'keep relations scoring at least this (default 0)' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['records', 'models'],
            properties: {
              records: { type: 'array', items: recordSchema },
              models: {
                type: 'object',
                description: 'ids of the models that answered',
                properties: { ner: { type: 'string' }, relations: { type: 'string' } },
              },
            },
          },
          400: errorSchema,
          413: errorSchema,
          503: errorSchema,
        },
      }),
    },
    async (request) => {
      const { records } = request.body;
      const ids = recordIds(records);
      noteRecords(
        context,
        request,
        records.map((r, i) => ({ id: ids[i], text: r.text })),
      );
      const out = await extractRecords(
        context.options.models,
        records.map((r, i) => ({ ...r, id: ids[i] })),
        { minEntityScore: request.body.minEntityScore, minRelationScore: request.body.minScore },
        context.queue,
        limits.batchSize,
      );
      const { info } = context.options.models;
      return { records: out, models: { ner: info.ner.id, relations: info.relations.id } };
    },
  );
};
