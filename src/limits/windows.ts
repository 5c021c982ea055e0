/**
 * Windows and rules shared by both limiters (in memory and Redis), so that they count, order and
 * explain denials the same way. Everything is UTC: a tenant's day does not depend on where a
 * replica runs.
 */
import { LimiterUnavailableError, type ActualUsage, type BudgetBaseline, type LimitKind, type LimitScope, type LimitSet, type LimitWindows, type ReservationRequest } from '../spec/limits.js';

const msPerMinute = 60_000;
const msPerDay = 86_400_000;

/** The windows of the current minute, reused: every request in a minute shares them (days and months turn on minutes). */
let lastWindows: LimitWindows | undefined;

export function windowsAt(nowMs: number): LimitWindows {
  const minute = Math.floor(nowMs / msPerMinute);
  if (lastWindows?.minute === minute) return lastWindows;
  lastWindows = computeWindows(nowMs);
  return lastWindows;
}

function computeWindows(nowMs: number): LimitWindows {
  const date = new Date(nowMs);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return { minute: Math.floor(nowMs / msPerMinute), day: `${year}-${month}-${day}`, month: `${year}-${month}` };
}

/** Whole seconds until `endMs`, rounded up and at least 1 (a Retry-After of 0 invites a busy loop). */
function secondsUntil(endMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((endMs - nowMs) / 1000));
}

export function secondsToNextMinute(nowMs: number): number {
  return secondsUntil((Math.floor(nowMs / msPerMinute) + 1) * msPerMinute, nowMs);
}

export function secondsToNextDay(nowMs: number): number {
  return secondsUntil((Math.floor(nowMs / msPerDay) + 1) * msPerDay, nowMs);
}

export function secondsToNextMonth(nowMs: number): number {
  const date = new Date(nowMs);
  // Date.UTC rolls month 12 over into January of the next year.
  return secondsUntil(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1), nowMs);
}

/**
 * The order in which limits are checked, so that a request failing several reports the same one
 * everywhere: a full concurrency slot first (it frees soonest), then rates, then budgets.
 */
export const checkOrder: readonly LimitKind[] = [
  'concurrentRequests',
  'requestsPerMinute',
  'tokensPerMinute',
  'tokensPerDay',
  'tokensPerMonth',
  'costMicrosPerDay',
  'costMicrosPerMonth',
];

export type LimitPeriod = 'concurrent' | 'minute' | 'day' | 'month';

export function periodOf(kind: LimitKind): LimitPeriod {
  switch (kind) {
    case 'concurrentRequests':
      return 'concurrent';
    case 'requestsPerMinute':
    case 'tokensPerMinute':
      return 'minute';
    case 'tokensPerDay':
    case 'costMicrosPerDay':
      return 'day';
    case 'tokensPerMonth':
    case 'costMicrosPerMonth':
      return 'month';
  }
}

/** The window a limit counts in, by id; concurrency has none (it counts requests in flight). */
export function windowIdOf(kind: LimitKind, windows: LimitWindows): string | undefined {
  switch (periodOf(kind)) {
    case 'concurrent':
      return undefined;
    case 'minute':
      return String(windows.minute);
    case 'day':
      return windows.day;
    case 'month':
      return windows.month;
  }
}

/** What a request (or its actual usage) counts against one limit, in that limit's unit. */
export function requestedAmount(kind: LimitKind, amounts: { readonly tokens: number; readonly costMicros: number }): number {
  switch (kind) {
    case 'concurrentRequests':
    case 'requestsPerMinute':
      return 1;
    case 'tokensPerMinute':
    case 'tokensPerDay':
    case 'tokensPerMonth':
      return amounts.tokens;
    case 'costMicrosPerDay':
    case 'costMicrosPerMonth':
      return amounts.costMicros;
  }
}

/** Seconds until the window of `kind` rolls over; a concurrency slot may free at any moment. */
export function retryAfterSeconds(kind: LimitKind, nowMs: number): number {
  switch (periodOf(kind)) {
    case 'concurrent':
      return 1;
    case 'minute':
      return secondsToNextMinute(nowMs);
    case 'day':
      return secondsToNextDay(nowMs);
    case 'month':
      return secondsToNextMonth(nowMs);
  }
}

/** True for limits that settle replaces with the actual usage (everything but requests and slots). */
export function isUsageMeasured(kind: LimitKind): boolean {
  return kind !== 'requestsPerMinute' && kind !== 'concurrentRequests';
}

/** The limits a scope actually has, in check order; absent (undefined) limits are not counted at all. */
export function definedLimits(limits: LimitSet): readonly { readonly kind: LimitKind; readonly limit: number }[] {
  // Limit sets come from the configuration or the directory and are never changed: list each once.
  const cached = definedCache.get(limits);
  if (cached !== undefined) return cached;
  const defined: { kind: LimitKind; limit: number }[] = [];
  for (const kind of checkOrder) {
    const limit = limits[kind];
    if (limit !== undefined) defined.push({ kind, limit });
  }
  definedCache.set(limits, defined);
  return defined;
}

const definedCache = new WeakMap<LimitSet, readonly { readonly kind: LimitKind; readonly limit: number }[]>();

/** Scopes in check order: the tenant before its key, otherwise as given; scopes without limits are dropped. */
export function scopesInCheckOrder(scopes: readonly LimitScope[]): readonly LimitScope[] {
  // The gateway already passes the tenant first and only scopes with limits: the common case costs nothing.
  if (alreadyOrdered(scopes)) return scopes;
  const limited = scopes.filter((scope) => definedLimits(scope.limits).length > 0);
  return [...limited.filter((scope) => scope.kind === 'tenant'), ...limited.filter((scope) => scope.kind !== 'tenant')];
}

function alreadyOrdered(scopes: readonly LimitScope[]): boolean {
  let seenKey = false;
  for (const scope of scopes) {
    if (definedLimits(scope.limits).length === 0 || (scope.kind === 'tenant' && seenKey)) return false;
    if (scope.kind !== 'tenant') seenKey = true;
  }
  return true;
}

/**
 * Counters hold whole units so that sums stay exact (Redis INCRBY refuses fractions). A fractional
 * estimate is rounded up: holding a little more than asked is the safe side of a budget.
 */
export function wholeUnits(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${value}`);
  return Math.ceil(value);
}

/** The request with whole-unit amounts; throws RangeError for negative or non-finite ones. */
export function normaliseRequest(request: ReservationRequest): ReservationRequest {
  const tokens = wholeUnits(request.tokens, 'tokens');
  const costMicros = wholeUnits(request.costMicros, 'costMicros');
  if (tokens === request.tokens && costMicros === request.costMicros) return request;
  return { ...request, tokens, costMicros };
}

/**
 * The actual usage in whole units. A value that is not a finite number >= 0 is unknown, and an
 * unknown usage is charged as what was held, never as free.
 */
export function normaliseActual(actual: { tokens: number; costMicros: number }, reserved: ReservationRequest): { tokens: number; costMicros: number } {
  const valid = (value: number): boolean => Number.isFinite(value) && value >= 0;
  return {
    tokens: valid(actual.tokens) ? Math.ceil(actual.tokens) : reserved.tokens,
    costMicros: valid(actual.costMicros) ? Math.ceil(actual.costMicros) : reserved.costMicros,
  };
}

/**
 * Asks the ledger what a scope spent in a period, as whole units, failing with
 * LimiterUnavailableError (fail closed) when it cannot be read. Callers cache the promise.
 */
export function fetchBaseline(baseline: BudgetBaseline, scope: LimitScope, period: 'day' | 'month', id: string): Promise<ActualUsage> {
  const what = `usage baseline of ${scope.kind} ${scope.id} for ${period} ${id}`;
  return Promise.resolve()
    .then(() => baseline(scope.kind, scope.id, { kind: period, id }))
    .then((spent) => ({ tokens: wholeUnits(spent.tokens, `${what}: tokens`), costMicros: wholeUnits(spent.costMicros, `${what}: costMicros`) }))
    .catch((error: unknown) => {
      throw new LimiterUnavailableError(`${what} could not be read`, { cause: error });
    });
}
