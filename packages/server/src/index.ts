/**
 * @emr-re/server: `emr-re serve` as a library — an HTTP service (extraction, the knowledge graph, OpenAPI) and a web
 * page that shows the entities and relations found in a text.
 */

/** The service: `createServer(options)` gives a fastify instance ready to `listen`. */
export { createServer } from './server';
export { DEFAULT_LIMITS } from './options';
export type {
  ErrorLogEvent,
  RequestLogEvent,
  ServedModels,
  ServerLimits,
  ServerLogEvent,
  ServerOptions,
} from './options';

/** What `GET /v1/models` says of the loaded models, read from their directories. */
export { describeModels } from './model-info';
export type { ModelInfo, ModelsInfo, NerModelInfo, RelationModelInfo } from './model-info';

/** Extraction as the service does it: batches through a serial model queue. */
export { extractRecords, recordIds } from './extract';
export type { ExtractInput, ExtractSettings } from './extract';
export { createWorkQueue } from './work-queue';
export type { WorkQueue } from './work-queue';

/** The OpenAPI document generated from route schemas. */
export { openApiDocument, openApiPath } from './openapi';
export type { DocumentedRoute, JsonSchema, OpenApiDocument, RouteSchema } from './openapi';

/** Errors answered as `{error: {status, code, message}}`. */
export { RequestError, errorBody } from './errors';
export type { ErrorBody } from './errors';
export { errorAnswer } from './error-handler';
export type { ErrorAnswer } from './error-handler';
