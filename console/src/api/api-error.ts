/**
 * A failed call to Nara, and the one reader of Nara's error body. Apart from client.ts (which uses
 * the browser's location) so that Node tests can check the reader without a DOM.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  /** The request field at fault, when Nara names one (`error.param`). */
  readonly param: string | null;

  constructor(message: string, status: number, code: string, requestId: string | null, param: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.param = param;
  }
}

/**
 * The one reader of Nara's error shape, `{ error: { message, code, param } }` (OpenAI's, whose `type`
 * stands in for a missing `code`), with the `x-request-id` to quote. A body that is not that shape (a
 * proxy's page, say) is shown as it is if short, else the status.
 */
export function apiErrorFrom(response: Pick<Response, 'status' | 'statusText' | 'headers'>, bodyText: string): ApiError {
  const requestId = response.headers.get('x-request-id');
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown; code?: unknown; type?: unknown; param?: unknown } | null } | null;
    const error = parsed?.error;
    if (typeof error === 'object' && error !== null && typeof error.message === 'string') {
      const code = typeof error.code === 'string' ? error.code : typeof error.type === 'string' ? error.type : `http_${response.status}`;
      const param = typeof error.param === 'string' ? error.param : null;
      return new ApiError(error.message, response.status, code, requestId, param);
    }
  } catch {
    // Not JSON: fall through to the text or the status.
  }
  const trimmed = bodyText.trim();
  const message = trimmed === '' || bodyText.length > 500 ? `HTTP ${response.status} ${response.statusText}`.trim() : trimmed;
  return new ApiError(message, response.status, `http_${response.status}`, requestId);
}
