/**
 * The HTTP adapter: node:http in, the gateway pipeline, HTTP out. It knows routes, bodies, headers
 * and sockets; every decision about tenants, models and back ends is the gateway's.
 * (Why node:http and not a framework: docs/decisions/0002-http-layer.md.)
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { clientClosedError, NaraError, toNaraError } from '../spec/errors.js';
import type { Operation } from '../spec/openai.js';
import type { AdminService } from '../admin/admin-service.js';
import type { Gateway } from '../gateway/gateway.js';
import { createContext, type RequestContext } from '../gateway/request-context.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { handleAdmin, handleTenantUsage } from './admin-routes.js';
import { handleAudit } from './audit-routes.js';
import { handleProvenance } from './provenance-routes.js';
import type { AuditAuthority } from '../spec/audit.js';
import { errorEvent, methodNotAllowed, sendError } from './error-response.js';
import { describeModel, listModels, readiness } from './info-endpoints.js';
import { readBody } from './read-body.js';
import { naraHeaders, requestIdFrom } from './response-headers.js';
import { doneEvent, writeSse } from './sse-writer.js';
import { answerTextOf, heldEvents, sealAnswer, withEmbeddedReference, withProvenance } from './provenance-output.js';
import type { SignedProvenance } from '../spec/audit.js';
import type { ConsoleContext } from './console/console-context.js';
import type { ConsoleFiles } from './console-static.js';

export interface ServerDeps {
  readonly gateway: () => Gateway;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly maxBodyBytes: () => number;
  readonly clientStallMs: () => number;
  /** `logging.debugBodies`: log request bodies and JSON answers at debug level. Off by default. */
  readonly debugBodies: () => boolean;
  readonly isDraining: () => boolean;
  /** Tenants, keys and usage; undefined where the server has no store for them. */
  readonly admin: () => AdminService | undefined;
  /** The /admin bearer token; undefined turns the admin API off. Never log it. */
  readonly adminToken: () => string | undefined;
  /** Checkpoints and proofs of the audit log; undefined when it is off. */
  readonly audit: () => AuditAuthority | undefined;
  /**
   * Generation requests not yet answered to the end, counted here so a draining server waits for
   * them: an engine slot is freed before the response's last bytes, which wait for the audit log.
   */
  readonly active: { count: number };
  /** Sessions, single sign-on and the insights the console reads. */
  readonly console: ConsoleContext;
  /** The built console, or undefined when this installation has none. */
  readonly consoleFiles: ConsoleFiles | undefined;
}

const generationRoutes: Readonly<Record<string, Operation>> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completion',
  '/v1/embeddings': 'embedding',
};

export function createNaraServer(deps: ServerDeps): Server {
  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    handle(deps, request, response).catch((error: unknown) => {
      // Only reachable through a bug in the handlers themselves: never let it crash the process.
      deps.logger.error({ err: error }, 'unhandled error in request handler');
      if (!response.headersSent) sendError(response, undefined, randomUUID(), toNaraError(error));
      else response.destroy();
    });
  });
  server.on('clientError', (error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    deps.logger.debug({ code: (error as NodeJS.ErrnoException).code }, 'malformed HTTP request');
  });
  return server;
}

async function handle(deps: ServerDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = requestIdFrom(request.headers['x-request-id'], randomUUID);
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const method = request.method ?? 'GET';

  if (path === '/admin' || path.startsWith('/admin/')) return handleAdmin(deps, requestId, request, response);
  if (path === '/console' || path.startsWith('/console/')) return serveConsole(deps, requestId, path, request, response);
  if (path === '/v1/usage') return handleTenantUsage(deps, requestId, request, response);
  if (path.startsWith('/audit/')) return handleAudit(deps, requestId, request, response);
  if (path.startsWith('/v1/provenance/') || path === '/.well-known/jwks.json') return handleProvenance(deps.audit(), requestId, path, request, response);
  const operation = generationRoutes[path];
  if (operation !== undefined) {
    if (method !== 'POST') return sendError(response, undefined, requestId, methodNotAllowed(method, path), { allow: 'POST' });
    return handleGeneration(deps, operation, requestId, request, response);
  }
  const isModels = path === '/v1/models' || path.startsWith('/v1/models/');
  if (method !== 'GET' && method !== 'HEAD') {
    const known = isModels || path === '/healthz' || path === '/readyz' || path === '/metrics';
    return sendError(response, undefined, requestId, known ? methodNotAllowed(method, path) : notFound(method, path), known ? { allow: 'GET, HEAD' } : {});
  }
  if (isModels) return handleModels(deps, requestId, path, request, response);
  switch (path) {
    case '/healthz':
      return sendJson(response, undefined, requestId, 200, '{"status":"ok"}');
    case '/readyz': {
      const report = readiness(deps.gateway(), deps.isDraining());
      return sendJson(response, undefined, requestId, report.ready ? 200 : 503, JSON.stringify(report));
    }
    case '/metrics': {
      const { contentType, body } = await deps.metrics.render();
      response.writeHead(200, naraHeaders(undefined, requestId, contentType));
      response.end(body);
      return;
    }
    default:
      return sendError(response, undefined, requestId, notFound(method, path));
  }
}

function serveConsole(deps: ServerDeps, requestId: string, path: string, request: IncomingMessage, response: ServerResponse): void {
  try {
    if (!deps.console.settings().enabled) throw new NaraError('console_disabled', 'The web console is off on this server (console.enabled: false).');
    if (deps.consoleFiles === undefined) throw new NaraError('console_not_built', 'The console is not built in this installation: run `npm run build` (it writes dist/console).');
    deps.consoleFiles.serve(request, response, path, requestId);
  } catch (error) {
    const allow = (error as { allow?: string }).allow;
    if (!response.headersSent) sendError(response, undefined, requestId, toNaraError(error), allow === undefined ? {} : { allow });
  }
}

/** GET /v1/models and GET /v1/models/{id}: logged and counted like every API request. */
function handleModels(deps: ServerDeps, requestId: string, path: string, request: IncomingMessage, response: ServerResponse): void {
  const gateway = deps.gateway();
  const context = createContext(requestId, 'models');
  let failure: NaraError | undefined;
  try {
    const id = path === '/v1/models' ? undefined : decodeModelId(path.slice('/v1/models/'.length));
    const body = id === undefined ? listModels(gateway, context, request.headers.authorization) : describeModel(gateway, context, request.headers.authorization, id);
    sendJson(response, context, requestId, 200, body);
  } catch (error) {
    failure = toNaraError(error);
    sendError(response, context, requestId, failure);
  }
  gateway.finish(context, failure?.status ?? 200, failure?.code);
}

function decodeModelId(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new NaraError('model_not_found', 'The model id in the path is not valid percent-encoding.', { param: 'model' });
  }
}

async function handleGeneration(
  deps: ServerDeps,
  operation: Operation,
  requestId: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  deps.active.count += 1;
  try {
    await generate(deps, operation, requestId, request, response);
  } finally {
    deps.active.count -= 1;
  }
}

async function generate(deps: ServerDeps, operation: Operation, requestId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const gateway = deps.gateway();
  const context = createContext(requestId, operation);
  const abort = context.cancellation;
  response.once('close', () => {
    if (!response.writableFinished) abort.cancel();
  });
  let failure: NaraError | undefined;
  let bodyRead = false;
  try {
    if (deps.isDraining()) throw new NaraError('shutting_down', 'Nara is shutting down; retry on another replica.', { retryAfterSeconds: 1 });
    // Authenticate before reading the body: an unknown caller cannot make Nara buffer megabytes.
    gateway.authenticate(context, request.headers.authorization);
    const body = await readBody(request, deps.maxBodyBytes());
    bodyRead = true;
    context.audit.requestSha256 = sha256(body);
    if (context.tenant?.audit.content !== undefined && context.tenant.audit.content !== 'none') context.audit.requestText = body.toString('utf8');
    const debugBodies = deps.debugBodies() && deps.logger.isLevelEnabled('debug');
    // Prompt text reaches the logs only when an operator turned this on explicitly.
    if (debugBodies) deps.logger.debug({ requestId, body: body.toString('utf8') }, 'request body');
    const answer = await gateway.handle(context, request.headers.authorization, body);
    if (answer.kind === 'json') {
      if (debugBodies) deps.logger.debug({ requestId, answer: answer.body }, 'answer body');
      if (context.provenance !== undefined) context.provenance.text = answerTextOf(answer.body);
      const signed = await sealAnswer(gateway, context, answer.body);
      const marked = signed !== undefined && context.provenance?.embed === true ? withEmbeddedReference(answer.body, signed.id) : answer.body;
      sendJson(response, context, requestId, 200, signed === undefined ? answer.body : withProvenance(marked, signed));
    } else {
      response.writeHead(200, { ...naraHeaders(context, requestId, 'text/event-stream; charset=utf-8'), 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.flushHeaders();
      const digest = createHash('sha256');
      const held: string[] = [];
      try {
        await writeSse(response, answer.chunks, abort, deps.clientStallMs(), digest, held);
      } catch (error) {
        failure = toNaraError(error);
        if (failure.code === 'internal_error') deps.logger.error({ err: failure.cause, requestId }, 'internal error mid-stream');
      }
      if (!abort.aborted) {
        context.audit.answerSha256 = digest.digest('hex');
        // The stream ends ([DONE] or its error event) only once the request is audited.
        let signed: SignedProvenance | undefined;
        try {
          signed = await gateway.seal(context, 200, failure?.code);
        } catch (error) {
          failure = toNaraError(error);
        }
        response.end(`${heldEvents(held, failure === undefined ? signed : undefined, context.provenance?.embed === true)}${failure === undefined ? doneEvent : errorEvent(failure)}`);
      }
      if (abort.aborted) failure = clientClosedError(failure);
      // The status line said 200 before the stream failed; the record keeps what was sent.
      if (failure !== undefined && failure.code !== 'client_closed_request') {
        gateway.finish(context, 200, failure.code);
        return;
      }
    }
  } catch (error) {
    failure = toNaraError(error);
    if (abort.aborted && failure.code !== 'body_too_large') failure = clientClosedError(failure);
    if (failure.code === 'internal_error') deps.logger.error({ err: failure.cause, requestId }, 'internal error');
    // A body left unread (refused early, or too large) would otherwise be drained to keep the connection.
    const closeConnection = !bodyRead || failure.code === 'shutting_down';
    if (failure.code !== 'client_closed_request' && !response.headersSent) {
      const refused = failure;
      // An error answer is audited before it is sent too (unless the audit log itself is what failed).
      if (refused.code !== 'audit_unavailable') await gateway.seal(context, refused.status, refused.code).catch((error: unknown) => (failure = toNaraError(error)));
      sendError(response, context, requestId, failure, { closeConnection });
    }
  }
  gateway.finish(context, failure?.status ?? 200, failure?.code);
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function sendJson(response: ServerResponse, context: RequestContext | undefined, requestId: string, status: number, body: string): void {
  response.writeHead(status, naraHeaders(context, requestId, 'application/json'));
  response.end(body);
}

function notFound(method: string, path: string): NaraError {
  return new NaraError('route_not_found', `Unknown endpoint: ${method} ${path.slice(0, 200)}`);
}
