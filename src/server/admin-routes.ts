/**
 * The HTTP adapter for the admin API (/admin/v1/...) and for a tenant's own usage (GET /v1/usage).
 * Routes, credentials, bodies and formats live here; what may be done is AdminService's call and
 * the role table's (console/permissions.ts).
 *
 * Callers are the admin token's holder (Bearer) or a console session (cookie; console/principal.ts).
 * The admin token and tenant keys never stand in for each other: /admin compares only against the
 * admin token, and /v1/usage authenticates through the gateway like every tenant endpoint.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { NaraError, toNaraError } from '../spec/errors.js';
import type { AdminService } from '../admin/admin-service.js';
import type { Gateway } from '../gateway/gateway.js';
import { createContext } from '../gateway/request-context.js';
import { methodNotAllowed, sendError } from './error-response.js';
import { readBody } from './read-body.js';
import { naraHeaders } from './response-headers.js';
import type { Methods, Reply } from './admin-call.js';
import { keyListRoute, keyRoutes, tenantRoutes, usageReply, usageRoute } from './tenant-routes.js';
import { adminCallersNone, identifyCaller, type Caller } from './console/principal.js';
import { sessionRoutes } from './console/session-routes.js';
import { consoleDataRoutes } from './console/insight-routes.js';
import type { ConsoleContext } from './console/console-context.js';

export interface AdminRouteDeps {
  readonly admin: () => AdminService | undefined;
  readonly adminToken: () => string | undefined;
  readonly gateway: () => Gateway;
  readonly logger: Logger;
  readonly console: ConsoleContext;
}

/** Admin bodies are small JSON documents; nothing legitimate comes near this. */
const maxAdminBodyBytes = 64 * 1024;

export async function handleAdmin(deps: AdminRouteDeps, requestId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  const { path, query } = splitUrl(request.url ?? '/');
  let bodyRead = false;
  let failure: NaraError | undefined;
  let caller: Caller | undefined;
  const readJson = async () => {
    const body = await readBody(request, maxAdminBodyBytes);
    bodyRead = true;
    return parseJson(body);
  };
  try {
    const token = deps.adminToken();
    const service = deps.admin();
    const disabled = service === undefined || adminCallersNone(token, deps.console);
    // Signing in and out needs no credentials (the routes check what they are given). Reading the
    // session works even with the admin API off, so the sign-in page can say how to turn it on.
    const open = disabled && !(path === '/admin/v1/session' && method === 'GET') ? undefined : sessionRoutes(path, deps.console, token, (facts, message) => deps.logger.info({ requestId, admin: true, ...facts }, message));
    if (disabled && open === undefined) {
      throw new NaraError('admin_api_disabled', 'The admin API is off: set the admin token in the environment (admin.tokenEnv, NARA_ADMIN_TOKEN by default), or configure console.oidc, and restart Nara.');
    }
    if (open !== undefined) {
      const handler = open[method];
      if (handler === undefined) throw Object.assign(methodNotAllowed(method, path), { allow: Object.keys(open).join(', ') });
      const reply = await handler({ request, query, body: readJson });
      return sendReply(response, requestId, reply);
    }
    // Checked before the route and the body: an unknown caller learns nothing and cannot make Nara buffer.
    caller = identifyCaller(request, token, deps.console);
    const methods = adminRoute(path, deps);
    if (methods === undefined) throw new NaraError('route_not_found', `Unknown endpoint: ${method} ${path.slice(0, 200)}`);
    const handler = methods[method];
    if (handler === undefined) {
      failure = methodNotAllowed(method, path);
      sendError(response, undefined, requestId, failure, { allow: Object.keys(methods).join(', '), closeConnection: hasBody(method), noStore: true });
      return logAdmin(deps, requestId, method, path, failure.status, failure.code, caller.principal.subject);
    }
    const reply = await handler({ service: service as AdminService, principal: caller.principal, query, request, body: readJson });
    sendReply(response, requestId, reply);
    logAdmin(deps, requestId, method, path, reply.status, undefined, caller.principal.subject);
    return;
  } catch (error) {
    failure = toNaraError(error);
    if (failure.code === 'internal_error') deps.logger.error({ err: failure.cause, requestId }, 'internal error in the admin API');
    const allow = (error as { allow?: string }).allow;
    // A body left unread is not drained: the connection closes after the answer.
    if (!response.headersSent) sendError(response, undefined, requestId, failure, { closeConnection: !bodyRead && hasBody(method), noStore: true, ...(allow === undefined ? {} : { allow }) });
  }
  logAdmin(deps, requestId, method, path, failure?.status ?? response.statusCode, failure?.code, caller?.principal.subject);
}

/** Who changed what, for the operator's records; never a token, key, cookie or body. */
function logAdmin(deps: AdminRouteDeps, requestId: string, method: string, path: string, status: number, code: string | undefined, subject: string | undefined): void {
  deps.logger.info({ requestId, admin: true, method, path: path.slice(0, 200), status, code, subject }, 'admin request');
}

/** GET /v1/usage: the caller's own tenant only, whatever the query says. */
export async function handleTenantUsage(deps: Omit<AdminRouteDeps, 'console'>, requestId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  const { query } = splitUrl(request.url ?? '/');
  try {
    if (method !== 'GET') return sendError(response, undefined, requestId, methodNotAllowed(method, '/v1/usage'), { allow: 'GET', closeConnection: hasBody(method), noStore: true });
    const tenant = deps.gateway().authenticate(createContext(requestId, 'models'), request.headers.authorization);
    const service = deps.admin();
    if (service === undefined) throw new NaraError('route_not_found', 'Usage reporting is not available on this server.');
    sendReply(response, requestId, await usageReply(service, query, tenant.id));
  } catch (error) {
    const failure = toNaraError(error);
    if (failure.code === 'internal_error') deps.logger.error({ err: failure.cause, requestId }, 'internal error in /v1/usage');
    if (!response.headersSent) sendError(response, undefined, requestId, failure, { noStore: true });
  }
}

/** The admin routes under /admin/v1: for a path, its handlers by method. */
function adminRoute(path: string, deps: AdminRouteDeps): Methods | undefined {
  const prefix = '/admin/v1/';
  if (!path.startsWith(prefix)) return undefined;
  const segments = path.slice(prefix.length).split('/').map(decodeSegment);
  if (segments.some((segment) => segment === undefined || segment === '')) return undefined;
  const [collection, id, sub, subId, action, ...rest] = segments as string[];
  if (rest.length > 0) return undefined;

  if (collection === 'tenants') return tenantRoutes(id, sub, subId, action);
  if (collection === 'keys' && sub === undefined) return id === undefined ? keyListRoute : keyRoutes(id, undefined, undefined);
  if (collection === 'keys' && sub === 'rotate' && subId === undefined && id !== undefined) return keyRoutes(id, 'rotate', undefined);
  if (collection === 'usage' && id === undefined) return usageRoute;
  return consoleDataRoutes(segments as string[], { gateway: deps.gateway, console: deps.console });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new NaraError('invalid_json', 'The request body is not valid JSON.');
  }
}

function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? { path: url, query: new URLSearchParams() } : { path: url.slice(0, queryAt), query: new URLSearchParams(url.slice(queryAt + 1)) };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function hasBody(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

function sendReply(response: ServerResponse, requestId: string, reply: Reply): void {
  const headers = naraHeaders(undefined, requestId, 'csv' in reply ? 'text/csv; charset=utf-8' : 'application/json');
  // Answers carry keys (once) and tenants' details: no cache may keep them.
  headers['cache-control'] = 'no-store';
  if ('redirect' in reply) {
    response.writeHead(302, { ...headers, ...reply.headers, location: reply.redirect, 'content-type': 'text/plain; charset=utf-8' });
    response.end();
    return;
  }
  if ('csv' in reply) {
    headers['content-disposition'] = 'attachment; filename="nara-usage.csv"';
    response.writeHead(reply.status, headers);
    response.end(reply.csv);
    return;
  }
  response.writeHead(reply.status, { ...headers, ...reply.headers });
  response.end(JSON.stringify(reply.json));
}
