/**
 * The console's read-only data routes under /admin/v1: insights drawn from the audit log
 * (overview, residency, safety), audit events (list and one leaf as stored), back ends and eval
 * runs. Each route names its permission; tenant admins are confined to their own tenant here.
 */
import type { AuditEventDetail, BackendView } from '../../spec/console-api.js';
import { NaraError } from '../../spec/errors.js';
import type { Gateway } from '../../gateway/gateway.js';
import { listEvents, overview, residency, safetyCounts, type EventTable } from '../../insights/index.js';
import { compareEvalRuns, evalRunDetail, isRunId, listEvalRuns } from '../../eval-run/run-catalogue.js';
import { checkQuery, integerParam, ok, textParam, timeParam, type Methods, type Call, type Reply } from '../admin-call.js';
import type { ConsoleContext } from './console-context.js';
import { readLeafFor } from './leaf-event.js';
import { confineTenant, requirePermission, tenantScopeOf, type Permission } from './permissions.js';

export interface ConsoleDataDeps {
  readonly gateway: () => Gateway;
  readonly console: ConsoleContext;
}

const dayMs = 86_400_000;

export function consoleDataRoutes(segments: readonly string[], deps: ConsoleDataDeps): Methods | undefined {
  const [collection, first, second, third] = segments;
  if (collection === 'insights' && second === undefined) {
    if (first === 'overview') return read('overview', (call) => overviewReply(call, deps));
    if (first === 'residency') return read('residency', (call) => residencyReply(call, deps));
    if (first === 'safety') return read('safety', (call) => safetyReply(call, deps));
    return undefined;
  }
  if (collection === 'audit' && first === 'events' && third === undefined) {
    if (second === undefined) return read('audit', (call) => eventListReply(call, deps));
    return read('audit', (call) => eventDetailReply(call, deps, second));
  }
  if (collection === 'backends' && first === undefined) return read('backends', (call) => backendsReply(call, deps));
  if (collection === 'eval') {
    if (first === 'runs' && second === undefined) return read('eval', async ({ query }) => (checkQuery(query, []), ok({ object: 'list', data: await listEvalRuns(runsDir(deps)) })));
    if (first === 'runs' && second !== undefined && third === undefined) return read('eval', () => evalRunReply(deps, second));
    if (first === 'compare' && second === undefined) return read('eval', (call) => evalCompareReply(call, deps));
  }
  return undefined;
}

function read(permission: Permission, handle: (call: Call) => Reply | Promise<Reply>): Methods {
  return {
    GET: async (call) => {
      requirePermission(call.principal, permission);
      return handle(call);
    },
  };
}

function table(deps: ConsoleDataDeps): EventTable {
  const events = deps.console.events();
  if (events === undefined) throw new NaraError('audit_disabled', 'The console figures come from the audit log, which is off on this server (audit.enabled: false).');
  return events;
}

/** `from`/`to` (ISO 8601), by default the last 24 hours; at most 400 days. */
function window(query: URLSearchParams): { from: number; to: number } {
  const to = timeParam(query, 'to') ?? Date.now();
  const from = timeParam(query, 'from') ?? to - dayMs;
  if (from >= to) throw new NaraError('invalid_request', "'from' must be before 'to'.", { param: 'from' });
  if (to - from > 400 * dayMs) throw new NaraError('invalid_request', 'The window is longer than 400 days; narrow it.', { param: 'from' });
  return { from, to };
}

function overviewReply(call: Call, deps: ConsoleDataDeps) {
  checkQuery(call.query, ['from', 'to', 'bucket', 'tenant', 'model', 'backend']);
  const bucket = textParam(call.query, 'bucket');
  if (bucket !== undefined && bucket !== 'minute' && bucket !== 'hour' && bucket !== 'day') throw new NaraError('invalid_request', "'bucket' must be minute, hour or day.", { param: 'bucket' });
  return ok(
    overview(table(deps), {
      ...window(call.query),
      bucket,
      tenant: confineTenant(call.principal, textParam(call.query, 'tenant')),
      model: textParam(call.query, 'model'),
      backend: textParam(call.query, 'backend'),
    }),
  );
}

function residencyReply(call: Call, deps: ConsoleDataDeps) {
  checkQuery(call.query, ['from', 'to', 'tenant', 'q', 'offset', 'limit']);
  const tenant = confineTenant(call.principal, textParam(call.query, 'tenant'));
  const tenants = [...deps.gateway().table.tenants.values()]
    .filter((config) => tenant === undefined || config.id === tenant)
    .map((config) => ({ id: config.id, home: config.homeJurisdiction ?? null, allowed: [...config.jurisdictions].sort() }));
  return ok(
    residency(
      table(deps),
      {
        ...window(call.query),
        tenant,
        q: textParam(call.query, 'q'),
        offset: integerParam(call.query, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER }),
        limit: integerParam(call.query, 'limit', { min: 1, max: 500 }),
      },
      tenants,
    ),
  );
}

function safetyReply(call: Call, deps: ConsoleDataDeps) {
  checkQuery(call.query, ['from', 'to', 'tenant']);
  return ok(safetyCounts(table(deps), { ...window(call.query), tenant: confineTenant(call.principal, textParam(call.query, 'tenant')) }));
}

function eventListReply(call: Call, deps: ConsoleDataDeps) {
  checkQuery(call.query, ['tenant', 'requestId', 'outcome', 'before', 'limit']);
  const outcome = textParam(call.query, 'outcome');
  if (outcome !== undefined && outcome !== 'ok' && outcome !== 'error') throw new NaraError('invalid_request', "'outcome' must be ok or error.", { param: 'outcome' });
  return ok(
    listEvents(table(deps), {
      tenant: confineTenant(call.principal, textParam(call.query, 'tenant')),
      requestId: textParam(call.query, 'requestId'),
      outcome,
      before: integerParam(call.query, 'before', { min: 0, max: Number.MAX_SAFE_INTEGER }),
      limit: integerParam(call.query, 'limit', { min: 1, max: 500 }),
    }),
  );
}

async function eventDetailReply(call: Call, deps: ConsoleDataDeps, indexText: string) {
  checkQuery(call.query, []);
  const audit = deps.console.audit();
  if (audit === undefined) throw new NaraError('audit_disabled', 'The audit log is off on this server (audit.enabled: false).');
  const index = /^\d{1,15}$/.test(indexText) ? Number(indexText) : Number.NaN;
  if (!Number.isSafeInteger(index)) throw new NaraError('invalid_request', 'The event is named by its leaf index, a whole number.', { param: 'index' });
  const missing = new NaraError('audit_not_found', `No audit event ${index} on this server (never written, or removed past retention).`);
  // A tenant admin sees only their tenant's events; another's is "not found", not "forbidden".
  const leaf = await readLeafFor(audit, index, tenantScopeOf(call.principal));
  if (leaf === undefined) throw missing;
  // A damaged line is still served as stored (the browser's hash check will fail on it), with no parsed facts.
  const detail: AuditEventDetail = { index, leaf: Buffer.from(leaf.bytes).toString('base64'), event: leaf.event ?? {} };
  return ok(detail);
}

function backendsReply(call: Call, deps: ConsoleDataDeps) {
  checkQuery(call.query, []);
  const events = deps.console.events();
  const now = Date.now();
  // One scan of the last hour for every back end (top 50 by requests; a quiet one shows zeros).
  const lastHourByBackend = new Map((events === undefined ? [] : overview(events, { from: now - 3_600_000, to: now, bucket: 'hour' }).byBackend).map((group) => [group.key, group]));
  const data: BackendView[] = deps.gateway().table.slots.map((slot) => {
    const config = slot.config;
    const lastHour = lastHourByBackend.get(slot.id);
    return {
      id: slot.id,
      engine: config.kind === 'gguf' ? 'llama.cpp (embedded)' : 'OpenAI-compatible HTTP',
      jurisdiction: slot.jurisdiction,
      region: config.region ?? null,
      operator: config.operator ?? null,
      accelerator: config.accelerator ?? null,
      models: config.models.map((model) => model.name),
      healthy: slot.healthy,
      healthReason: slot.healthReason ?? null,
      circuit: slot.circuit.state(),
      inFlight: slot.inFlight,
      maxConcurrency: config.maxConcurrency,
      price: { inputPer1M: config.cost.inputPer1M, outputPer1M: config.cost.outputPer1M, currency: config.cost.currency },
      lastHour: { requests: lastHour?.requests ?? 0, errors: lastHour?.errors ?? 0, latencyP50Ms: lastHour?.latencyP50Ms ?? null, latencyP95Ms: lastHour?.latencyP95Ms ?? null },
    };
  });
  return ok({ object: 'list', data });
}

function runsDir(deps: ConsoleDataDeps): string {
  return deps.console.settings().evalRunsDir;
}

function runId(text: string, param: string): string {
  if (!isRunId(text)) throw new NaraError('invalid_request', `'${text.slice(0, 60)}' is not an eval run name (letters, digits, ".", "_", "-").`, { param });
  return text;
}

async function evalRunReply(deps: ConsoleDataDeps, id: string) {
  const detail = await evalRunDetail(runsDir(deps), runId(id, 'id'));
  if (detail === undefined) throw new NaraError('eval_run_not_found', `No eval run '${id}' in console.evalRunsDir.`);
  return ok(detail);
}

async function evalCompareReply(call: Call, deps: ConsoleDataDeps) {
  checkQuery(call.query, ['a', 'b']);
  const a = runId(call.query.get('a') ?? '', 'a');
  const b = runId(call.query.get('b') ?? '', 'b');
  const comparison = await compareEvalRuns(runsDir(deps), a, b);
  if (comparison === undefined) throw new NaraError('eval_run_not_found', `Eval run '${a}' or '${b}' is not in console.evalRunsDir.`);
  return ok(comparison);
}
