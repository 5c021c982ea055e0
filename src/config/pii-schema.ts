/**
 * The `pii` blocks of nara.yaml: defaults for every tenant at the top level, a tenant's own
 * overrides, and a back end's floor. Shared with the admin API, which accepts the tenant block.
 */
import { z } from 'zod';
import { entityTypes } from '../pii/entity-types.js';
import { piiAnswerModes, piiModes } from '../spec/pii-policy.js';

const mode = z.enum(piiModes);

const policyFields = {
  mode: mode
    .optional()
    .describe('off | detect | pseudonymise | redact | block: for every back end, or for back ends in the home jurisdiction when outsideHome is set.'),
  outsideHome: mode
    .optional()
    .describe("Mode for back ends outside the tenant's homeJurisdiction (all back ends when the tenant names none)."),
  entities: z
    .array(z.enum(entityTypes))
    .min(1, { message: 'list at least one entity type, or remove the field to act on all of them' })
    .optional()
    .describe('Entity types the policy acts on; absent means all.'),
  minScore: z.number().min(0).max(1).optional().describe('Entities scored below this are left alone (default 0.5).'),
  answers: z
    .enum(piiAnswerModes)
    .optional()
    .describe("off | detect | redact: personal data the model writes in its answer (default detect; values the request carried are never redacted)."),
  surrogates: z
    .enum(['format-preserving', 'tokens'])
    .optional()
    .describe('Pseudonyms that look and validate like the original (default), or opaque tokens like ⟨KR_RRN_1⟩.'),
  scope: z
    .enum(['request', 'tenant'])
    .optional()
    .describe('Remember surrogates per request (default) or per tenant across requests.'),
  scopeTtlSeconds: z
    .number()
    .int()
    .positive()
    .max(30 * 24 * 3600)
    .optional()
    .describe('With scope: tenant, how long an unused surrogate is remembered (default 3600).'),
};

/** A tenant's policy (nara.yaml `tenants[].pii`, the admin API): overrides the top-level defaults field by field. */
export const piiPolicyInput = z.object(policyFields).strict();

/** Top-level `pii`: the defaults every tenant starts from, and where tenant-scoped surrogate keys come from. */
export const piiDefaultsInput = z
  .object({
    ...policyFields,
    secretEnv: z
      .string()
      .min(1)
      .optional()
      .describe('Environment variable holding the key surrogates are derived from; set the same on every replica so they agree. Absent: a random key per process.'),
  })
  .strict()
  .prefault({});

/** A back end's floor: requests to it are handled at least this strictly, whatever the tenant says. */
export const backendPiiInput = z
  .object({ mode: mode.default('off').describe('Least PII handling for requests to this back end.') })
  .strict()
  .prefault({});
