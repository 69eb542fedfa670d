import type { GraphStore } from '@emr-re/kg';
import type { NerModel } from '@emr-re/ner';
import type { RelationExtractor } from '@emr-re/resgru-att';
import type { ModelsInfo } from './model-info';

/** Limits of the service: what a request may carry and how much work may wait. */
export interface ServerLimits {
  /** Largest request body in bytes; a larger one is answered 413 (default 4 MiB). */
  bodyBytes: number;
  /** Most records in one `POST /v1/extract` or `/v1/graph/add`; more is answered 400 (default 256). */
  records: number;
  /** Records the models see at once; a request is cut into batches of this size (default 32). */
  batchSize: number;
  /** Batches waiting for the models at most; beyond that requests are answered 503 (default 256). */
  queuedBatches: number;
}

/** The defaults of `ServerLimits`. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  bodyBytes: 4 * 1024 * 1024,
  records: 256,
  batchSize: 32,
  queuedBatches: 256,
});

/** The two models the service extracts with, and what `GET /v1/models` says of them. */
export interface ServedModels {
  ner: NerModel;
  relations: RelationExtractor;
  info: ModelsInfo;
}

/**
 * One served request, as the service reports it: the route pattern (never the raw URL, which may carry entity names),
 * status, time, and for extraction the record ids and text sizes. `texts` only with `logText`.
 */
export interface RequestLogEvent {
  kind: 'request';
  method: string;
  route: string;
  status: number;
  ms: number;
  /** Request body bytes (from content-length). */
  bytes?: number;
  /** Ids of the records of an extract/add request, with their text lengths in characters. */
  records?: Array<{ id: string; chars: number }>;
  /** The record texts: only when the server runs with `logText`. */
  texts?: string[];
  /** The raw URL: only with `logText` (a search or entity URL carries text). */
  url?: string;
  /** A failure's code (e.g. `body-too-large`), never its text. */
  error?: string;
}

/** A server-side failure that was answered 500: its class and message (messages of this package never hold text). */
export interface ErrorLogEvent {
  kind: 'error';
  route: string;
  name: string;
  message: string;
  stack?: string;
}

/** What the service reports; the caller decides how to render it (the library never prints). */
export type ServerLogEvent = RequestLogEvent | ErrorLogEvent;

/** Options of `createServer`. */
export interface ServerOptions {
  models: ServedModels;
  /** A knowledge-graph store: enables the `/v1/graph/*` and `/v1/sparql` routes. */
  store?: GraphStore;
  /** Allow `POST /v1/graph/add` (default false: the store is only read). */
  writable?: boolean;
  /** Put record texts and raw URLs into log events (default false: ids and sizes only). */
  logText?: boolean;
  limits?: Partial<ServerLimits>;
  /** Receives a log event per request and per internal error. */
  onLog?: (event: ServerLogEvent) => void;
}
