/**
 * Turns the `safety` blocks of nara.yaml into the compiled policy each tenant carries: the top level
 * with the tenant's fields over it (categories and rules added to the top level's), term lists
 * indexed once per set of languages, rules compiled. The default is `monitor` with the term lists:
 * every prompt and answer is checked and what is found is recorded; nothing is refused until an
 * operator says so.
 */
import type { Hazard } from '../safety/hazards.js';
import type { SafetyMessages } from '../safety/messages.js';
import type { GuardSettings, SafetyPolicy, SafetyRuleSet } from '../safety/safety-policy.js';
import { compileRule, type CompiledRule } from '../safety/tenant-rules.js';
import { safetyLanguages, type SafetyPolicyInput, type SafetyRuleSetInput } from './safety-schema.js';
import { termIndexFor } from './safety-data.js';

export function compileSafetyPolicy(defaults: SafetyPolicyInput, tenant: SafetyPolicyInput | undefined, messages: SafetyMessages): SafetyPolicy {
  const merged = mergeRuleSets(defaults, tenant);
  const set = compileRuleSet(merged);
  const guardInput = tenant?.guard ?? defaults.guard;
  const guard: GuardSettings | null =
    guardInput === undefined
      ? null
      : {
          model: guardInput.model,
          format: guardInput.format,
          input: guardInput.input ?? true,
          output: guardInput.output ?? true,
          timeoutMs: guardInput.timeoutMs ?? 3000,
          controversialIsUnsafe: (guardInput.controversial ?? 'unsafe') === 'unsafe',
          streamEveryChars: guardInput.streamEveryChars ?? 400,
        };
  const shadowInput = tenant?.shadow ?? defaults.shadow;
  const enabled = set.defaultAction !== 'off' || [...set.actions.values()].some((action) => action !== 'off');
  return {
    ...set,
    enabled,
    guard: enabled ? guard : null,
    onGuardFailure: tenant?.onGuardFailure ?? defaults.onGuardFailure ?? 'fail-closed',
    parallel: tenant?.parallel ?? defaults.parallel ?? false,
    language: tenant?.language ?? defaults.language ?? 'en',
    shadow: shadowInput === undefined ? null : compileRuleSet(shadowInput),
    messages,
  };
}

function mergeRuleSets(defaults: SafetyRuleSetInput, tenant: SafetyRuleSetInput | undefined): SafetyRuleSetInput {
  if (tenant === undefined) return defaults;
  return {
    mode: tenant.mode ?? defaults.mode,
    categories: { ...defaults.categories, ...tenant.categories },
    prefilter: { ...defaults.prefilter, ...tenant.prefilter },
    rules: [...(defaults.rules ?? []), ...(tenant.rules ?? [])],
  };
}

function compileRuleSet(input: SafetyRuleSetInput): SafetyRuleSet {
  const prefilterOn = input.prefilter?.enabled ?? true;
  const rules: CompiledRule[] = (input.rules ?? []).map((source) => {
    const compiled = compileRule({ ...source, hazard: source.hazard as Hazard });
    // The schema refused rules that do not compile, so this cannot happen after parsing.
    if (!compiled.ok) throw new Error(`safety rule ${source.id}: ${compiled.reason}`);
    return compiled.rule;
  });
  return {
    defaultAction: input.mode ?? 'monitor',
    actions: new Map(Object.entries(input.categories ?? {}).map(([hazard, action]) => [hazard as Hazard, action])),
    terms: prefilterOn ? termIndexFor(input.prefilter?.languages ?? safetyLanguages) : null,
    minSeverity: input.prefilter?.minSeverity ?? 'medium',
    rules,
  };
}
