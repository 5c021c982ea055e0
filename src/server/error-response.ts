/**
 * The one place where errors become HTTP: status from the catalogue, OpenAI's error shape,
 * `Retry-After` where the catalogue says waiting helps.
 */
import type { ServerResponse } from 'node:http';
import { errorCatalogue, NaraError } from '../spec/errors.js';
import type { RequestContext } from '../gateway/request-context.js';
import { naraHeaders } from './response-headers.js';

export interface ErrorResponse {
  readonly status: number;
  readonly body: string;
  readonly retryAfterSeconds: number | undefined;
}

export function errorResponse(error: NaraError): ErrorResponse {
  const entry = errorCatalogue[error.code];
  // A safety refusal names its hazard and where it was found, so clients can react without parsing the message.
  const safety = error.code === 'safety_blocked' && error.detail?.hazard !== undefined ? { hazard: error.detail.hazard, where: error.detail.where ?? null } : {};
  const body = JSON.stringify({
    error: { message: error.message, type: entry.type, param: error.param ?? null, code: error.code, ...safety },
  });
  return { status: entry.status, body, retryAfterSeconds: error.retryAfterSeconds };
}

/** The same error as a final SSE event, for streams that fail after they began. */
export function errorEvent(error: NaraError): string {
  return `data: ${errorResponse(error).body}\n\n`;
}

export interface SendErrorOptions {
  /** The methods the endpoint takes (405). */
  readonly allow?: string | undefined;
  /** Close after answering: an unread body would otherwise be drained from the socket to keep it alive. */
  readonly closeConnection?: boolean | undefined;
  /** Admin answers: no cache may keep them. */
  readonly noStore?: boolean | undefined;
}

/** Writes `error` as the whole answer, with `Retry-After` when the error carries one. */
export function sendError(response: ServerResponse, context: RequestContext | undefined, requestId: string, error: NaraError, options: SendErrorOptions = {}): void {
  const { status, body, retryAfterSeconds } = errorResponse(error);
  const headers = naraHeaders(context, requestId, 'application/json');
  if (options.noStore === true) headers['cache-control'] = 'no-store';
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  if (options.allow !== undefined) headers.allow = options.allow;
  if (options.closeConnection === true) headers.connection = 'close';
  response.writeHead(status, headers);
  response.end(body);
}

export function methodNotAllowed(method: string, path: string): NaraError {
  return new NaraError('method_not_allowed', `${method} is not allowed on ${path.slice(0, 200)}.`);
}
