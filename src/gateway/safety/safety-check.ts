/**
 * The safety checks of one request, as the gateway runs them: the prompt before any back end sees
 * it (term lists and tenant rules at once, then the guard model), the whole answer of a JSON
 * response, and — through `AnswerModeration` — a streamed answer as it arrives. Each check gives a
 * decision the gateway acts on and records (hazards and actions, never the flagged text); the
 * shadow rule set, when there is one, is decided beside it and only recorded.
 */
import { NaraError } from '../../spec/errors.js';
import type { TenantConfig } from '../../config/types.js';
import { decide, localFindings, type Direction, type Finding, type SafetyDecision } from '../../safety/moderation.js';
import { blockedMessage, unavailableMessage } from '../../safety/messages.js';
import type { Hazard } from '../../safety/hazards.js';
import { actionRank, type SafetyPolicy } from '../../safety/safety-policy.js';
import type { RoutingTable } from '../routing-table.js';
import type { PiiPlan } from '../pii/pii-plan.js';
import type { ParsedRequest } from '../stages/parse-request.js';
import { requestTexts } from '../pii/request-texts.js';
import { askGuard, type GuardOutcome } from './guard-call.js';

/** An unsafe guard verdict that names no category (Qwen3Guard's Jailbreak) still needs a hazard. */
export const unspecifiedHazard: Hazard = 'custom:unspecified';

export interface SafetyCheck {
  readonly decision: SafetyDecision;
  readonly guard?: GuardOutcome | undefined;
  /** The guard failed and the policy fails open: let through, recorded. */
  readonly failedOpen?: boolean;
  readonly shadow?: SafetyDecision | undefined;
}

export interface SafetyRecord {
  /** Strictest action taken across the request's checks. */
  action: SafetyDecision['action'];
  hazards: Set<Hazard>;
  guardMs: number | undefined;
  shadowHazards: Set<Hazard>;
  failedOpen: boolean;
}

export function newSafetyRecord(): SafetyRecord {
  return { action: 'off', hazards: new Set(), guardMs: undefined, shadowHazards: new Set(), failedOpen: false };
}

export function noteCheck(record: SafetyRecord, check: SafetyCheck): void {
  if (actionRank[check.decision.action] > actionRank[record.action]) record.action = check.decision.action;
  for (const hazard of check.decision.hazards) record.hazards.add(hazard);
  for (const hazard of check.shadow?.hazards ?? []) record.shadowHazards.add(hazard);
  if (check.guard !== undefined) record.guardMs = (record.guardMs ?? 0) + check.guard.ms;
  if (check.failedOpen === true) record.failedOpen = true;
}

export interface CheckInput {
  readonly table: RoutingTable;
  readonly tenant: TenantConfig;
  readonly request: ParsedRequest;
  readonly pii: PiiPlan | undefined;
  readonly requestId: string;
  readonly signal?: AbortSignal | undefined;
}

/** The local checks of the prompt: immediate, no back end involved. */
export function checkPromptLocally(policy: SafetyPolicy, request: ParsedRequest): { decision: SafetyDecision; shadow: SafetyDecision | undefined; findings: Finding[] } {
  const texts = requestTexts(request).texts;
  const findings = texts.flatMap((text) => localFindings(text, policy, 'input'));
  const shadow = policy.shadow === null ? undefined : decide(texts.flatMap((text) => localFindings(text, policy.shadow as NonNullable<SafetyPolicy['shadow']>, 'input')), policy.shadow);
  return { decision: decide(findings, policy), shadow, findings };
}

/** Adds the guard model's verdict (when the policy has one for this direction) to local findings. */
export async function withGuard(policy: SafetyPolicy, direction: Direction, findings: readonly Finding[], input: CheckInput, answer?: string): Promise<SafetyCheck> {
  const settings = policy.guard;
  if (settings === null || !(direction === 'input' ? settings.input : settings.output)) return { decision: decide(findings, policy) };
  const guard = await askGuard(input.table, input.tenant, settings, { request: input.request, answer, pii: input.pii, requestId: input.requestId, signal: input.signal });
  return judgeGuard(policy, findings, guard, input.tenant.id);
}

/** Local findings with a guard model's outcome: its hazards added, or its failure failed open or closed. */
export function judgeGuard(policy: SafetyPolicy, findings: readonly Finding[], guard: GuardOutcome, tenantId: string): SafetyCheck {
  if (!guard.ok) {
    if (policy.onGuardFailure === 'fail-open') return { decision: decide(findings, policy), guard, failedOpen: true };
    // The reason names back ends and error codes, never text (the guard's output and engines' messages are not quoted).
    throw new NaraError('safety_unavailable', `${unavailableMessage(policy.messages, policy.language)} (${guard.reason})`, { detail: { tenant: tenantId, reason: guard.reason } });
  }
  const guardFindings: Finding[] = guard.safe ? [] : (guard.hazards.length > 0 ? guard.hazards : [unspecifiedHazard]).map((hazard) => ({ hazard, source: 'guard' as const }));
  return { decision: decide([...findings, ...guardFindings], policy), guard };
}

/** The error a refusal is answered with: the hazard in the tenant's language, never the text. */
export function blockedError(policy: SafetyPolicy, decision: SafetyDecision, direction: Direction): NaraError {
  const hazard = decision.decidedBy ?? decision.hazards[0] ?? unspecifiedHazard;
  return new NaraError('safety_blocked', blockedMessage(policy.messages, policy.language, hazard, direction), { detail: { hazard, where: direction } });
}

/** A decision about a prompt: a prompt is refused rather than sent with holes (redact applies to answers). */
export function promptDecision(decision: SafetyDecision): SafetyDecision {
  return decision.action === 'redact' ? { ...decision, action: 'block' } : decision;
}

/** The prompt's full check: local first (a local block needs no guard call), then the guard model. */
export async function checkPrompt(input: CheckInput): Promise<SafetyCheck> {
  const policy = input.tenant.safety;
  const local = checkPromptLocally(policy, input.request);
  const decided = promptDecision(local.decision);
  // Without a guard model for prompts, the local decision is the decision.
  if (decided.action === 'block' || policy.guard?.input !== true) return { decision: decided, shadow: local.shadow };
  const checked = await withGuard(policy, 'input', local.findings, input);
  return { ...checked, decision: promptDecision(checked.decision), shadow: local.shadow };
}
