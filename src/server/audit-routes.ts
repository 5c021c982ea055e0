/**
 * The audit endpoints. Public, so that anyone holding the verifier key can check what Nara signed:
 * `GET /audit/v1/checkpoint` (the latest signed checkpoint, C2SP signed-note text) and
 * `GET /audit/v1/key` (the verifier key). With the admin token: inclusion proofs by leaf index or
 * request id, consistency proofs between two sizes, and `POST /audit/v1/checkpoint` to sign one now.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditAuthority, InclusionProofAnswer } from '../spec/audit.js';
import { integerParam } from './admin-call.js';
import { readLeafFor } from './console/leaf-event.js';
import { NaraError, toNaraError } from '../spec/errors.js';
import type { ConsoleContext } from './console/console-context.js';
import { requirePermission, tenantScopeOf } from './console/permissions.js';
import { adminCallersNone, identifyCaller } from './console/principal.js';
import { methodNotAllowed, sendError } from './error-response.js';
import { naraHeaders } from './response-headers.js';

export interface AuditRouteDeps {
  readonly audit: () => AuditAuthority | undefined;
  readonly adminToken: () => string | undefined;
  readonly console: ConsoleContext;
}

export async function handleAudit(deps: AuditRouteDeps, requestId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://nara.invalid');
  const path = url.pathname;
  try {
    const audit = deps.audit();
    if (audit === undefined) throw new NaraError('audit_disabled', 'The audit log is off on this server (audit.enabled: false).');
    // The admin token, or a console session whose role may read the audit log.
    const admin = () => {
      const token = deps.adminToken();
      if (adminCallersNone(token, deps.console)) throw new NaraError('admin_api_disabled', 'Audit proofs need the admin token: set it in the environment (admin.tokenEnv) and restart Nara.');
      const { principal } = identifyCaller(request, token, deps.console);
      requirePermission(principal, 'audit');
      return principal;
    };
    switch (`${method} ${path}`) {
      case 'GET /audit/v1/checkpoint': {
        const latest = audit.latestCheckpoint ?? (await audit.checkpoint());
        if (latest === undefined) throw new NaraError('audit_not_found', 'No checkpoint yet: the audit log is empty.');
        return sendText(response, requestId, latest.note);
      }
      case 'POST /audit/v1/checkpoint': {
        admin();
        const signed = await audit.checkpoint();
        if (signed === undefined) throw new NaraError('audit_not_found', 'No checkpoint: the audit log is empty.');
        return sendText(response, requestId, signed.note);
      }
      case 'GET /audit/v1/key':
        return sendText(response, requestId, `${audit.verifierKey}\n`);
      case 'GET /audit/v1/proof/inclusion': {
        const principal = admin();
        const index = integerParam(url.searchParams, 'index', { min: 0, max: Number.MAX_SAFE_INTEGER });
        const size = integerParam(url.searchParams, 'size', { min: 1, max: Number.MAX_SAFE_INTEGER });
        const requestIdParam = url.searchParams.get('requestId') ?? undefined;
        if ((index === undefined) === (requestIdParam === undefined)) throw new NaraError('invalid_request', 'Give exactly one of index or requestId.', { param: 'index' });
        const scope = tenantScopeOf(principal);
        if (scope === undefined) return sendJson(response, requestId, proof(() => audit.inclusionProof({ index, requestId: requestIdParam, size })));
        // A tenant admin learns nothing of other tenants' events, nor of the log's size: one answer for every miss.
        const notYours = new NaraError('audit_not_found', 'No event of your tenant matches.');
        let answer: InclusionProofAnswer;
        try {
          answer = audit.inclusionProof({ index, requestId: requestIdParam, size });
        } catch {
          throw notYours;
        }
        if ((await readLeafFor(audit, answer.leaf_index, scope)) === undefined) throw notYours;
        return sendJson(response, requestId, answer);
      }
      case 'GET /audit/v1/proof/consistency': {
        const principal = admin();
        // Consistency proofs speak of the whole log's growth, which is other tenants' traffic too.
        if (tenantScopeOf(principal) !== undefined) throw new NaraError('forbidden_for_role', 'Consistency proofs cover every tenant\'s events: ask an operator or auditor.');
        const first = integerParam(url.searchParams, 'first', { min: 1, max: Number.MAX_SAFE_INTEGER });
        const second = integerParam(url.searchParams, 'second', { min: 1, max: Number.MAX_SAFE_INTEGER });
        if (first === undefined || second === undefined) throw new NaraError('invalid_request', 'Give both first and second tree sizes.', { param: first === undefined ? 'first' : 'second' });
        return sendJson(response, requestId, proof(() => audit.consistencyProof(first, second)));
      }
      default: {
        const known = ['/audit/v1/checkpoint', '/audit/v1/key', '/audit/v1/proof/inclusion', '/audit/v1/proof/consistency'].includes(path);
        throw known ? methodNotAllowed(method, path) : new NaraError('route_not_found', `Unknown endpoint: ${method} ${path.slice(0, 200)}`);
      }
    }
  } catch (error) {
    if (!response.headersSent) sendError(response, undefined, requestId, toNaraError(error), { noStore: true });
  }
}

/** A proof, or `audit_not_found` with the reason the query cannot be answered. */
function proof<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new NaraError('audit_not_found', error instanceof Error ? error.message : String(error));
  }
}

function sendText(response: ServerResponse, requestId: string, text: string): void {
  response.writeHead(200, { ...naraHeaders(undefined, requestId, 'text/plain; charset=utf-8'), 'cache-control': 'no-store' });
  response.end(text);
}

function sendJson(response: ServerResponse, requestId: string, value: unknown): void {
  response.writeHead(200, { ...naraHeaders(undefined, requestId, 'application/json'), 'cache-control': 'no-store' });
  response.end(JSON.stringify(value));
}
