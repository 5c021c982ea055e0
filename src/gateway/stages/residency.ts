/**
 * Stage "residency": the list of back ends this request may ever reach. Computed by the pure policy
 * function and cached per table; the router receives only this list.
 */
import { NaraError } from '../../spec/errors.js';
import { pass, stop, type Verdict } from '../../spec/stage.js';
import type { TenantConfig } from '../../config/types.js';
import { describePolicy } from '../../policy/residency.js';
import type { Candidate, RoutingTable } from '../routing-table.js';

export interface ResidencyDecision {
  readonly candidates: readonly Candidate[];
  readonly deniedCount: number;
}

export function applyResidency(model: string, tenant: TenantConfig, table: RoutingTable): Verdict<ResidencyDecision> & { servedIn?: readonly string[] } {
  const verdict = table.residency(tenant, model);
  if (verdict.outcome === 'allowed') return pass({ candidates: verdict.candidates, deniedCount: verdict.deniedCount });
  const error = new NaraError(
    'jurisdiction_not_allowed',
    `Model '${model}' is served only in ${verdict.servedIn.join(', ')}, but tenant '${tenant.id}' may send data only to ${describePolicy({ tenantId: tenant.id, jurisdictions: tenant.jurisdictions })}. Nothing was sent.`,
    { param: 'model', detail: { servedIn: verdict.servedIn.join(','), tenant: tenant.id } },
  );
  return { ...stop(error), servedIn: verdict.servedIn };
}
