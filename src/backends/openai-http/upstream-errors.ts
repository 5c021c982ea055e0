/**
 * Turns what an HTTP engine does wrong into catalogued errors. Whether the router may try another
 * candidate follows one rule: only if the engine has not started answering (connect errors, 429,
 * 5xx, timeouts before the response headers).
 */
import { NaraError } from '../../spec/errors.js';

const maxEngineMessageLength = 500;

export function errorFromStatus(backendId: string, status: number, bodyText: string): NaraError {
  const engineMessage = engineMessageOf(bodyText);
  const detail = { backend: backendId, upstreamStatus: status };
  if (status === 429) {
    return new NaraError('upstream_rate_limited', `Engine ${backendId} is rate limiting (429).`, { detail, retryAfterSeconds: 1 });
  }
  if (status === 408 || status === 504) {
    return new NaraError('upstream_timeout', `Engine ${backendId} timed out (${status}).`, { detail });
  }
  if (status >= 500) {
    return new NaraError('upstream_error', `Engine ${backendId} failed with HTTP ${status}.`, { detail });
  }
  if (status === 401 || status === 403) {
    // The engine refused Nara's own credentials: an operator problem, not the client's.
    return new NaraError('upstream_error', `Engine ${backendId} refused Nara's credentials (HTTP ${status}); check apiKeyEnv/headers.`, { detail });
  }
  return new NaraError('upstream_rejected', `Engine ${backendId} rejected the request (HTTP ${status}): ${engineMessage}`, { detail });
}

/** Errors thrown by undici before or while reading the answer. */
export function errorFromTransport(backendId: string, thrown: unknown, phase: 'connect' | 'body'): NaraError {
  const code = (thrown as { code?: unknown } | undefined)?.code;
  const detail = { backend: backendId, transport: typeof code === 'string' ? code : 'unknown' };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new NaraError('upstream_timeout', `Engine ${backendId} did not answer in time.`, { detail, cause: thrown });
  }
  if (phase === 'body') {
    const stalled = code === 'UND_ERR_BODY_TIMEOUT';
    return new NaraError(
      stalled ? 'upstream_timeout' : 'upstream_error',
      stalled ? `Engine ${backendId} stalled while answering.` : `Engine ${backendId} broke off its answer.`,
      { detail, cause: thrown, failover: false },
    );
  }
  return new NaraError('upstream_error', `Cannot reach engine ${backendId}.`, { detail, cause: thrown });
}

export function malformedAnswer(backendId: string, what: string): NaraError {
  return new NaraError('upstream_bad_response', `Engine ${backendId} sent ${what}.`, { detail: { backend: backendId }, failover: false });
}

/** OpenAI-shaped engines put the reason in error.message; fall back to the raw text, cut short. */
function engineMessageOf(bodyText: string): string {
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const candidate =
      typeof parsed.error === 'object' ? parsed.error?.message : (parsed.error ?? parsed.message ?? parsed.detail);
    if (typeof candidate === 'string') return candidate.slice(0, maxEngineMessageLength);
  } catch {
    // not JSON: use the text
  }
  return bodyText.slice(0, maxEngineMessageLength) || '(empty body)';
}
