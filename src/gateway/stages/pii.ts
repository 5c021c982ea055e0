/**
 * Stage "pii": finds the personal data a request carries (once, whatever the number of attempts)
 * and decides, for each candidate back end, what it may receive under the tenant's policy and the
 * back end's floor. Candidates whose mode is `block` are dropped when the request carries personal
 * data, as are candidates that would need to change a prompt given as token ids; when none is
 * left the request stops here with nothing sent. Free when every candidate's mode is `off`.
 */
import { scan } from '../../pii/scanner.js';
import type { Entity } from '../../pii/entity-types.js';
import type { PseudonymScope } from '../../pii/operations.js';
import { NaraError } from '../../spec/errors.js';
import type { PiiMode, PiiPolicy } from '../../spec/pii-policy.js';
import { piiModeFor, stricterMode } from '../../policy/pii-policy.js';
import { pass, stop, type Verdict } from '../../spec/stage.js';
import type { TenantConfig } from '../../config/types.js';
import type { Candidate } from '../routing-table.js';
import type { ParsedRequest } from './parse-request.js';
import { formatCounts, PiiPlan } from '../pii/pii-plan.js';
import { requestTexts } from '../pii/request-texts.js';

export interface PiiDecision {
  readonly candidates: readonly Candidate[];
  /** Undefined when every candidate's mode is off: nothing was scanned. */
  readonly plan: PiiPlan | undefined;
}

export function applyPiiPolicy(
  tenant: TenantConfig,
  model: string,
  candidates: readonly Candidate[],
  request: ParsedRequest,
  scopeFor: (tenant: TenantConfig) => () => PseudonymScope,
): Verdict<PiiDecision> & { readonly plan?: PiiPlan } {
  const policy = tenant.pii;
  // The common case, no policy anywhere, allocates nothing but the verdict.
  const modeOf = (candidate: Candidate) => piiModeFor(policy, tenant.homeJurisdiction, candidate.jurisdiction, candidate.slot.config.piiFloor);
  if (candidates.every((candidate) => modeOf(candidate) === 'off')) return pass({ candidates, plan: undefined });
  const modes = new Map<string, PiiMode>(candidates.map((candidate) => [candidate.id, modeOf(candidate)]));

  const { texts, tokenInput } = requestTexts(request);
  const entities = texts.map((text) => selected(text, policy));
  const plan = new PiiPlan({ policy, texts, entities, tokenInput, modes, scope: scopeFor(tenant) });

  const usable = candidates.filter((candidate) => {
    const mode = plan.modeFor(candidate.id);
    if (mode === 'block' && plan.found > 0) return false;
    // Token ids cannot be read, so they cannot be redacted or pseudonymised, nor proven clean.
    return !(tokenInput && (mode === 'pseudonymise' || mode === 'redact' || mode === 'block'));
  });
  if (usable.length > 0) return pass({ candidates: usable, plan });

  // A refusal keeps the plan too, so the request's record still counts what it carried.
  if (plan.found > 0) {
    return withPlan(plan, stop(
      new NaraError(
        'pii_detected',
        `The request contains personal data (${formatCounts(plan.counts)}) and tenant '${tenant.id}' may not send it to any back end serving model '${model}'. Nothing was sent; remove the data or ask the operator to change the tenant's pii policy.`,
        { detail: { types: Object.keys(plan.counts).sort().join(','), tenant: tenant.id } },
      ),
    ));
  }
  return withPlan(plan, stop(
    new NaraError(
      'pii_input_not_inspectable',
      `The prompt is given as token ids, which Nara cannot check for personal data, and tenant '${tenant.id}''s pii policy requires checking it before any back end serving model '${model}'. Send the prompt as text.`,
      { param: 'messages' in request ? 'messages' : 'prompt' in request ? 'prompt' : 'input', detail: { tenant: tenant.id } },
    ),
  ));
}

function withPlan(plan: PiiPlan, verdict: Verdict<PiiDecision>): Verdict<PiiDecision> & { readonly plan: PiiPlan } {
  return { ...verdict, plan };
}

/** The entities of `text` the policy acts on. */
function selected(text: string, policy: PiiPolicy): Entity[] {
  if (text.length === 0) return [];
  const kept: Entity[] = [];
  let cursor = 0;
  // scan() gives entities in text order without overlaps; filtering keeps that.
  for (const entity of scan(text)) {
    if (entity.score < policy.minScore || entity.start < cursor) continue;
    if (policy.entities !== undefined && !policy.entities.has(entity.type)) continue;
    kept.push(entity);
    cursor = entity.end;
  }
  return kept;
}

/**
 * Whether the tenant's policy as configured now asks more for `candidate` than the plan made before
 * routing did (a reload tightened it while the request was failing over): the router then skips
 * the candidate rather than send what the old policy allowed.
 */
export function piiTightened(plan: PiiPlan | undefined, tenantNow: TenantConfig, candidate: Candidate): boolean {
  const now = piiModeFor(tenantNow.pii, tenantNow.homeJurisdiction, candidate.jurisdiction, candidate.slot.config.piiFloor);
  const planned = plan?.modeFor(candidate.id) ?? 'off';
  return stricterMode(now, planned) !== planned;
}

