/** GET /v1/models, GET /v1/models/{id} and GET /readyz. */
import { NaraError } from '../spec/errors.js';
import type { TenantConfig } from '../config/types.js';
import type { Gateway } from '../gateway/gateway.js';
import type { RequestContext } from '../gateway/request-context.js';

interface ModelObject {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: string;
  /** Where the engines this tenant may use for the model run. */
  readonly jurisdictions: readonly string[];
}

/** Only the models the caller can reach: allowed by its tenant's and key's lists and served in its jurisdictions. */
export function listModels(gateway: Gateway, context: RequestContext, authorization: string | undefined): string {
  const tenant = gateway.authenticate(context, authorization);
  const data = gateway.table.modelNames().flatMap((model) => reachableModel(gateway, tenant, context, model) ?? []);
  return JSON.stringify({ object: 'list', data });
}

/** GET /v1/models/{id}: 404 for models the tenant cannot reach, as if they did not exist. */
export function describeModel(gateway: Gateway, context: RequestContext, authorization: string | undefined, id: string): string {
  const tenant = gateway.authenticate(context, authorization);
  context.model = id;
  const model = gateway.table.serves(id) ? reachableModel(gateway, tenant, context, id) : undefined;
  if (model === undefined) throw new NaraError('model_not_found', `The model '${id}' does not exist or is not available to this key.`, { param: 'model' });
  return JSON.stringify(model);
}

function reachableModel(gateway: Gateway, tenant: TenantConfig, context: RequestContext, model: string): ModelObject | undefined {
  if (tenant.models !== undefined && !tenant.models.has(model)) return undefined;
  const keyModels = context.principal?.keyModels;
  if (keyModels !== undefined && !keyModels.has(model)) return undefined;
  const verdict = gateway.table.residency(tenant, model);
  if (verdict.outcome !== 'allowed') return undefined;
  const jurisdictions = [...new Set(verdict.candidates.map((candidate) => candidate.jurisdiction))].sort();
  return { id: model, object: 'model', created: 0, owned_by: 'nara', jurisdictions };
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
