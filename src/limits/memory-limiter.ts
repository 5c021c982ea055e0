/**
 * The in-process limiter, for the embedded single-process mode. Same promises as the Redis one
 * (src/store/redis/redis-limiter.ts); the conformance suite (test/limiter.test.ts) runs both.
 *
 * Semantics, per scope (tenant, key), counting only the limits the scope defines:
 * - requestsPerMinute: fixed UTC-minute window; +1 per admitted request; denied when used + 1 >
 *   limit; Retry-After = seconds to the next minute. Never refunded at settle (the request happened).
 * - tokensPerMinute: fixed UTC-minute window; reserve adds `tokens`; denied when used + tokens >
 *   limit; settle adds (actual - reserved) to the reservation's minute (floored at 0).
 * - concurrentRequests: requests in flight; denied when count + 1 > limit; Retry-After 1; settle
 *   frees the slot.
 * - tokensPerDay/Month, costMicrosPerDay/Month: used + held in the UTC day/month, starting from the
 *   baseline (what the usage ledger saw before this process); denied when used + amount > limit;
 *   Retry-After = seconds to the end of the period; settle replaces the held amount with the actual
 *   one in the reservation's day/month.
 * All or nothing: every limit of every scope is checked first, then everything is counted. The
 * first failing limit is reported: tenant before key, and within a scope concurrency, rpm, tpm,
 * day tokens, month tokens, day cost, month cost.
 *
 * Atomicity comes from the event loop: baselines are awaited first, then the check and the counting
 * run without an await in between, so no other reserve can interleave.
 */
import {
  LimiterUnavailableError,
  type ActualUsage,
  type BudgetBaseline,
  type LimitDenial,
  type Limiter,
  type LimitKind,
  type LimitScope,
  type LimitWindows,
  type Reservation,
  type ReservationOutcome,
  type ReservationRequest,
  type ScopeKind,
} from '../spec/limits.js';
import { definedLimits, fetchBaseline, isUsageMeasured, normaliseActual, normaliseRequest, periodOf, requestedAmount, retryAfterSeconds, scopesInCheckOrder, windowIdOf, windowsAt } from './windows.js';

export interface MemoryLimiterOptions {
  readonly baseline?: BudgetBaseline | undefined;
  /** Milliseconds since the epoch; injectable so tests can cross minutes, days and months. */
  readonly now?: (() => number) | undefined;
}

/**
 * The two most recent windows of something, by id. Two, not one: a request reserved just before a
 * window rolled over still settles into the window it was counted in. Older ones are dropped, so
 * memory stays bounded by the number of scopes.
 */
class RecentWindows<V> {
  private readonly entries = new Map<string, V>();

  get(id: string): V | undefined {
    return this.entries.get(id);
  }

  set(id: string, value: V): void {
    this.entries.delete(id);
    this.entries.set(id, value);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= 2) break;
      this.entries.delete(oldest);
    }
  }

  delete(id: string, value: V): void {
    if (this.entries.get(id) === value) this.entries.delete(id);
  }
}

interface Counter {
  used: number;
}

interface BaselineEntry {
  readonly promise: Promise<ActualUsage>;
  value?: ActualUsage;
}

type BudgetPeriod = 'day' | 'month';

interface ScopeState {
  inFlight: number;
  readonly counters: Map<LimitKind, RecentWindows<Counter>>;
  readonly baselines: Record<BudgetPeriod, RecentWindows<BaselineEntry>>;
  /**
   * The counters of the windows in force at the last reserve, by kind: while the minute lasts,
   * a request reads and counts them without looking them up (the request path, every request).
   */
  current: { readonly windows: LimitWindows; readonly counters: Partial<Record<LimitKind, Counter>> } | undefined;
}

export class MemoryLimiter implements Limiter {
  private readonly baseline: BudgetBaseline | undefined;
  private readonly now: () => number;
  private readonly scopes: Record<ScopeKind, Map<string, ScopeState>> = { tenant: new Map(), key: new Map() };
  /** Reservations issued and not yet settled: settle acts once, and only on its own reservations. */
  private readonly open = new WeakSet<Reservation>();
  private closed = false;

  constructor(options: MemoryLimiterOptions = {}) {
    this.baseline = options.baseline;
    this.now = options.now ?? Date.now;
  }

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    if (this.closed) throw new LimiterUnavailableError('the limiter is closed');
    const normalised = normaliseRequest(request);
    const scopes = scopesInCheckOrder(normalised.scopes);
    // Loops only when a period rolled over while a baseline was being fetched.
    for (;;) {
      const nowMs = this.now();
      const windows = windowsAt(nowMs);
      const waiting = this.missingBaselines(scopes, windows);
      if (waiting.length === 0) return this.checkAndCount(normalised, scopes, windows, nowMs);
      await Promise.all(waiting);
    }
  }

  reserveNow(request: ReservationRequest): ReservationOutcome | undefined {
    if (this.closed) throw new LimiterUnavailableError('the limiter is closed');
    const normalised = normaliseRequest(request);
    const scopes = scopesInCheckOrder(normalised.scopes);
    const nowMs = this.now();
    const windows = windowsAt(nowMs);
    if (this.missingBaselines(scopes, windows).length > 0) return undefined;
    return this.checkAndCount(normalised, scopes, windows, nowMs);
  }

  settle(reservation: Reservation, actual: ActualUsage): Promise<void> {
    try {
      if (this.open.has(reservation)) {
        this.open.delete(reservation);
        this.release(reservation, actual);
      }
    } catch {
      // Settling must never fail the request it ends; a bad input only loses this adjustment.
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.scopes.tenant.clear();
    this.scopes.key.clear();
    return Promise.resolve();
  }

  /** Synchronous on purpose: nothing can run between the check and the counting. */
  private checkAndCount(request: ReservationRequest, scopes: readonly LimitScope[], windows: LimitWindows, nowMs: number): ReservationOutcome {
    for (const scope of scopes) {
      const state = this.stateFor(scope);
      const hot = state.current?.windows === windows ? state.current.counters : undefined;
      for (const { kind, limit } of definedLimits(scope.limits)) {
        const requested = requestedAmount(kind, request);
        const used = kind === 'concurrentRequests' ? state.inFlight : (hot?.[kind]?.used ?? this.usedIn(state, kind, windows));
        if (used + requested > limit) {
          const denial: LimitDenial = { scope: scope.kind, scopeId: scope.id, kind, limit, requested, used, retryAfterSeconds: retryAfterSeconds(kind, nowMs) };
          return { ok: false, denial };
        }
      }
    }
    for (const scope of scopes) {
      const state = this.stateFor(scope);
      if (state.current?.windows !== windows) state.current = { windows, counters: {} };
      const hot = state.current.counters;
      for (const { kind } of definedLimits(scope.limits)) {
        if (kind === 'concurrentRequests') {
          state.inFlight += 1;
          continue;
        }
        let counter = hot[kind];
        if (counter === undefined) {
          const id = windowIdOf(kind, windows) as string;
          const recent = this.countersOf(state, kind);
          counter = recent.get(id);
          if (counter === undefined) {
            counter = { used: this.initialUsed(state, kind, windows) };
            recent.set(id, counter);
          }
          hot[kind] = counter;
        }
        counter.used += requestedAmount(kind, request);
      }
    }
    const reservation: Reservation = Object.freeze({ request, windows });
    this.open.add(reservation);
    return { ok: true, reservation };
  }

  private release(reservation: Reservation, actual: ActualUsage): void {
    const reserved = reservation.request;
    const spent = normaliseActual(actual, reserved);
    for (const scope of scopesInCheckOrder(reserved.scopes)) {
      const state = this.scopes[scope.kind].get(scope.id);
      if (state === undefined) continue;
      for (const { kind } of definedLimits(scope.limits)) {
        if (kind === 'concurrentRequests') state.inFlight = Math.max(0, state.inFlight - 1);
        if (!isUsageMeasured(kind)) continue;
        const id = windowIdOf(kind, reservation.windows);
        // A window already dropped needs no correction: nothing reads it again.
        const counter = id === undefined ? undefined : state.counters.get(kind)?.get(id);
        if (counter !== undefined) counter.used = Math.max(0, counter.used + requestedAmount(kind, spent) - requestedAmount(kind, reserved));
      }
    }
  }

  private usedIn(state: ScopeState, kind: LimitKind, windows: LimitWindows): number {
    const id = windowIdOf(kind, windows);
    if (id === undefined) return state.inFlight;
    return state.counters.get(kind)?.get(id)?.used ?? this.initialUsed(state, kind, windows);
  }

  /** Zero for rates; for budgets, what the ledger saw spent (fetched before the check, see reserve). */
  private initialUsed(state: ScopeState, kind: LimitKind, windows: LimitWindows): number {
    const period = periodOf(kind);
    if (period !== 'day' && period !== 'month') return 0;
    const spent = state.baselines[period].get(windows[period])?.value;
    if (spent === undefined) return 0;
    return requestedAmount(kind, spent);
  }

  /** Baselines still to fetch (or being fetched) for budget counters this request will create. */
  private missingBaselines(scopes: readonly LimitScope[], windows: LimitWindows): Promise<unknown>[] {
    const baseline = this.baseline;
    if (baseline === undefined) return [];
    const waiting: Promise<unknown>[] = [];
    for (const scope of scopes) {
      const state = this.stateFor(scope);
      const hot = state.current?.windows === windows ? state.current.counters : undefined;
      for (const period of ['day', 'month'] as const) {
        const needed = definedLimits(scope.limits).some(({ kind }) => periodOf(kind) === period && hot?.[kind] === undefined && state.counters.get(kind)?.get(windows[period]) === undefined);
        if (!needed) continue;
        const entry = this.baselineEntry(baseline, scope, state, period, windows[period]);
        if (entry.value === undefined) waiting.push(entry.promise);
      }
    }
    return waiting;
  }

  /** One call per scope and period, shared by every request that needs it meanwhile. */
  private baselineEntry(baseline: BudgetBaseline, scope: LimitScope, state: ScopeState, period: BudgetPeriod, id: string): BaselineEntry {
    const recent = state.baselines[period];
    const cached = recent.get(id);
    if (cached !== undefined) return cached;
    const promise = fetchBaseline(baseline, scope, period, id).catch((error: unknown) => {
      // Forget the failure so that the next request asks again; fail closed meanwhile.
      recent.delete(id, entry);
      throw error;
    });
    const entry: BaselineEntry = { promise };
    promise.then(
      (spent) => {
        entry.value = spent;
      },
      () => undefined,
    );
    recent.set(id, entry);
    return entry;
  }

  private stateFor(scope: LimitScope): ScopeState {
    const byId = this.scopes[scope.kind];
    let state = byId.get(scope.id);
    if (state === undefined) {
      state = { inFlight: 0, counters: new Map(), baselines: { day: new RecentWindows(), month: new RecentWindows() }, current: undefined };
      byId.set(scope.id, state);
    }
    return state;
  }

  private countersOf(state: ScopeState, kind: LimitKind): RecentWindows<Counter> {
    let recent = state.counters.get(kind);
    if (recent === undefined) {
      recent = new RecentWindows();
      state.counters.set(kind, recent);
    }
    return recent;
  }
}

