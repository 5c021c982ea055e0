/**
 * The usage ledger contract: one record per metered request, written in batches off the hot path,
 * queried per tenant, key, model, back end and day. Embedded (files under the data directory) and
 * PostgreSQL implement it.
 */
import type { ActualUsage, ScopeKind } from './limits.js';

export interface UsageRecord {
  readonly requestId: string;
  /** ISO 8601 time the request ended. */
  readonly at: string;
  /** UTC day of `at`, "2026-11-22". */
  readonly day: string;
  readonly tenantId: string;
  readonly keyId: string;
  readonly model: string;
  /** The back end that answered, or null when none did. */
  readonly backendId: string | null;
  readonly jurisdiction: string | null;
  readonly operation: 'chat' | 'completion' | 'embedding';
  readonly stream: boolean;
  /** HTTP status sent (499 when the client left first). */
  readonly status: number;
  readonly errorCode: string | null;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  /** True when Nara counted the tokens itself because the engine reported none. */
  readonly estimated: boolean;
  /** Cost in micro-units of `currency` (integer, so sums are exact). */
  readonly costMicros: number;
  readonly currency: string;
  readonly latencyMs: number;
  readonly attempts: number;
}

export type UsageDimension = 'tenant' | 'key' | 'model' | 'backend' | 'day';

export const usageDimensions: readonly UsageDimension[] = ['tenant', 'key', 'model', 'backend', 'day'];

export interface UsageQuery {
  readonly tenantId?: string | undefined;
  readonly keyId?: string | undefined;
  readonly model?: string | undefined;
  readonly backendId?: string | undefined;
  /** First day included, "2026-11-01". */
  readonly from?: string | undefined;
  /** Last day included. */
  readonly to?: string | undefined;
  /** Dimensions to group by, in this order; empty gives one total row. */
  readonly groupBy: readonly UsageDimension[];
}

/** One group of usage. Dimensions not grouped by are absent. */
export interface UsageRow {
  readonly tenant?: string;
  readonly key?: string;
  readonly model?: string;
  /** "" for requests no back end answered. */
  readonly backend?: string;
  readonly day?: string;
  readonly requests: number;
  readonly errors: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  readonly costMicros: number;
  readonly currency: string;
}

export interface UsageLedger {
  /**
   * Stores records, all of a batch or none of it. Retrying a batch is safe: a record whose
   * requestId is already stored is ignored (PostgreSQL: any stored id; embedded: its recent ones).
   */
  append(records: readonly UsageRecord[]): Promise<void>;
  /** Rows sorted by the grouped dimensions. Mixed currencies are never summed into one row. */
  query(query: UsageQuery): Promise<UsageRow[]>;
  /**
   * Tokens (prompt + completion) and cost spent by a tenant or key in [from, to], for budget baselines.
   * With `currency` (the budget's), only costs in that currency are summed, as budgets ignore prices
   * in others; tokens count whatever the currency. Without it, costs in every currency are added.
   */
  spent(scope: ScopeKind, id: string, from: string, to: string, currency?: string): Promise<ActualUsage>;
  close(): Promise<void>;
}
