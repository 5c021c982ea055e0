/** GET /v1/models and GET /readyz. */
import type { Gateway } from '../gateway/gateway.js';
import type { RequestContext } from '../gateway/request-context.js';

/** Only the models the caller's tenant can reach: allowed by its list and served in its jurisdictions. */
export function listModels(gateway: Gateway, context: RequestContext, authorization: string | undefined): string {
  const tenant = gateway.authenticate(context, authorization);
  const table = gateway.table;
  const data = [];
  for (const model of table.modelNames()) {
    if (tenant.models !== undefined && !tenant.models.has(model)) continue;
    const verdict = table.residency(tenant, model);
    if (verdict.outcome !== 'allowed') continue;
    const jurisdictions = [...new Set(verdict.candidates.map((candidate) => candidate.jurisdiction))].sort();
    data.push({ id: model, object: 'model', created: 0, owned_by: 'nara', jurisdictions });
  }
  return JSON.stringify({ object: 'list', data });
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly draining: boolean;
  readonly backends: readonly { id: string; jurisdiction: string; healthy: boolean; circuit: string; inFlight: number; reason?: string }[];
}

/** Ready when not draining and at least one back end can take requests. Never shows URLs or secrets. */
export function readiness(gateway: Gateway, draining: boolean): ReadinessReport {
  const backends = gateway.table.slots.map((slot) => ({
    id: slot.id,
    jurisdiction: slot.jurisdiction,
    healthy: slot.healthy,
    circuit: slot.circuit.state(),
    inFlight: slot.inFlight,
    ...(slot.healthReason === undefined ? {} : { reason: slot.healthReason }),
  }));
  const ready = !draining && gateway.table.slots.some((slot) => slot.available);
  return { ready, draining, backends };
}
