/**
 * Prometheus metrics, fed by gateway events. Labelled children are cached so that recording a
 * request costs a few Map lookups, not a label-hashing pass per metric.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayObserver, RequestRecord } from '../gateway/events.js';
import type { BackendSlot } from '../gateway/backend-slot.js';

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class GatewayMetrics implements GatewayObserver {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'code' | 'backend'>;
  private readonly duration: Histogram<'operation' | 'stream'>;
  private readonly upstream: Histogram<'backend' | 'stream'>;
  private readonly tokens: Counter<'tenant' | 'backend' | 'kind'>;
  private readonly errors: Counter<'code'>;
  private readonly denials: Counter<'tenant' | 'served_in'>;
  private readonly failedAttempts: Counter<'backend' | 'code' | 'failover'>;
  private readonly counterChildren = new Map<string, Counter.Internal>();
  private readonly histogramChildren = new Map<string, Histogram.Internal<string>>();

  constructor(slots: () => readonly BackendSlot[]) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'nara_process_' });
    this.requests = new Counter({ name: 'nara_requests_total', help: 'Requests by operation, outcome code and back end.', labelNames: ['operation', 'code', 'backend'], registers });
    this.duration = new Histogram({ name: 'nara_request_duration_seconds', help: 'Time from request arrival to the end of the answer.', labelNames: ['operation', 'stream'], buckets: latencyBuckets, registers });
    this.upstream = new Histogram({ name: 'nara_upstream_latency_seconds', help: 'Time from sending to the engine to its answer (or first streamed chunk).', labelNames: ['backend', 'stream'], buckets: latencyBuckets, registers });
    this.tokens = new Counter({ name: 'nara_tokens_total', help: 'Tokens by tenant, back end and kind (prompt, completion, cached, estimated).', labelNames: ['tenant', 'backend', 'kind'], registers });
    this.errors = new Counter({ name: 'nara_errors_total', help: 'Requests that ended with a catalogued error, by code.', labelNames: ['code'], registers });
    this.denials = new Counter({ name: 'nara_routing_denials_total', help: 'Requests refused because the model is served only outside the tenant jurisdictions.', labelNames: ['tenant', 'served_in'], registers });
    this.failedAttempts = new Counter({ name: 'nara_upstream_failures_total', help: 'Failed engine attempts, and whether the router failed over.', labelNames: ['backend', 'code', 'failover'], registers });
    new Gauge({
      name: 'nara_backend_in_flight',
      help: 'Requests in flight per back end.',
      labelNames: ['backend', 'jurisdiction'],
      registers,
      collect() {
        for (const slot of slots()) this.set({ backend: slot.id, jurisdiction: slot.jurisdiction }, slot.inFlight);
      },
    });
    new Gauge({
      name: 'nara_backend_up',
      help: '1 when the back end is healthy and its circuit is not open.',
      labelNames: ['backend', 'jurisdiction'],
      registers,
      collect() {
        for (const slot of slots()) this.set({ backend: slot.id, jurisdiction: slot.jurisdiction }, slot.available ? 1 : 0);
      },
    });
  }

  onRequestEnd(record: RequestRecord): void {
    const backend = record.backendId ?? 'none';
    const stream = record.stream ? 'true' : 'false';
    this.counter('requests', this.requests, [record.operation, record.errorCode ?? 'ok', backend]).inc();
    this.histogram('duration', this.duration, [record.operation, stream]).observe(record.durationSeconds);
    if (record.upstreamSeconds !== undefined) this.histogram('upstream', this.upstream, [backend, stream]).observe(record.upstreamSeconds);
    if (record.errorCode !== undefined) this.counter('errors', this.errors, [record.errorCode]).inc();
    const usage = record.usage;
    if (usage !== undefined) {
      const tenant = record.tenantId ?? 'none';
      this.counter('tokens', this.tokens, [tenant, backend, 'prompt']).inc(usage.promptTokens);
      this.counter('tokens', this.tokens, [tenant, backend, 'completion']).inc(usage.completionTokens);
      if (usage.cachedTokens > 0) this.counter('tokens', this.tokens, [tenant, backend, 'cached']).inc(usage.cachedTokens);
      if (usage.estimated) this.counter('tokens', this.tokens, [tenant, backend, 'estimated']).inc(usage.promptTokens + usage.completionTokens);
    }
  }

  onAttemptFailed(backendId: string, code: string, willFailover: boolean): void {
    this.counter('failedAttempts', this.failedAttempts, [backendId, code, willFailover ? 'true' : 'false']).inc();
  }

  onResidencyDenied(tenantId: string, _model: string, servedIn: readonly string[]): void {
    this.counter('denials', this.denials, [tenantId, servedIn.join(',')]).inc();
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private counter(name: string, metric: Counter<string>, values: string[]): Counter.Internal {
    const key = `${name}\u0000${values.join('\u0000')}`;
    let child = this.counterChildren.get(key);
    if (child === undefined) {
      child = metric.labels(...values);
      this.counterChildren.set(key, child);
    }
    return child;
  }

  private histogram(name: string, metric: Histogram<string>, values: string[]): Histogram.Internal<string> {
    const key = `${name}\u0000${values.join('\u0000')}`;
    let child = this.histogramChildren.get(key);
    if (child === undefined) {
      child = metric.labels(...values);
      this.histogramChildren.set(key, child);
    }
    return child;
  }
}
