import { isUserError } from '@emr-re/tokenize';
import { RequestError } from './errors';

/** How an error is answered: status, code, and a message that never quotes the request body. */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: Array<{ keyword?: string; instancePath?: string }>;
  validationContext?: string;
  message?: string;
}

/**
 * Maps what a request failed with to its answer: our `RequestError`s as they are, schema failures 400 (a record
 * count over the limit `too-many-records`), an oversize body 413, a body that is not JSON 400 `bad-json` (without
 * JSON.parse's message, which quotes the body), an `EmrReError` (a bad entity offset, …) 400, anything else 500.
 */
export function errorAnswer(err: unknown, limits: { bodyBytes: number; records: number }): ErrorAnswer {
  if (err instanceof RequestError) return { status: err.status, code: err.code, message: err.message };
  const e = (err ?? {}) as FastifyLikeError;
  if (Array.isArray(e.validation)) {
    const tooMany = e.validation.some((v) => v.keyword === 'maxItems' && v.instancePath === '/records');
    return {
      status: 400,
      code: tooMany ? 'too-many-records' : 'invalid-request',
      message: tooMany ? `at most ${limits.records} records a request: ${e.message}` : String(e.message),
    };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'body-too-large', message: `the body is larger than ${limits.bodyBytes} bytes` };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'bad-json', message: 'the body is not valid JSON' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported-media-type', message: 'send application/json' };
  }
  if (err instanceof SyntaxError) return { status: 400, code: 'bad-json', message: 'the body is not valid JSON' };
  if (isUserError(err)) {
    const code = typeof e.code === 'string' ? e.code.toLowerCase().replace(/_/g, '-') : 'bad-record';
    return { status: 400, code, message: String(e.message).split('\n')[0] };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return {
      status: e.statusCode,
      code: typeof e.code === 'string' ? e.code : 'bad-request',
      message: String(e.message).split('\n')[0],
    };
  return { status: 500, code: 'internal', message: 'internal error (logged by the server)' };
}
