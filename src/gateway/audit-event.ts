/**
 * A finished request as an audit event: the request record the observers get, plus what only the
 * audit keeps (endpoint, digests, whether the data left the tenant's home jurisdiction, and the
 * content where the tenant's policy asks for it). Pseudonymised content uses opaque tokens
 * (⟨KR_RRN_1⟩), consistent within the event, so an auditor can follow a value through prompt and
 * answer without the log holding it.
 */
import { PseudonymScope } from '../pii/operations.js';
import type { AuditEvent } from '../spec/audit.js';
import type { RequestRecord } from './events.js';
import type { RequestContext } from './request-context.js';

const endpoints = {
  chat: '/v1/chat/completions',
  completion: '/v1/completions',
  embedding: '/v1/embeddings',
  models: '/v1/models',
} as const;

export function auditEventOf(record: RequestRecord, context: RequestContext): AuditEvent {
  const tenant = context.tenant;
  const home = tenant?.homeJurisdiction ?? null;
  const usage = record.usage;
  return {
    v: 1,
    time: new Date().toISOString(),
    requestId: record.requestId,
    meterId: record.meterId,
    endpoint: endpoints[record.operation],
    stream: record.stream,
    tenant: record.tenantId ?? null,
    keyId: record.keyId ?? null,
    model: record.model ?? null,
    backend: record.backendId ?? null,
    jurisdiction: record.jurisdiction ?? null,
    homeJurisdiction: home,
    crossBorder: home !== null && record.jurisdiction !== undefined && record.jurisdiction !== home,
    stages: record.trail,
    pii: record.pii === undefined ? null : { action: record.pii.action ?? 'none', entities: record.pii.entities, answerEntities: record.pii.answerEntities },
    status: record.status,
    code: record.errorCode ?? null,
    attempts: record.attempts,
    latencyMs: Math.round(record.durationSeconds * 1e4) / 10,
    usage: usage === undefined ? null : { prompt: usage.promptTokens, completion: usage.completionTokens, cached: usage.cachedTokens, estimated: usage.estimated },
    requestSha256: context.audit.requestSha256 ?? null,
    answerSha256: context.audit.answerSha256 ?? null,
    content: contentOf(context),
    provenanceId: record.status === 200 && record.errorCode === undefined ? (context.provenance?.id ?? null) : null,
  };
}

function contentOf(context: RequestContext): AuditEvent['content'] {
  const mode = context.tenant?.audit.content ?? 'none';
  if (mode === 'none') return null;
  const request = context.audit.requestText ?? null;
  const answer = context.audit.answerText ?? null;
  if (mode === 'full') return { mode, request, answer };
  const scope = new PseudonymScope();
  const hide = (text: string | null) => (text === null ? null : scope.pseudonymise(text, { formatPreserving: false }).text);
  return { mode, request: hide(request), answer: hide(answer) };
}
