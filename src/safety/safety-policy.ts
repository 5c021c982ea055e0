/**
 * A tenant's safety policy as the gateway applies it (parsed and compiled once from nara.yaml by
 * src/config): what to do for each hazard, which local checks run, which guard model is asked, and
 * what happens when it cannot answer.
 */
import type { GuardFormat } from './guard-output.js';
import { englishMessages, type SafetyMessages } from './messages.js';
import type { Hazard } from './hazards.js';
import type { CompiledRule } from './tenant-rules.js';
import type { Severity, TermIndex } from './term-index.js';

/** off: not checked · monitor: recorded only · redact: the flagged text replaced · block: refused. */
export type SafetyAction = 'off' | 'monitor' | 'redact' | 'block';

export const actionRank: Readonly<Record<SafetyAction, number>> = { off: 0, monitor: 1, redact: 2, block: 3 };

export interface GuardSettings {
  /** A model of the routing table; its back ends obey the tenant's jurisdictions like any model. */
  readonly model: string;
  readonly format: GuardFormat;
  readonly input: boolean;
  readonly output: boolean;
  readonly timeoutMs: number;
  readonly controversialIsUnsafe: boolean;
  /** While streaming, the answer so far is sent to the guard each time this many more characters arrived. */
  readonly streamEveryChars: number;
}

/** The checks and actions of one rule set: the enforced one, or a shadow one being tried out. */
export interface SafetyRuleSet {
  readonly defaultAction: SafetyAction;
  readonly actions: ReadonlyMap<Hazard, SafetyAction>;
  /** Null when the term prefilter is off. */
  readonly terms: TermIndex | null;
  readonly minSeverity: Severity;
  readonly rules: readonly CompiledRule[];
}

export interface SafetyPolicy extends SafetyRuleSet {
  readonly enabled: boolean;
  readonly guard: GuardSettings | null;
  /** A guard model that is down, slow or unreadable: refuse (fail-closed) or let through (fail-open). Always recorded. */
  readonly onGuardFailure: 'fail-closed' | 'fail-open';
  /** Start generating while the input guard model runs; cancel the answer if it says unsafe. */
  readonly parallel: boolean;
  /** Language of the messages users see (ko, th, id, vi, tl, ar, en). */
  readonly language: string;
  /** Evaluated and recorded on every request, never enforced. */
  readonly shadow: SafetyRuleSet | null;
  /** What users are told, by language. */
  readonly messages: SafetyMessages;
}

export function actionFor(set: SafetyRuleSet, hazard: Hazard): SafetyAction {
  return set.actions.get(hazard) ?? set.defaultAction;
}

export const disabledSafetyPolicy: SafetyPolicy = {
  enabled: false,
  defaultAction: 'off',
  actions: new Map(),
  terms: null,
  minSeverity: 'medium',
  rules: [],
  guard: null,
  onGuardFailure: 'fail-closed',
  parallel: false,
  language: 'en',
  shadow: null,
  messages: { en: englishMessages },
};
