/**
 * The one place where errors become HTTP: status from the catalogue, OpenAI's error shape,
 * `Retry-After` where the catalogue says waiting helps.
 */
import { errorCatalogue, type NaraError } from '../spec/errors.js';

export interface ErrorResponse {
  readonly status: number;
  readonly body: string;
  readonly retryAfterSeconds: number | undefined;
}

export function errorResponse(error: NaraError): ErrorResponse {
  const entry = errorCatalogue[error.code];
  const body = JSON.stringify({
    error: { message: error.message, type: entry.type, param: error.param ?? null, code: error.code },
  });
  return { status: entry.status, body, retryAfterSeconds: error.retryAfterSeconds };
}

/** The same error as a final SSE event, for streams that fail after they began. */
export function errorEvent(error: NaraError): string {
  return `data: ${errorResponse(error).body}\n\n`;
}
