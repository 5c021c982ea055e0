/**
 * Stage "route": call an engine, failing over to the next allowed candidate on retryable failures.
 * It is handed only the candidates the residency stage allowed, and before every attempt it checks
 * the candidate again against the tenant's *current* policy, so a config reload that narrows a
 * policy also binds requests already in flight. There is no other source of back ends.
 */
import { piiTightened } from './stages/pii.js';
import { clientClosedError, NaraError } from '../spec/errors.js';
import { describePolicy, isAllowedDestination } from '../policy/residency.js';
import type { TenantConfig } from '../config/types.js';
import type { BackendSlot } from './backend-slot.js';
import { chooseBackend } from './balancer.js';
import type { GatewayObserver } from './events.js';
import type { RequestContext } from './request-context.js';
import type { Candidate } from './routing-table.js';

export interface RouteSettings {
  readonly maxAttempts: number;
  /** The tenant's policy as configured now (undefined if the tenant was removed). */
  currentTenant(tenantId: string): TenantConfig | undefined;
  /**
   * The back end with this id as configured now. A reload that changes a back end (its
   * jurisdiction, say) replaces its slot, so a candidate whose slot is no longer current is skipped.
   */
  currentSlot(backendId: string): BackendSlot | undefined;
  readonly observers: readonly GatewayObserver[];
}

/**
 * Runs `attempt` on allowed candidates until one succeeds. The slot's in-flight count is raised
 * for the attempt; on success the caller releases it (after the answer or the stream ends).
 */
export async function routeWithFailover<T>(
  context: RequestContext,
  candidates: readonly Candidate[],
  settings: RouteSettings,
  attempt: (candidate: Candidate) => Promise<T>,
): Promise<{ value: T; candidate: Candidate }> {
  const tenant = context.tenant;
  if (tenant === undefined) throw new NaraError('internal_error', 'route called before authenticate');
  // Allocated only when a request needs a second choice.
  let tried: Set<number> | undefined;
  let lastError: NaraError | undefined;

  while (context.attempts < settings.maxAttempts) {
    const choice = chooseBackend(candidates, tried);
    if (choice.kind === 'none') {
      if (lastError !== undefined) throw lastError;
      throw noBackend(context.model ?? '', tenant, choice.reason);
    }
    tried ??= new Set();
    tried.add(choice.index);
    const candidate = candidates[choice.index] as Candidate;
    const slot = candidate.slot;
    const current = settings.currentTenant(tenant.id);
    if (current === undefined || settings.currentSlot(candidate.id) !== slot || !isAllowedDestination(slot, current) || piiTightened(context.pii, current, candidate)) {
      continue; // the policy or the back end changed under this request: never send it there
    }
    context.attempts += 1;
    slot.inFlight += 1;
    slot.circuit.onAttempt();
    try {
      const value = await attempt(candidate);
      slot.circuit.onSuccess();
      return { value, candidate };
    } catch (thrown) {
      slot.inFlight -= 1;
      const error = thrown instanceof NaraError ? thrown : new NaraError('upstream_error', `Engine ${slot.id} failed.`, { cause: thrown });
      if (error.code === 'client_closed_request' || context.cancellation.aborted) {
        slot.circuit.onAbandoned(); // says nothing about the engine either way
        throw clientClosedError(thrown);
      }
      if (error.code === 'upstream_rejected' || error.code === 'unsupported_parameter') slot.circuit.onSuccess();
      else slot.circuit.onFailure();
      const willFailover = error.failover && context.attempts < settings.maxAttempts;
      for (const observer of settings.observers) observer.onAttemptFailed?.(slot.id, error.code, willFailover);
      if (!error.failover) throw error;
      lastError = error;
    }
  }
  throw lastError ?? noBackend(context.model ?? '', tenant, 'unavailable');
}

function noBackend(model: string, tenant: TenantConfig, reason: 'unavailable' | 'busy'): NaraError {
  const policy = describePolicy({ tenantId: tenant.id, jurisdictions: tenant.jurisdictions });
  if (reason === 'busy') {
    return new NaraError('backends_busy', `Every back end for model '${model}' allowed by tenant '${tenant.id}' policy (${policy}) is at capacity. Retry shortly.`, { retryAfterSeconds: 1 });
  }
  return new NaraError(
    'no_healthy_backend',
    `No healthy back end for model '${model}' within tenant '${tenant.id}' policy (${policy}). Requests are never sent outside the policy.`,
    { retryAfterSeconds: 5 },
  );
}
