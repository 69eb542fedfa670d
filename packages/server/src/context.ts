import type { FastifyRequest } from 'fastify';
import type { ServerLimits, ServerOptions } from './options';
import type { WorkQueue } from './work-queue';

/** What a route notes about its request for the log: record ids and sizes, texts (kept only with `logText`). */
export interface RequestNote {
  records?: Array<{ id: string; chars: number }>;
  texts?: string[];
  error?: string;
}

/** What every route plugin of one server shares: its options, limits, model queue and request notes. */
export interface ServerContext {
  options: ServerOptions;
  limits: ServerLimits;
  queue: WorkQueue;
  notes: WeakMap<FastifyRequest, RequestNote>;
}

/** Notes the records of a request for its log line: ids and lengths, and texts only if the server logs text. */
export function noteRecords(
  context: ServerContext,
  request: FastifyRequest,
  records: ReadonlyArray<{ id: string; text: string }>,
): void {
  const note = context.notes.get(request) ?? {};
  note.records = records.map((r) => ({ id: r.id, chars: r.text.length }));
  if (context.options.logText) note.texts = records.map((r) => r.text);
  context.notes.set(request, note);
}
