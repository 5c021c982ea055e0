/**
 * What a request cost, and settling its reservation with the real usage. Costs are integers in
 * micro-units: prices are per million tokens, so tokens × price is already micro-units, and sums of
 * integers stay exact however many requests a ledger adds up.
 */
import type { BackendConfig } from '../config/types.js';
import type { ActualUsage, Limiter } from '../spec/limits.js';
import type { TokenUsage } from '../spec/openai.js';
import type { Admission } from './stages/admit.js';

/** Cached prompt tokens are billed at the input price (no engine we target discounts them yet). */
export function costMicros(usage: TokenUsage | undefined, price: BackendConfig['cost']): number {
  if (usage === undefined) return 0;
  return Math.round(usage.promptTokens * price.inputPer1M + usage.completionTokens * price.outputPer1M);
}

export function actualUsage(usage: TokenUsage | undefined, cost: number, countsAgainstBudget: boolean): ActualUsage {
  return {
    tokens: usage === undefined ? 0 : usage.promptTokens + usage.completionTokens,
    costMicros: countsAgainstBudget ? cost : 0,
  };
}

/**
 * Settles off the response path. A failure cannot be reported to anyone useful: the limiter
 * retries, and a concurrency lease it could not free expires on its own (see the limiters).
 */
export function settle(limiter: Limiter, admission: Admission | undefined, actual: ActualUsage): void {
  if (admission?.kind !== 'reserved') return;
  limiter.settle(admission.reservation, actual).catch(() => undefined);
}
