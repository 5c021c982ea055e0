/**
 * What an operator can ask Nara to do with personal data in a request, per tenant and per back end.
 * The policy travels as data (nara.yaml, the admin API, the directory store); the gateway's "pii"
 * stage applies it with the scanner in src/pii.
 */

/**
 * What happens to personal data in a request before it reaches a back end:
 * - `off`: nothing is scanned;
 * - `detect`: scanned and counted by type, sent unchanged;
 * - `pseudonymise`: replaced by consistent surrogates, restored in the answer;
 * - `redact`: replaced by a typed placeholder (`[KR_RRN]`), for good;
 * - `block`: not sent at all (400 `pii_detected` when no allowed back end would take it).
 */
export const piiModes = ['off', 'detect', 'pseudonymise', 'redact', 'block'] as const;
export type PiiMode = (typeof piiModes)[number];

/** What happens to personal data the model writes in its answer (values the request carried stay). */
export const piiAnswerModes = ['off', 'detect', 'redact'] as const;
export type PiiAnswerMode = (typeof piiAnswerModes)[number];

/** A policy as written: every field optional, so a tenant's policy can override the defaults field by field. */
export interface PiiPolicyInput {
  /** For every back end, or for back ends in the tenant's home jurisdiction when `outsideHome` is set. */
  readonly mode?: PiiMode | undefined;
  /** For back ends outside the tenant's home jurisdiction (all of them when the tenant names no home). */
  readonly outsideHome?: PiiMode | undefined;
  /** Entity types the policy acts on (e.g. KR_RRN, PHONE); absent means all. */
  readonly entities?: readonly string[] | undefined;
  /** Entities the scanner scored below this are left alone. */
  readonly minScore?: number | undefined;
  readonly answers?: PiiAnswerMode | undefined;
  /** Surrogates that look and validate like the original, or opaque tokens such as ⟨KR_RRN_1⟩. */
  readonly surrogates?: 'format-preserving' | 'tokens' | undefined;
  /** Whether surrogates are remembered per request or per tenant (across requests, for `scopeTtlSeconds`). */
  readonly scope?: 'request' | 'tenant' | undefined;
  readonly scopeTtlSeconds?: number | undefined;
}

/** A policy with every default filled in: what the gateway reads. */
export interface PiiPolicy {
  readonly mode: PiiMode;
  readonly outsideHome: PiiMode | undefined;
  readonly entities: ReadonlySet<string> | undefined;
  readonly minScore: number;
  readonly answers: PiiAnswerMode;
  readonly surrogates: 'format-preserving' | 'tokens';
  readonly scope: 'request' | 'tenant';
  readonly scopeTtlMs: number;
}

export const defaultPiiPolicy: PiiPolicy = {
  mode: 'off',
  outsideHome: undefined,
  entities: undefined,
  minScore: 0.5,
  answers: 'detect',
  surrogates: 'format-preserving',
  scope: 'request',
  scopeTtlMs: 3_600_000,
};
