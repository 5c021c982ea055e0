/**
 * Shapes of the existing admin API (tenants, keys, usage) as the console reads them. They mirror the
 * server's views (src/admin/views.ts) but are written out here: the console imports nothing of the
 * server but the types in src/spec.
 */
import type { Page } from '../../../src/spec/console-api.js';

export interface Limits {
  readonly requestsPerMinute?: number | undefined;
  readonly tokensPerMinute?: number | undefined;
  readonly concurrentRequests?: number | undefined;
  readonly tokensPerDay?: number | undefined;
  readonly tokensPerMonth?: number | undefined;
  /** Currency units of the tenant's budgetCurrency. */
  readonly costPerDay?: number | undefined;
  readonly costPerMonth?: number | undefined;
}

export interface TenantView {
  readonly object: 'tenant';
  readonly id: string;
  readonly displayName?: string | undefined;
  readonly jurisdictions: readonly string[];
  readonly homeJurisdiction?: string | undefined;
  readonly models?: readonly string[] | undefined;
  readonly limits: Limits;
  readonly budgetCurrency?: string | undefined;
  readonly contact?: string | undefined;
  /** "config": from the configuration (nara.yaml or the flags of `nara serve`), read-only here. */
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
  readonly limits: Limits;
  readonly models?: readonly string[] | undefined;
  readonly rotatedFrom?: string | undefined;
}

/** A key as created or rotated: the only time its secret is ever shown. */
export interface CreatedKey extends KeyView {
  readonly key: string;
}

export interface ListAnswer<T> {
  readonly object: 'list';
  readonly data: readonly T[];
  /** Present when the server paginates; without it the whole list came back. */
  readonly page?: Page | undefined;
}

/** GET /admin/v1/usage?groupBy=day rows. */
export interface UsageRowView {
  readonly day?: string;
  readonly tenant?: string;
  readonly requests: number;
  readonly errors: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  readonly costMicros: number;
  /** Currency units with six decimals, as text. */
  readonly cost: string;
  readonly currency: string;
}
