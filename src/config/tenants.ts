/**
 * Tenants in the one shape the gateway reads, whether declared in nara.yaml (GitOps) or created
 * through the admin API; and limits as written by people (cost in currency units) turned into a
 * LimitSet (cost in exact integer micro-units).
 */
import type { TenantRecord } from '../spec/directory.js';
import type { LimitSet } from '../spec/limits.js';
import { defaultPiiPolicy, type PiiPolicy } from '../spec/pii-policy.js';
import { mergePiiPolicy } from '../policy/pii-policy.js';
import { disabledSafetyPolicy, type SafetyPolicy } from '../safety/safety-policy.js';
import { safetyMessages } from './safety-data.js';
import { compileSafetyPolicy } from './safety-policy.js';
import { safetyPolicyInput, type SafetyPolicyInput } from './safety-schema.js';
import type { z } from 'zod';
import type { limitsInput } from './schema.js';
import type { NaraConfig, TenantConfig } from './types.js';

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
 * `defaults` fill what a tenant leaves out (the first back end's currency for budgets, the top-level
 * `pii` and `audit` fields), whether it comes from nara.yaml or from the admin API.
 */
export interface TenantDefaults {
  readonly currency: string | undefined;
  readonly pii: PiiPolicy;
  readonly audit: TenantConfig['audit'];
  /** The compiled top-level `safety`, for tenants without a block of their own. */
  readonly safety: SafetyPolicy;
  /** The top-level `safety` as written, that a tenant's own block is merged over. */
  readonly safetyInput: SafetyPolicyInput;
}

/** What a tenant gets for the fields it leaves out, under `config`. */
export function tenantDefaults(config: Pick<NaraConfig, 'backends' | 'pii' | 'audit' | 'safety'>): TenantDefaults {
  // (config.safety.input is the top-level block as written; config.safety.defaults its compiled form.)
  return {
    currency: config.backends[0]?.cost.currency,
    pii: config.pii.defaults,
    audit: { content: config.audit.content, retentionDays: config.audit.retentionDays, embedProvenance: config.audit.embedProvenance },
    safety: config.safety.defaults,
    safetyInput: config.safety.input,
  };
}

export const fallbackTenantDefaults: TenantDefaults = { currency: undefined, pii: defaultPiiPolicy, audit: { content: 'none', retentionDays: 365, embedProvenance: false }, safety: disabledSafetyPolicy, safetyInput: { mode: 'off' } };

export function tenantFromRecord(record: Omit<TenantRecord, 'createdAt' | 'updatedAt'>, managedBy: TenantConfig['managedBy'], defaults: TenantDefaults): TenantConfig {
  const safetyInput = record.safety === undefined ? undefined : readSafetyInput(record.id, record.safety);
  return {
    id: record.id,
    displayName: record.displayName,
    jurisdictions: new Set(record.jurisdictions.map((code) => code.toUpperCase())),
    models: record.models === undefined ? undefined : new Set(record.models),
    homeJurisdiction: record.homeJurisdiction?.toUpperCase(),
    contact: record.contact,
    limits: record.limits,
    budgetCurrency: record.budgetCurrency ?? defaults.currency,
    pii: mergePiiPolicy(defaults.pii, record.pii),
    piiInput: record.pii,
    audit: {
      content: record.audit?.content ?? defaults.audit.content,
      retentionDays: record.audit?.retentionDays ?? defaults.audit.retentionDays,
      embedProvenance: record.audit?.embedProvenance ?? defaults.audit.embedProvenance,
    },
    auditInput: record.audit,
    safety: safetyInput === undefined ? defaults.safety : compileSafetyPolicy(defaults.safetyInput, safetyInput, safetyMessages()),
    safetyInput,
    managedBy,
  };
}

/** A stored tenant's safety block, read back through the schema it was checked against when written. */
function readSafetyInput(tenantId: string, stored: Readonly<Record<string, unknown>>): SafetyPolicyInput {
  const parsed = safetyPolicyInput.safeParse(stored);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`tenant ${tenantId}: its stored safety block is not valid (${issue === undefined ? 'unknown problem' : `${['safety', ...issue.path].join('.')}: ${issue.message}`}); fix it with PATCH /admin/v1/tenants/${tenantId}`);
}
