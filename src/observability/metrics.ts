/**
 * Prometheus metrics, fed by gateway events. Request-path series use the cheap counters in
 * `series.ts`; prom-client supplies process metrics and the back-end gauges read at scrape time.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayObserver, PiiSummary, RequestRecord, SafetySummary } from '../gateway/events.js';
import type { BackendSlot } from '../gateway/backend-slot.js';
import { FastCounter, FastHistogram } from './series.js';

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class GatewayMetrics implements GatewayObserver {
  readonly registry = new Registry();
  private readonly requests = new FastCounter('nara_requests_total', 'Requests by operation, outcome code and back end.', ['operation', 'code', 'backend']);
  private readonly duration = new FastHistogram('nara_request_duration_seconds', 'Time from request arrival to the end of the answer.', ['operation', 'stream'], latencyBuckets);
  private readonly upstream = new FastHistogram('nara_upstream_latency_seconds', 'Time from sending to the engine to its answer (or first streamed chunk).', ['backend', 'stream'], latencyBuckets);
  private readonly tokens = new FastCounter('nara_tokens_total', 'Tokens by tenant, back end and kind (prompt, completion, cached, estimated).', ['tenant', 'backend', 'kind']);
  private readonly errors = new FastCounter('nara_errors_total', 'Requests that ended with a catalogued error, by code.', ['code']);
  private readonly denials = new FastCounter('nara_routing_denials_total', 'Requests refused because the model is served only outside the tenant jurisdictions.', ['tenant', 'served_in']);
  private readonly failedAttempts = new FastCounter('nara_upstream_failures_total', 'Failed engine attempts, and whether the router failed over.', ['backend', 'code', 'failover']);
  private readonly piiEntities = new FastCounter(
    'nara_pii_entities_total',
    'Personal-data entities the pii stage handled, by tenant, type, where (request or answer) and the action taken.',
    ['tenant', 'type', 'where', 'action'],
  );
  private readonly auditFailures = new FastCounter('nara_audit_failures_total', 'Audit events that could not be written, and whether the request was served anyway (fail-open).', ['served']);
  private readonly safetyHazards = new FastCounter(
    'nara_safety_hazards_total',
    'Requests in which the safety checks found a hazard, by tenant, hazard id and the action the request got (monitor, redact, block).',
    ['tenant', 'hazard', 'action'],
  );
  private readonly safetyShadowHazards = new FastCounter('nara_safety_shadow_hazards_total', 'Requests in which the shadow rule set (recorded, never enforced) found a hazard.', ['tenant', 'hazard']);
  private readonly safetyGuard = new FastHistogram('nara_safety_guard_seconds', 'Time a request waited for guard models (prompt and answer checks together).', ['tenant'], latencyBuckets);
  private readonly safetyGuardFailures = new FastCounter(
    'nara_safety_guard_failures_total',
    'Requests whose guard model was down, slow or unreadable, by what the policy did: refused (fail-closed) or served (fail-open).',
    ['tenant', 'outcome'],
  );
  private readonly families = [
    this.requests,
    this.duration,
    this.upstream,
    this.tokens,
    this.errors,
    this.denials,
    this.failedAttempts,
    this.piiEntities,
    this.auditFailures,
    this.safetyHazards,
    this.safetyShadowHazards,
    this.safetyGuard,
    this.safetyGuardFailures,
  ];

  constructor(slots: () => readonly BackendSlot[]) {
    const registers = [this.registry];
    // Standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, ...) so stock Node.js dashboards work.
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'nara_backend_in_flight',
      help: 'Requests in flight per back end.',
      labelNames: ['backend', 'jurisdiction'],
      registers,
      collect() {
        this.reset(); // back ends removed by a reload disappear from the output
        for (const slot of slots()) this.set({ backend: slot.id, jurisdiction: slot.jurisdiction }, slot.inFlight);
      },
    });
    new Gauge({
      name: 'nara_backend_up',
      help: '1 when the back end is healthy and its circuit is not open.',
      labelNames: ['backend', 'jurisdiction'],
      registers,
      collect() {
        this.reset();
        for (const slot of slots()) this.set({ backend: slot.id, jurisdiction: slot.jurisdiction }, slot.available ? 1 : 0);
      },
    });
  }

  onRequestEnd(record: RequestRecord): void {
    const backend = record.backendId ?? 'none';
    const stream = record.stream ? 'true' : 'false';
    this.requests.inc([record.operation, record.errorCode ?? 'ok', backend]);
    this.duration.observe([record.operation, stream], record.durationSeconds);
    if (record.upstreamSeconds !== undefined) this.upstream.observe([backend, stream], record.upstreamSeconds);
    if (record.errorCode !== undefined) this.errors.inc([record.errorCode]);
    if (record.pii !== undefined) this.countPii(record.tenantId ?? 'none', record.pii, record.errorCode);
    if (record.safety !== undefined) this.countSafety(record.tenantId ?? 'none', record.safety, record.errorCode);
    const usage = record.usage;
    if (usage !== undefined) {
      const tenant = record.tenantId ?? 'none';
      this.tokens.inc([tenant, backend, 'prompt'], usage.promptTokens);
      this.tokens.inc([tenant, backend, 'completion'], usage.completionTokens);
      if (usage.cachedTokens > 0) this.tokens.inc([tenant, backend, 'cached'], usage.cachedTokens);
      if (usage.estimated) this.tokens.inc([tenant, backend, 'estimated'], usage.promptTokens + usage.completionTokens);
    }
  }

  private countPii(tenant: string, pii: PiiSummary, errorCode: string | undefined): void {
    const action = errorCode === 'pii_detected' ? 'block' : (pii.action ?? 'none');
    for (const [type, count] of Object.entries(pii.entities)) this.piiEntities.inc([tenant, type, 'request', action], count);
    for (const [type, count] of Object.entries(pii.answerEntities)) this.piiEntities.inc([tenant, type, 'answer', pii.answerAction], count);
  }

  private countSafety(tenant: string, safety: SafetySummary, errorCode: string | undefined): void {
    for (const hazard of safety.hazards) this.safetyHazards.inc([tenant, hazard, safety.action]);
    for (const hazard of safety.shadowHazards) this.safetyShadowHazards.inc([tenant, hazard]);
    if (safety.guardSeconds !== undefined) this.safetyGuard.observe([tenant], safety.guardSeconds);
    if (safety.failedOpen) this.safetyGuardFailures.inc([tenant, 'fail-open']);
    else if (errorCode === 'safety_unavailable') this.safetyGuardFailures.inc([tenant, 'fail-closed']);
  }

  onAttemptFailed(backendId: string, code: string, willFailover: boolean): void {
    this.failedAttempts.inc([backendId, code, willFailover ? 'true' : 'false']);
  }

  onAuditFailed(_reason: string, servedAnyway: boolean): void {
    this.auditFailures.inc([servedAnyway ? 'true' : 'false']);
  }

  onResidencyDenied(tenantId: string, _model: string, servedIn: readonly string[]): void {
    this.denials.inc([tenantId, servedIn.join(',')]);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    const library = await this.registry.metrics();
    const ours = this.families.map((family) => family.render()).join('\n');
    return { contentType: this.registry.contentType, body: `${ours}\n${library}` };
  }
}
