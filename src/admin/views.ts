/**
 * What the admin API and the CLI show of tenants and keys. A key view never carries the hash (nor,
 * of course, the key): only the hint an operator needs to tell keys apart.
 */
import type { ApiKeyRecord, TenantRecord } from '../spec/directory.js';
import { toLimitsInput, type LimitsInput } from '../config/tenants.js';
import type { TenantConfig } from '../config/types.js';
import type { PiiPolicyInput } from '../spec/pii-policy.js';

export interface TenantView {
  readonly object: 'tenant';
  readonly id: string;
  readonly displayName?: string | undefined;
  readonly jurisdictions: readonly string[];
  readonly homeJurisdiction?: string | undefined;
  readonly models?: readonly string[] | undefined;
  /** Cost limits in currency units, as people write them. */
  readonly limits: LimitsInput;
  readonly budgetCurrency?: string | undefined;
  readonly contact?: string | undefined;
  /** The tenant's own PII policy fields (the rest come from nara.yaml's top-level pii). */
  readonly pii?: PiiPolicyInput | undefined;
  /** The tenant's own audit fields (content kept, retention days). */
  readonly audit?: TenantRecord['audit'];
  /** The tenant's own safety block (the rest comes from nara.yaml's top-level safety). */
  readonly safety?: TenantRecord['safety'];
  /** "config": declared in nara.yaml, read-only here. "admin": created through the admin API or CLI. */
  readonly managedBy: 'config' | 'admin';
  readonly createdAt?: string | undefined;
  readonly updatedAt?: string | undefined;
}

export type KeyStatus = 'active' | 'revoked' | 'expired' | 'revoking';

export interface KeyView {
  readonly object: 'api_key';
  readonly id: string;
  readonly tenantId: string;
  readonly name?: string | undefined;
  readonly hint: string;
  readonly createdAt: string;
  readonly revokedAt?: string | undefined;
  readonly expiresAt?: string | undefined;
  readonly status: KeyStatus;
  readonly limits: LimitsInput;
  readonly models?: readonly string[] | undefined;
  readonly rotatedFrom?: string | undefined;
}

/** The fields a tenant shows, whether declared in nara.yaml or stored (sets become arrays). */
export interface TenantFields {
  readonly id: string;
  readonly displayName?: string | undefined;
  readonly jurisdictions: Iterable<string>;
  readonly homeJurisdiction?: string | undefined;
  readonly models?: Iterable<string> | undefined;
  readonly limits: TenantRecord['limits'];
  readonly budgetCurrency?: string | undefined;
  readonly contact?: string | undefined;
  readonly pii?: PiiPolicyInput | undefined;
  readonly audit?: TenantRecord['audit'];
  readonly safety?: TenantRecord['safety'];
}

/** A tenant in the shape people write it (cost limits in currency units). */
export function tenantFieldsAsInput(tenant: TenantFields) {
  return {
    id: tenant.id,
    displayName: tenant.displayName,
    jurisdictions: [...tenant.jurisdictions],
    homeJurisdiction: tenant.homeJurisdiction,
    models: tenant.models === undefined ? undefined : [...tenant.models],
    limits: toLimitsInput(tenant.limits),
    budgetCurrency: tenant.budgetCurrency,
    contact: tenant.contact,
    pii: tenant.pii,
    audit: tenant.audit,
    safety: tenant.safety,
  };
}

export function configTenantView(tenant: TenantConfig): TenantView {
  return { object: 'tenant', ...tenantFieldsAsInput({ ...tenant, pii: tenant.piiInput, audit: tenant.auditInput, safety: tenant.safetyInput }), managedBy: 'config' };
}

export function storedTenantView(tenant: TenantRecord): TenantView {
  return { object: 'tenant', ...tenantFieldsAsInput(tenant), managedBy: 'admin', createdAt: tenant.createdAt, updatedAt: tenant.updatedAt };
}

/**
 * "revoking": a rotated key still inside its grace period. Revocation wins over expiry once it is in
 * force, because it is the operator's explicit act.
 */
export function keyStatus(key: ApiKeyRecord, now: Date): KeyStatus {
  const at = now.getTime();
  if (key.revokedAt !== undefined && Date.parse(key.revokedAt) <= at) return 'revoked';
  if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= at) return 'expired';
  if (key.revokedAt !== undefined) return 'revoking';
  return 'active';
}

export function keyView(key: ApiKeyRecord, now: Date): KeyView {
  // Built field by field (not by spreading the record) so that the hash can never leak through.
  return {
    object: 'api_key',
    id: key.id,
    tenantId: key.tenantId,
    name: key.name,
    hint: key.hint,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
    expiresAt: key.expiresAt,
    status: keyStatus(key, now),
    limits: toLimitsInput(key.limits ?? {}),
    models: key.models === undefined ? undefined : [...key.models],
    rotatedFrom: key.rotatedFrom,
  };
}
