/**
 * Stage "admit": rate limits, concurrency caps and budgets of the tenant and the key, checked and
 * reserved in one atomic step before any engine is called. The reservation holds the most the
 * request may use (its prompt, estimated, plus its max_tokens) and is settled with the real usage
 * when the request ends (see metering.ts), so that 200 concurrent requests against a budget with
 * room for 10 let through at most 10.
 */
import type { TenantConfig } from '../../config/types.js';
import type { Principal } from '../../spec/auth.js';
import { NaraError } from '../../spec/errors.js';
import { isBudget, LimiterUnavailableError, type LimitDenial, type LimitKind, type Limiter, type LimitScope, type Reservation, type ReservationOutcome, type ReservationRequest } from '../../spec/limits.js';
import { pass, stop, type Verdict } from '../../spec/stage.js';
import { definedLimits } from '../../limits/windows.js';
import type { Candidate } from '../routing-table.js';
import { countPromptTokens, promptTextsOf } from '../token-estimator.js';

export interface AdmitSettings {
  /** Limit kinds ("budgets" for all four budgets) that let requests through when the limiter is down. */
  readonly failOpen: ReadonlySet<string>;
  /** Completion tokens held for a request that sets no max_tokens. */
  readonly defaultMaxTokens: number;
}

export type Admission =
  | { readonly kind: 'unlimited' }
  | { readonly kind: 'reserved'; readonly reservation: Reservation }
  | { readonly kind: 'fail-open' };

export function limitScopes(tenant: TenantConfig, principal: Principal): LimitScope[] {
  const scopes: LimitScope[] = [];
  if (definedLimits(tenant.limits).length > 0) scopes.push({ kind: 'tenant', id: tenant.id, limits: tenant.limits });
  if (principal.keyLimits !== undefined) scopes.push({ kind: 'key', id: principal.keyId, limits: principal.keyLimits });
  return scopes;
}

/** What to reserve: tokens at most, and the cost of that at the dearest candidate priced in the budget's currency. */
export function reservationRequest(
  requestId: string,
  scopes: readonly LimitScope[],
  request: Record<string, unknown>,
  isChat: boolean,
  isEmbedding: boolean,
  candidates: readonly Candidate[],
  budgetCurrency: string | undefined,
  defaultMaxTokens: number,
): ReservationRequest {
  const promptTokens = countPromptTokens(promptTextsOf(request), isChat);
  const completionTokens = isEmbedding ? 0 : maxCompletionTokens(request) ?? defaultMaxTokens;
  let costMicros = 0;
  for (const candidate of candidates) {
    const price = candidate.slot.config.cost;
    if (price.currency !== budgetCurrency) continue;
    costMicros = Math.max(costMicros, Math.ceil(promptTokens * price.inputPer1M + completionTokens * price.outputPer1M));
  }
  return { requestId, scopes, tokens: promptTokens + completionTokens, costMicros };
}

/** The verdict at once when the limiter can give it without waiting; undefined: use `admit`. */
export function admitNow(limiter: Limiter, request: ReservationRequest, currency: string | undefined): Verdict<Admission> | undefined {
  let outcome: ReservationOutcome | undefined;
  try {
    outcome = limiter.reserveNow?.(request);
  } catch (error) {
    // An unavailable limiter is judged by `admit`, which knows about failing open.
    if (error instanceof LimiterUnavailableError) return undefined;
    throw error;
  }
  return outcome === undefined ? undefined : verdictOf(outcome, currency);
}

function verdictOf(outcome: ReservationOutcome, currency: string | undefined): Verdict<Admission> {
  if (outcome.ok) return pass({ kind: 'reserved', reservation: outcome.reservation });
  return stop(denialError(outcome.denial, currency));
}

export async function admit(limiter: Limiter, request: ReservationRequest, settings: AdmitSettings, currency: string | undefined): Promise<Verdict<Admission>> {
  try {
    return verdictOf(await limiter.reserve(request), currency);
  } catch (error) {
    if (!(error instanceof LimiterUnavailableError)) throw error;
    const kinds = request.scopes.flatMap((scope) => (Object.keys(scope.limits) as LimitKind[]).filter((kind) => scope.limits[kind] !== undefined));
    if (kinds.every((kind) => settings.failOpen.has(isBudget(kind) ? 'budgets' : kind))) return pass({ kind: 'fail-open' });
    const closed = [...new Set(kinds.filter((kind) => !settings.failOpen.has(isBudget(kind) ? 'budgets' : kind)))].join(', ');
    return stop(
      new NaraError('limits_unavailable', `Limits (${closed}) cannot be checked because the limit store is unreachable; the request was not sent. Retry shortly.`, {
        retryAfterSeconds: 1,
        cause: error,
      }),
    );
  }
}

const codes: Record<LimitKind, 'requests_per_minute_exceeded' | 'tokens_per_minute_exceeded' | 'concurrent_requests_exceeded' | 'token_budget_exceeded' | 'cost_budget_exceeded'> = {
  requestsPerMinute: 'requests_per_minute_exceeded',
  tokensPerMinute: 'tokens_per_minute_exceeded',
  concurrentRequests: 'concurrent_requests_exceeded',
  tokensPerDay: 'token_budget_exceeded',
  tokensPerMonth: 'token_budget_exceeded',
  costMicrosPerDay: 'cost_budget_exceeded',
  costMicrosPerMonth: 'cost_budget_exceeded',
};

const describe: Record<LimitKind, (limit: number, requested: number, used: number, money: (micros: number) => string) => string> = {
  requestsPerMinute: (limit) => `its limit of ${limit} requests per minute`,
  tokensPerMinute: (limit, requested, used) => `its limit of ${limit} tokens per minute (${used} used or held this minute; this request may use ${requested})`,
  concurrentRequests: (limit) => `its limit of ${limit} concurrent requests`,
  tokensPerDay: (limit, requested, used) => `its daily budget of ${limit} tokens (${used} spent or held today; this request may use ${requested})`,
  tokensPerMonth: (limit, requested, used) => `its monthly budget of ${limit} tokens (${used} spent or held this month; this request may use ${requested})`,
  costMicrosPerDay: (limit, requested, used, amount) => `its daily spending budget of ${amount(limit)} (${amount(used)} spent or held today; this request may cost ${amount(requested)})`,
  costMicrosPerMonth: (limit, requested, used, amount) => `its monthly spending budget of ${amount(limit)} (${amount(used)} spent or held this month; this request may cost ${amount(requested)})`,
};

export function denialError(denial: LimitDenial, currency?: string): NaraError {
  const who = denial.scope === 'tenant' ? `Tenant '${denial.scopeId}'` : `API key ${denial.scopeId}`;
  const amount = (micros: number) => `${money(micros)}${currency === undefined ? '' : ` ${currency}`}`;
  const what = describe[denial.kind](denial.limit, denial.requested, denial.used, amount);
  const hopeless = denial.requested > denial.limit;
  const hint = hopeless
    ? 'This request alone asks for more than the whole limit, so waiting will not help: lower max_tokens or shorten the prompt.'
    : isBudget(denial.kind)
      ? 'Ask your administrator to raise the budget, or wait for the next period.'
      : `Retry after ${denial.retryAfterSeconds} s.`;
  return new NaraError(codes[denial.kind], `${who} reached ${what}. ${hint}`, {
    // No Retry-After for a request that can never fit: it would only invite the same request again.
    retryAfterSeconds: hopeless ? undefined : denial.retryAfterSeconds,
    detail: { limit: denial.kind, scope: denial.scope },
  });
}

function maxCompletionTokens(request: Record<string, unknown>): number | undefined {
  const value = request.max_completion_tokens ?? request.max_tokens;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function money(micros: number): string {
  return (micros / 1e6).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}
