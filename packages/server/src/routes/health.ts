import type { FastifyPluginAsync } from 'fastify';
import { documented } from '../openapi';
import type { ServerContext } from '../context';
import { errorSchema } from '../schemas';

/** `GET /healthz`: the process answers, and what it serves (graph routes, writable, batches waiting). */
export const healthRoutes: FastifyPluginAsync<{ context: ServerContext }> = async (app, { context }) => {
  const started = Date.now();
  app.get(
    '/healthz',
    {
      schema: documented({
        summary: 'Liveness, and what the service serves',
        tags: ['service'],
        response: {
          200: {
            type: 'object',
            required: ['status', 'uptimeSeconds', 'graph', 'writable', 'queued'],
            properties: {
              status: { type: 'string', enum: ['ok'] },
              uptimeSeconds: { type: 'number' },
              graph: { type: 'boolean', description: 'whether the /v1/graph routes and /v1/sparql are served' },
              writable: { type: 'boolean', description: 'whether POST /v1/graph/add is allowed' },
              queued: { type: 'integer', description: 'batches waiting for or running on the models' },
            },
          },
          500: errorSchema,
        },
      }),
    },
    async () => ({
      status: 'ok',
      uptimeSeconds: (Date.now() - started) / 1000,
      graph: context.options.store !== undefined,
      writable: context.options.store !== undefined && context.options.writable === true,
      queued: context.queue.pending,
    }),
  );
};
