/**
 * The limiter contract: per-tenant and per-key rate limits, concurrency caps and budgets, enforced
 * atomically. Two implementations keep the same promises: in memory (one process, embedded) and in
 * Redis (shared by replicas). The gateway's "admit" stage reserves before routing and settles with
 * the real usage when the request ends, however it ends.
 */

/** Every limit a tenant or a key can carry. Absent means unlimited. */
export interface LimitSet {
  readonly requestsPerMinute?: number | undefined;
  readonly tokensPerMinute?: number | undefined;
  readonly concurrentRequests?: number | undefined;
  readonly tokensPerDay?: number | undefined;
  readonly tokensPerMonth?: number | undefined;
  /** Micro-units (1e-6) of the budget currency, so that sums stay exact integers. */
  readonly costMicrosPerDay?: number | undefined;
  readonly costMicrosPerMonth?: number | undefined;
}

export type LimitKind = keyof LimitSet;

export const limitKinds: readonly LimitKind[] = [
  'requestsPerMinute',
  'tokensPerMinute',
  'concurrentRequests',
  'tokensPerDay',
  'tokensPerMonth',
  'costMicrosPerDay',
  'costMicrosPerMonth',
];

/** Budgets deny with `insufficient_quota`-style errors; the others are rate limits. */
export function isBudget(kind: LimitKind): boolean {
  return kind === 'tokensPerDay' || kind === 'tokensPerMonth' || kind === 'costMicrosPerDay' || kind === 'costMicrosPerMonth';
}

export type ScopeKind = 'tenant' | 'key';

/** One holder of limits: a tenant, or one of its keys. A request is checked against both. */
export interface LimitScope {
  readonly kind: ScopeKind;
  readonly id: string;
  readonly limits: LimitSet;
}

export interface ReservationRequest {
  /** Unique per request; names the concurrency lease. */
  readonly requestId: string;
  readonly scopes: readonly LimitScope[];
  /**
   * Tokens the request may use at most (estimated prompt + max completion). Held against tokens
   * per minute and token budgets until the request settles.
   */
  readonly tokens: number;
  /** Most the request may cost, in micro-units, at the dearest back end it may reach. */
  readonly costMicros: number;
}

/**
 * The windows a reservation was counted in. Fixed at reserve time (by the limiter's clock, which for
 * Redis is the Redis server's, so replicas with skewed clocks agree) so that settling adjusts the
 * same counters even when the request ends after midnight.
 */
export interface LimitWindows {
  /** Whole minutes since the epoch, UTC. */
  readonly minute: number;
  /** "2026-11-22", UTC. */
  readonly day: string;
  /** "2026-11", UTC. */
  readonly month: string;
}

export interface Reservation {
  readonly request: ReservationRequest;
  readonly windows: LimitWindows;
}

export interface LimitDenial {
  readonly scope: ScopeKind;
  readonly scopeId: string;
  readonly kind: LimitKind;
  readonly limit: number;
  /** What the request asked for in this limit's unit (1 request, N tokens, N micro-units). */
  readonly requested: number;
  /** What was already used or held in the window. */
  readonly used: number;
  /** Seconds until the window that denied the request rolls over (at least 1). */
  readonly retryAfterSeconds: number;
}

export type ReservationOutcome =
  | { readonly ok: true; readonly reservation: Reservation }
  | { readonly ok: false; readonly denial: LimitDenial };

export interface ActualUsage {
  readonly tokens: number;
  readonly costMicros: number;
}

/** Thrown by a limiter whose shared store (Redis) cannot be reached; the gateway fails closed. */
export class LimiterUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LimiterUnavailableError';
  }
}

/**
 * What was spent before this limiter started counting (from the usage ledger), so budgets survive
 * restarts. Asked once per scope and period; the answer is cached by the limiter.
 */
export type BudgetBaseline = (scope: ScopeKind, id: string, period: { readonly kind: 'day' | 'month'; readonly id: string }) => Promise<ActualUsage>;

export interface Limiter {
  /**
   * Checks every limit of every scope and, only if all pass, counts the request in all of them:
   * +1 request this minute, +tokens this minute/day/month, +cost this day/month, +1 concurrent.
   * All or nothing: a denied request leaves no trace in any counter.
   * Throws LimiterUnavailableError when the shared store is down.
   */
  reserve(request: ReservationRequest): Promise<ReservationOutcome>;
  /**
   * The same as reserve, answered at once when the limiter needs to wait for nothing (in process,
   * budgets' baselines known); undefined means "call reserve". Spares the request path a few
   * promises. Optional: a limiter behind a network (Redis) never answers at once.
   */
  reserveNow?(request: ReservationRequest): ReservationOutcome | undefined;
  /**
   * Replaces the reserved tokens and cost with the actual usage (in the reservation's windows) and
   * frees the concurrency slot. Safe to call twice (the second call does nothing).
   */
  settle(reservation: Reservation, actual: ActualUsage): Promise<void>;
  close(): Promise<void>;
}
