/**
 * Tenants in the one shape the gateway reads, whether declared in nara.yaml (GitOps) or created
 * through the admin API; and limits as written by people (cost in currency units) turned into a
 * LimitSet (cost in exact integer micro-units).
 */
import type { TenantRecord } from '../spec/directory.js';
import type { LimitSet } from '../spec/limits.js';
import { defaultPiiPolicy, type PiiPolicy } from '../spec/pii-policy.js';
import { mergePiiPolicy } from '../policy/pii-policy.js';
import type { z } from 'zod';
import type { limitsInput } from './schema.js';
import type { TenantConfig } from './types.js';

export type LimitsInput = z.infer<typeof limitsInput>;

export function toLimitSet(input: LimitsInput): LimitSet {
  const limits: Record<string, number> = {};
  if (input.requestsPerMinute !== undefined) limits.requestsPerMinute = input.requestsPerMinute;
  if (input.tokensPerMinute !== undefined) limits.tokensPerMinute = input.tokensPerMinute;
  if (input.concurrentRequests !== undefined) limits.concurrentRequests = input.concurrentRequests;
  if (input.tokensPerDay !== undefined) limits.tokensPerDay = input.tokensPerDay;
  if (input.tokensPerMonth !== undefined) limits.tokensPerMonth = input.tokensPerMonth;
  if (input.costPerDay !== undefined) limits.costMicrosPerDay = toMicros(input.costPerDay);
  if (input.costPerMonth !== undefined) limits.costMicrosPerMonth = toMicros(input.costPerMonth);
  return limits;
}

/** The inverse of toLimitSet, for showing limits to people. */
export function toLimitsInput(limits: LimitSet): LimitsInput {
  const shown: Record<string, number> = {};
  if (limits.requestsPerMinute !== undefined) shown.requestsPerMinute = limits.requestsPerMinute;
  if (limits.tokensPerMinute !== undefined) shown.tokensPerMinute = limits.tokensPerMinute;
  if (limits.concurrentRequests !== undefined) shown.concurrentRequests = limits.concurrentRequests;
  if (limits.tokensPerDay !== undefined) shown.tokensPerDay = limits.tokensPerDay;
  if (limits.tokensPerMonth !== undefined) shown.tokensPerMonth = limits.tokensPerMonth;
  if (limits.costMicrosPerDay !== undefined) shown.costPerDay = limits.costMicrosPerDay / 1e6;
  if (limits.costMicrosPerMonth !== undefined) shown.costPerMonth = limits.costMicrosPerMonth / 1e6;
  return shown;
}

export function toMicros(units: number): number {
  return Math.round(units * 1e6);
}

/**
 * `defaultCurrency` (the first back end's) is the budget currency of a tenant that names none, and
 * `piiDefaults` (the top-level `pii`) fills the PII fields it leaves out, whether it comes from
 * nara.yaml or from the admin API.
 */
export function tenantFromRecord(
  record: Omit<TenantRecord, 'createdAt' | 'updatedAt'>,
  managedBy: TenantConfig['managedBy'],
  defaultCurrency: string | undefined,
  piiDefaults: PiiPolicy = defaultPiiPolicy,
): TenantConfig {
  return {
    id: record.id,
    displayName: record.displayName,
    jurisdictions: new Set(record.jurisdictions.map((code) => code.toUpperCase())),
    models: record.models === undefined ? undefined : new Set(record.models),
    homeJurisdiction: record.homeJurisdiction?.toUpperCase(),
    contact: record.contact,
    limits: record.limits,
    budgetCurrency: record.budgetCurrency ?? defaultCurrency,
    pii: mergePiiPolicy(piiDefaults, record.pii),
    piiInput: record.pii,
    managedBy,
  };
}
