/**
 * The directory contract: tenants created through the admin API or CLI, and every API key.
 * (Tenants declared in nara.yaml live in the configuration and are never written here.)
 * Embedded (JSON files under the data directory) and PostgreSQL implement it; running servers poll
 * `version()` and reload, so that a key revoked on one replica is refused on all within a second.
 */
import type { PiiPolicyInput } from './pii-policy.js';
import type { AuditContentMode } from './audit.js';
import type { LimitSet } from './limits.js';

/** A tenant as stored: plain JSON, jurisdictions upper-case. */
export interface TenantRecord {
  readonly id: string;
  readonly displayName?: string | undefined;
  /** Where this tenant's data may be sent. */
  readonly jurisdictions: readonly string[];
  /** Where the tenant itself sits (its regulator's country); informational, and must be in `jurisdictions`. */
  readonly homeJurisdiction?: string | undefined;
  /** Allow-list of model names; absent means every model in its jurisdictions. */
  readonly models?: readonly string[] | undefined;
  readonly limits: LimitSet;
  /** Currency of cost budgets (ISO 4217); back-end prices in another currency are not counted against them. */
  readonly budgetCurrency?: string | undefined;
  /** Who to call about this tenant: free text, e.g. an e-mail address. */
  readonly contact?: string | undefined;
  /** The tenant's own PII policy fields; the rest come from the configuration's defaults. */
  readonly pii?: PiiPolicyInput | undefined;
  /** What the tenant's audit events keep, and how long; absent fields come from the configuration. */
  readonly audit?: { readonly content?: AuditContentMode | undefined; readonly retentionDays?: number | undefined; readonly embedProvenance?: boolean | undefined } | undefined;
  /**
   * The tenant's own `safety` block, as written in nara.yaml's `tenants[].safety` (checked against
   * that schema before it is stored); absent fields come from the configuration's top level.
   */
  readonly safety?: Readonly<Record<string, unknown>> | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ApiKeyRecord {
  /** Short public id used by `nara keys revoke`. */
  readonly id: string;
  readonly tenantId: string;
  readonly name?: string | undefined;
  /** SHA-256 of the whole key, hex. */
  readonly hash: string;
  /** The first characters of the key, so an operator can tell keys apart. */
  readonly hint: string;
  readonly createdAt: string;
  readonly revokedAt?: string | undefined;
  /** After this instant the key is refused (`api_key_expired`). */
  readonly expiresAt?: string | undefined;
  /** Limits of this key on its own, on top of its tenant's. */
  readonly limits?: LimitSet | undefined;
  /** Models this key may use (within its tenant's). */
  readonly models?: readonly string[] | undefined;
  /** The key this one replaced through `rotate`. */
  readonly rotatedFrom?: string | undefined;
}

export interface DirectorySnapshot {
  readonly tenants: readonly TenantRecord[];
  readonly keys: readonly ApiKeyRecord[];
  /** Opaque; changes whenever anything in the directory changes. */
  readonly version: string;
}

export type TenantWrite = Omit<TenantRecord, 'createdAt' | 'updatedAt'>;

export interface DirectoryStore {
  /** Everything, for a server's in-memory index. */
  load(): Promise<DirectorySnapshot>;
  /** Cheap check polled by servers (an mtime, a row counter). */
  version(): Promise<string>;
  /** Fails with DirectoryConflictError when `id` exists. */
  createTenant(tenant: TenantWrite, at: Date): Promise<TenantRecord>;
  /** Replaces a tenant's fields (keeps createdAt); undefined when there is no such tenant. */
  updateTenant(tenant: TenantWrite, at: Date): Promise<TenantRecord | undefined>;
  /** Deletes a tenant and revokes its keys; false when there was no such tenant. */
  deleteTenant(id: string, at: Date): Promise<boolean>;
  addKey(key: ApiKeyRecord): Promise<void>;
  /** Marks a key revoked; returns it as stored after the change, undefined when unknown. */
  revokeKey(id: string, at: Date): Promise<ApiKeyRecord | undefined>;
  /**
   * Revokes `oldId` (effective at `revokeAt`, which may be in the future so clients can switch) and
   * adds `replacement`, in one step.
   */
  rotateKey(oldId: string, replacement: ApiKeyRecord, revokeAt: Date): Promise<ApiKeyRecord | undefined>;
  close(): Promise<void>;
}

export class DirectoryConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryConflictError';
  }
}

/** Thrown by a store whose database cannot be reached. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
