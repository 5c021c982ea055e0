/** Headers every response carries, so a client can always tell which request, back end and country. */
import type { RequestContext } from '../gateway/request-context.js';
import { formatCounts } from '../gateway/pii/pii-plan.js';

export function naraHeaders(context: RequestContext | undefined, requestId: string, contentType: string): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-request-id': requestId,
    'x-nara-backend': context?.candidate?.id ?? 'none',
    'x-nara-jurisdiction': context?.candidate?.jurisdiction ?? 'none',
  };
  // Named from a stream's start; on a whole answer only when it succeeded (an error gets no manifest).
  if (context?.provenance !== undefined && (context.sealed === undefined || context.sealed.status === 200)) headers['x-nara-provenance'] = context.provenance.id;
  // What the pii stage did to the request that reached the back end: the mode and counts by type, never values.
  const pii = context?.pii;
  if (pii?.served !== undefined && pii.served !== 'off') {
    headers['x-nara-pii-action'] = pii.served;
    headers['x-nara-pii-entities'] = formatCounts(pii.counts);
    // A whole answer has been filtered by now; a stream's headers leave before its answer exists.
    if (!context?.stream && pii.answerFiltered) headers['x-nara-pii-answer-entities'] = formatCounts(pii.answerCounts);
  }
  // What the safety checks found (hazard ids, never text); a stream's headers leave before its answer is checked.
  const safety = context?.safety;
  if (safety !== undefined) {
    headers['x-nara-safety-action'] = safety.action === 'off' ? 'allow' : safety.action;
    headers['x-nara-safety-categories'] = [...safety.hazards].sort().join(',');
    if (safety.guardMs !== undefined) headers['x-nara-safety-guard-ms'] = safety.guardMs.toFixed(1);
  }
  return headers;
}

const safeRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuses a caller's request id when it is harmless to echo into logs and headers. */
export function requestIdFrom(header: string | string[] | undefined, generate: () => string): string {
  return typeof header === 'string' && safeRequestId.test(header) ? header : generate();
}
