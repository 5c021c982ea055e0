/** Headers every response carries, so a client can always tell which request, back end and country. */
import type { RequestContext } from '../gateway/request-context.js';

export function naraHeaders(context: RequestContext | undefined, requestId: string, contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'x-request-id': requestId,
    'x-nara-backend': context?.candidate?.id ?? 'none',
    'x-nara-jurisdiction': context?.candidate?.jurisdiction ?? 'none',
  };
}

const safeRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuses a caller's request id when it is harmless to echo into logs and headers. */
export function requestIdFrom(header: string | string[] | undefined, generate: () => string): string {
  return typeof header === 'string' && safeRequestId.test(header) ? header : generate();
}
