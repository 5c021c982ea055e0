/**
 * Which PII mode applies to one back end for one tenant: the tenant's policy (defaults merged with
 * its own fields), chosen by where the back end is, and raised to the back end's own floor.
 */
import type { PiiMode, PiiPolicy, PiiPolicyInput } from '../spec/pii-policy.js';

/**
 * Strictness order: when a tenant's policy and a back end's floor disagree, the stricter wins.
 * Surrogates are not personal data, so pseudonymising protects as well as redacting towards the
 * engine; redact ranks above it because it also keeps the values out of the answer's path.
 */
const strictness: Readonly<Record<PiiMode, number>> = { off: 0, detect: 1, pseudonymise: 2, redact: 3, block: 4 };

export function stricterMode(a: PiiMode, b: PiiMode): PiiMode {
  return strictness[a] >= strictness[b] ? a : b;
}

/** `base` with the fields `override` sets. */
export function mergePiiPolicy(base: PiiPolicy, override: PiiPolicyInput | undefined): PiiPolicy {
  if (override === undefined) return base;
  return {
    mode: override.mode ?? base.mode,
    outsideHome: override.outsideHome ?? base.outsideHome,
    entities: override.entities === undefined ? base.entities : new Set(override.entities),
    minScore: override.minScore ?? base.minScore,
    answers: override.answers ?? base.answers,
    surrogates: override.surrogates ?? base.surrogates,
    scope: override.scope ?? base.scope,
    scopeTtlMs: override.scopeTtlSeconds === undefined ? base.scopeTtlMs : override.scopeTtlSeconds * 1000,
  };
}

/**
 * The mode for one back end: the tenant's mode for where the back end is (home or abroad), raised
 * to the back end's own floor.
 */
export function piiModeFor(policy: PiiPolicy, homeJurisdiction: string | undefined, backendJurisdiction: string, backendFloor: PiiMode): PiiMode {
  const abroad = policy.outsideHome !== undefined && homeJurisdiction !== backendJurisdiction;
  return stricterMode(abroad ? (policy.outsideHome as PiiMode) : policy.mode, backendFloor);
}
