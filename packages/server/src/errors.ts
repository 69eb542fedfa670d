/**
 * A request the service refuses or cannot serve: an HTTP status, a stable code a client can test, and a message
 * that names record ids and fields, never record text.
 */
export class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.code = code;
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { status: number; code: string; message: string };
}

/** The body of an error answer. */
export function errorBody(status: number, code: string, message: string): ErrorBody {
  return { error: { status, code, message } };
}
