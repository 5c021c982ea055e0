/**
 * Asking the tenant's guard model about a prompt or an answer. The guard call carries the user's
 * text, so it goes only to the guard model's back ends in the tenant's jurisdictions (the same
 * residency stage as any model call) and, when the request carries personal data, in the form the
 * tenant's pii policy allows for that back end (pseudonymised or redacted; never to a `block`
 * back end). Any failure — no allowed back end, an error, a timeout, an answer in the wrong format —
 * is returned as a failure with its reason, for the policy to fail closed or open on.
 */
import { NaraError } from '../../spec/errors.js';
import { completionTextOf } from '../token-estimator.js';
import { readGuardOutput } from '../../safety/guard-output.js';
import type { Hazard } from '../../safety/hazards.js';
import type { GuardSettings } from '../../safety/safety-policy.js';
import { piiModeFor } from '../../policy/pii-policy.js';
import type { TenantConfig } from '../../config/types.js';
import type { RoutingTable } from '../routing-table.js';
import { applyResidency } from '../stages/residency.js';
import type { PiiPlan } from '../pii/pii-plan.js';
import type { ParsedRequest } from '../stages/parse-request.js';
import { requestTexts } from '../pii/request-texts.js';

export type GuardOutcome =
  | { readonly ok: true; readonly safe: boolean; readonly hazards: readonly Hazard[]; readonly ms: number; readonly backend: string }
  | { readonly ok: false; readonly reason: string; readonly ms: number };

export interface GuardQuestion {
  /** The prompt's texts, or the prompt and the answer (an answer check). */
  readonly request: ParsedRequest;
  readonly answer?: string | undefined;
  readonly pii: PiiPlan | undefined;
  readonly requestId: string;
  /** Cancels the call (the client left, or the answer no longer needs it). */
  readonly signal?: AbortSignal | undefined;
}

export async function askGuard(table: RoutingTable, tenant: TenantConfig, settings: GuardSettings, question: GuardQuestion): Promise<GuardOutcome> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  const residency = applyResidency(settings.model, tenant, table);
  if (!residency.ok) return { ok: false, reason: `no back end of guard model ${settings.model} in tenant ${tenant.id}'s jurisdictions`, ms: elapsed() };
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = question.signal === undefined ? timeout : AbortSignal.any([timeout, question.signal]);
  const reasons: string[] = [];
  for (const candidate of residency.value.candidates) {
    if (!candidate.slot.available) {
      reasons.push(`${candidate.id} unavailable`);
      continue;
    }
    const mode = piiModeFor(tenant.pii, tenant.homeJurisdiction, candidate.jurisdiction, candidate.slot.config.piiFloor);
    const plan = question.pii;
    if (plan !== undefined && plan.found > 0 && mode === 'block') {
      reasons.push(`${candidate.id} may not receive this request's personal data`);
      continue;
    }
    const prepared = plan === undefined ? question.request : plan.preparedFor(mode, question.request);
    const prompt = requestTexts(prepared).texts.join('\n');
    const messages = question.answer === undefined ? [{ role: 'user', content: prompt }] : [{ role: 'user', content: prompt }, { role: 'assistant', content: question.answer }];
    try {
      const result = await candidate.slot.engine.doGenerate('chat', { model: candidate.upstreamModel, messages, max_tokens: 32, temperature: 0 }, { signal, requestId: question.requestId });
      const reading = readGuardOutput(settings.format, completionTextOf(JSON.parse(result.body)), { controversialIsUnsafe: settings.controversialIsUnsafe });
      if (!reading.ok) return { ok: false, reason: `guard ${candidate.id}: ${reading.reason}`, ms: elapsed() };
      return { ok: true, safe: reading.safe, hazards: reading.hazards, ms: elapsed(), backend: candidate.id };
    } catch (error) {
      if (timeout.aborted) return { ok: false, reason: `guard model ${settings.model} did not answer within ${settings.timeoutMs} ms`, ms: elapsed() };
      if (question.signal?.aborted === true) return { ok: false, reason: 'cancelled', ms: elapsed() };
      // The error's code only: an engine's message may quote the text it was given.
      reasons.push(`${candidate.id}: ${error instanceof NaraError ? error.code : 'failed'}`);
    }
  }
  return { ok: false, reason: `guard model ${settings.model} failed (${reasons.join('; ') || 'no back end'})`, ms: elapsed() };
}

