/**
 * The HTTP adapter for the admin API (/admin/v1/...) and for a tenant's own usage (GET /v1/usage).
 * Routes, the admin token, bodies and formats live here; what may be done is AdminService's call.
 *
 * The admin token and tenant keys never stand in for each other: /admin compares only against the
 * admin token (constant time, over SHA-256 digests so that not even its length leaks), and /v1/usage
 * authenticates through the gateway like every tenant endpoint.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { NaraError, toNaraError } from '../spec/errors.js';
import type { AdminService } from '../admin/admin-service.js';
import { usageCsv, usageRowView, type UsageReport } from '../admin/usage-csv.js';
import type { Gateway } from '../gateway/gateway.js';
import { createContext } from '../gateway/request-context.js';
import { methodNotAllowed, sendError } from './error-response.js';
import { readBody } from './read-body.js';
import { naraHeaders } from './response-headers.js';

export interface AdminRouteDeps {
  readonly admin: () => AdminService | undefined;
  readonly adminToken: () => string | undefined;
  readonly gateway: () => Gateway;
  readonly logger: Logger;
}

/** Admin bodies are small JSON documents; nothing legitimate comes near this. */
const maxAdminBodyBytes = 64 * 1024;
const tenantKeyPrefix = 'nara-';

type Reply = { readonly status: number; readonly json: unknown } | { readonly status: number; readonly csv: string };

interface Call {
  readonly service: AdminService;
  readonly query: URLSearchParams;
  body(): Promise<unknown>;
}

type Handler = (call: Call) => Promise<Reply>;

export async function handleAdmin(deps: AdminRouteDeps, requestId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  const { path, query } = splitUrl(request.url ?? '/');
  let bodyRead = false;
  let failure: NaraError | undefined;
  try {
    const token = deps.adminToken();
    const service = deps.admin();
    if (token === undefined || service === undefined) {
      throw new NaraError('admin_api_disabled', 'The admin API is off: set the admin token in the environment (admin.tokenEnv, NARA_ADMIN_TOKEN by default) and restart Nara.');
    }
    // Checked before the route and the body: an unknown caller learns nothing and cannot make Nara buffer.
    authorizeAdmin(request.headers.authorization, token);
    const methods = adminRoute(path);
    if (methods === undefined) throw new NaraError('route_not_found', `Unknown endpoint: ${method} ${path.slice(0, 200)}`);
    const handler = methods[method];
    if (handler === undefined) {
      failure = methodNotAllowed(method, path);
      sendError(response, undefined, requestId, failure, { allow: Object.keys(methods).join(', '), closeConnection: hasBody(method), noStore: true });
      return logAdmin(deps, requestId, method, path, failure.status, failure.code);
    }
    const reply = await handler({
      service,
      query,
      body: async () => {
        const body = await readBody(request, maxAdminBodyBytes);
        bodyRead = true;
        return parseJson(body);
      },
    });
    sendReply(response, requestId, reply);
  } catch (error) {
    failure = toNaraError(error);
    if (failure.code === 'internal_error') deps.logger.error({ err: failure.cause, requestId }, 'internal error in the admin API');
    // A body left unread is not drained: the connection closes after the answer.
    if (!response.headersSent) sendError(response, undefined, requestId, failure, { closeConnection: !bodyRead && hasBody(method), noStore: true });
  }
  logAdmin(deps, requestId, method, path, failure?.status ?? response.statusCode, failure?.code);
}

/** Who changed what, for the operator's records; never a token, key or body. */
function logAdmin(deps: AdminRouteDeps, requestId: string, method: string, path: string, status: number, code: string | undefined): void {
  deps.logger.info({ requestId, admin: true, method, path: path.slice(0, 200), status, code }, 'admin request');
}

/** GET /v1/usage: the caller's own tenant only, whatever the query says. */
export async function handleTenantUsage(deps: AdminRouteDeps, requestId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
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
function adminRoute(path: string): Readonly<Record<string, Handler>> | undefined {
  const prefix = '/admin/v1/';
  if (!path.startsWith(prefix)) return undefined;
  const segments = path.slice(prefix.length).split('/').map(decodeSegment);
  if (segments.some((segment) => segment === undefined || segment === '')) return undefined;
  const [collection, id, sub, subId, action, ...rest] = segments as string[];
  if (rest.length > 0) return undefined;

  if (collection === 'tenants') {
    if (id === undefined) {
      return {
        GET: async ({ service, query }) => list(await service.listTenants(), query, []),
        POST: async ({ service, body }) => ({ status: 201, json: await service.createTenant(await body()) }),
      };
    }
    if (sub === undefined) {
      return {
        GET: async ({ service }) => ok(await service.getTenant(id)),
        PATCH: async ({ service, body }) => ok(await service.updateTenant(id, await body())),
        DELETE: async ({ service }) => ok(await service.deleteTenant(id)),
      };
    }
    if (sub !== 'keys') return undefined;
    if (subId === undefined) {
      return {
        GET: async ({ service, query }) => {
          await service.getTenant(id);
          return list(await service.listKeys({ tenantId: id }), query, []);
        },
        POST: async ({ service, body }) => ({ status: 201, json: await service.createKey(id, await body()) }),
      };
    }
    return keyRoutes(subId, action, id);
  }
  if (collection === 'keys' && sub === undefined) {
    if (id === undefined) return { GET: async ({ service, query }) => list(await service.listKeys({ tenantId: query.get('tenant') ?? undefined }), query, ['tenant']) };
    return keyRoutes(id, undefined, undefined);
  }
  if (collection === 'keys' && sub === 'rotate' && subId === undefined && id !== undefined) return keyRoutes(id, 'rotate', undefined);
  if (collection === 'usage' && id === undefined) return { GET: async ({ service, query }) => usageReply(service, query, undefined) };
  return undefined;
}

/** One key, optionally within a tenant (then another tenant's key is "not found"). */
function keyRoutes(keyId: string, action: string | undefined, tenantId: string | undefined): Readonly<Record<string, Handler>> | undefined {
  const scope = { tenantId };
  if (action === 'rotate') return { POST: async ({ service, body }) => ({ status: 201, json: await service.rotateKey(keyId, await body(), scope) }) };
  if (action !== undefined) return undefined;
  return {
    GET: async ({ service }) => ok(await service.getKey(keyId, scope)),
    DELETE: async ({ service }) => ok(await service.revokeKey(keyId, scope)),
  };
}

async function usageReply(service: AdminService, query: URLSearchParams, tenantId: string | undefined): Promise<Reply> {
  const input: Record<string, string> = {};
  let format = 'json';
  for (const [name, value] of query) {
    const field = name === 'group_by' ? 'groupBy' : name;
    if (field in input || (field === 'format' && query.getAll('format').length > 1)) {
      throw new NaraError('invalid_request', `Query parameter '${name.slice(0, 40)}' is given more than once.`, { param: name.slice(0, 40) });
    }
    if (field === 'format') format = value;
    else input[field] = value;
  }
  if (format !== 'json' && format !== 'csv') {
    throw new NaraError('invalid_request', `Invalid 'format': "${format.slice(0, 40)}" is not a usage format; use json or csv.`, { param: 'format' });
  }
  const report = await service.queryUsage(input, { tenantId });
  return format === 'csv' ? { status: 200, csv: usageCsv(report) } : ok(usageJson(report));
}

function usageJson(report: UsageReport): unknown {
  return { object: 'list', groupBy: report.groupBy, data: report.rows.map((row) => usageRowView(row, report.groupBy)) };
}

function list(data: readonly unknown[], query: URLSearchParams, allowed: readonly string[]): Reply {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) {
      const known = allowed.length === 0 ? 'this endpoint takes none' : `use ${allowed.join(', ')}`;
      throw new NaraError('invalid_request', `Unknown query parameter '${name.slice(0, 40)}'; ${known}.`, { param: name.slice(0, 40) });
    }
  }
  return ok({ object: 'list', data });
}

function ok(json: unknown): Reply {
  return { status: 200, json };
}

/** Bearer <admin token>, and nothing else: in particular never a tenant key. */
export function authorizeAdmin(authorization: string | undefined, adminToken: string): void {
  if (authorization === undefined || authorization === '') {
    throw new NaraError('missing_admin_token', 'Missing admin token: send "Authorization: Bearer <admin token>".');
  }
  const token = authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ' ? authorization.slice(7).trim() : '';
  if (token === '') throw new NaraError('invalid_admin_token', 'The Authorization header must be "Bearer <admin token>".');
  if (timingSafeEqual(sha256(token), sha256(adminToken))) return;
  if (token.startsWith(tenantKeyPrefix)) {
    throw new NaraError('invalid_admin_token', 'This looks like a tenant API key: tenant API keys are never accepted on /admin. Send the admin token.');
  }
  throw new NaraError('invalid_admin_token', 'Invalid admin token.');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
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
  const csv = 'csv' in reply;
  const headers = naraHeaders(undefined, requestId, csv ? 'text/csv; charset=utf-8' : 'application/json');
  // Answers carry keys (once) and tenants' details: no cache may keep them.
  headers['cache-control'] = 'no-store';
  if (csv) headers['content-disposition'] = 'attachment; filename="nara-usage.csv"';
  response.writeHead(reply.status, headers);
  response.end(csv ? reply.csv : JSON.stringify(reply.json));
}
