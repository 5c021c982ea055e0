/**
 * The console's only way to Nara: its own HTTP API, with the session cookie. Every failure becomes an
 * ApiError carrying Nara's error code and the request id (what an operator quotes when asking why).
 */

import { ApiError, apiErrorFrom } from './api-error.js';

// Re-exported: pages take everything about calling Nara from here.
export { ApiError, apiErrorFrom };

export type Query = Record<string, string | number | undefined>;

/** Gets the refusal, so that the sign-in page can say when a session ended (`session_expired`). */
type UnauthorizedHandler = (failure: ApiError) => void;

/** The sign-in address for a refused call: back to `next` afterwards, and `expired=1` when the session ended. */
export function signInPath(next: string, failure: ApiError): string {
  const expired = failure.code === 'session_expired' ? '&expired=1' : '';
  return `/signin?next=${encodeURIComponent(next)}${expired}`;
}

/** Called when a call is refused for want of a session (it expired, or the server restarted). */
let unauthorizedHandler: UnauthorizedHandler = (failure) => {
  const next = location.pathname.replace(/^\/console/, '') + location.search;
  location.assign(`/console${signInPath(next === '' ? '/' : next, failure)}`);
};

export function onUnauthorized(handler: UnauthorizedHandler): () => void {
  const previous = unauthorizedHandler;
  unauthorizedHandler = handler;
  return () => {
    unauthorizedHandler = previous;
  };
}

/** The session endpoint answers 401 for a wrong admin token: that is the sign-in form's error, not an expiry. */
const sessionPath = '/admin/v1/session';

/** `path` with the query's defined, non-empty values. */
export function withQuery(path: string, query?: Query): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  if (text === '') return path;
  return `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

async function call(path: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, credentials: 'same-origin', signal: signal ?? null });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    throw new ApiError('Nara could not be reached. Check the network connection and that the server is running.', 0, 'network_error', null);
  }
  if (response.ok) return response;
  const failure = await errorOf(response);
  if (response.status === 401 && !path.startsWith(sessionPath)) unauthorizedHandler(failure);
  throw failure;
}

async function errorOf(response: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body could not be read; the status still tells.
  }
  return apiErrorFrom(response, text);
}

export async function apiGet<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  const response = await call(withQuery(path, query), { method: 'GET', headers: { accept: 'application/json' } }, signal);
  return (await response.json()) as T;
}

export async function apiText(path: string, signal?: AbortSignal): Promise<string> {
  const response = await call(path, { method: 'GET' }, signal);
  return response.text();
}

/**
 * Changes something. `x-nara-console: 1` proves the call comes from the console's own script (a
 * cross-site form cannot set it), which Nara requires of cookie-authenticated writes.
 */
export async function apiSend<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-nara-console': '1' };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await call(path, init);
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Any thrown value as an ApiError (for code paths that may also throw something else). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(message, 0, 'client_error', null);
}
