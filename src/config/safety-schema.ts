/**
 * The `safety` blocks of nara.yaml: defaults for every tenant at the top level and a tenant's own
 * overrides (fields it leaves out come from the top level; its categories and rules are added to
 * the top level's). Rules are compiled while the file is checked, so a refused regular expression
 * is a configuration error naming its place.
 */
import { z } from 'zod';
import { hazardIds, isHazard } from '../safety/hazards.js';
import { compileRule } from '../safety/tenant-rules.js';

export const safetyActions = ['off', 'monitor', 'redact', 'block'] as const;
export const safetyLanguages = ['ko', 'th', 'id', 'vi', 'tl', 'ar', 'en'] as const;

const action = z.enum(safetyActions);
const hazard = z.string().refine(isHazard, { message: `a hazard is one of ${hazardIds.join(', ')}, or custom:<name> (lower-case letters, digits, - and _)` });

const rule = z
  .object({
    id: z.string().min(1).max(64).describe('Name of the rule, shown in the audit trail and metrics.'),
    hazard: hazard.describe('The hazard it flags: a standard one or custom:<name>.'),
    where: z.enum(['input', 'output', 'both']).optional().describe('Check prompts, answers or both (default both).'),
    pattern: z.string().optional().describe('A regular expression (JavaScript syntax, no nested repetition or back-references).'),
    flags: z.string().optional().describe('Its flags: i, m, s, u (default iu).'),
    keywords: z.array(z.string().min(1)).optional().describe('Words or phrases, matched like the term lists (spacing and look-alike tricks included).'),
    maxChars: z.number().int().positive().optional().describe('Flag texts longer than this many characters.'),
  })
  .strict()
  .superRefine((value, context) => {
    const compiled = compileRule({ ...value, hazard: value.hazard as never });
    if (!compiled.ok) context.addIssue({ code: 'custom', message: compiled.reason });
  });

const prefilter = z
  .object({
    enabled: z.boolean().optional().describe('Match the built-in term lists (default true).'),
    minSeverity: z.enum(['low', 'medium', 'high']).optional().describe('Ignore terms below this severity (default medium).'),
    languages: z.array(z.enum(safetyLanguages)).min(1).optional().describe('Term lists to use (default all: ko, th, id, vi, tl, ar, en).'),
  })
  .strict();

const guard = z
  .object({
    model: z.string().min(1).describe('The guard model, served by a configured back end; its calls obey the tenant\'s jurisdictions and pii policy.'),
    format: z.enum(['llama-guard', 'qwen3guard']).describe('How its answers read: Llama Guard 3/4 or Qwen3Guard.'),
    input: z.boolean().optional().describe('Check prompts (default true).'),
    output: z.boolean().optional().describe('Check answers (default true).'),
    timeoutMs: z.number().int().positive().max(120_000).optional().describe('Longest wait for the guard (default 3000); past it the guard counts as failed.'),
    controversial: z.enum(['unsafe', 'safe']).optional().describe("Qwen3Guard's Controversial: unsafe (strict, default) or safe (loose)."),
    streamEveryChars: z.number().int().positive().optional().describe('While streaming, ask the guard about the answer so far every this many characters (default 400).'),
  })
  .strict();

const ruleSetFields = {
  mode: action.optional().describe('What to do about any hazard found: off | monitor | redact | block.'),
  categories: z
    .record(z.string(), action)
    .optional()
    .superRefine((value, context) => {
      for (const key of Object.keys(value ?? {})) if (!isHazard(key)) context.addIssue({ code: 'custom', path: [key], message: `unknown hazard ${JSON.stringify(key)}: use one of ${hazardIds.join(', ')}, or custom:<name>` });
    })
    .describe('Action per hazard, over mode (e.g. { cse: block, spc_fin: monitor }).'),
  prefilter: prefilter.optional(),
  rules: z.array(rule).optional().describe('Own rules: regular expressions, keyword lists, topic deny-lists, maximum lengths.'),
};

const policyFields = {
  ...ruleSetFields,
  guard: guard.optional().describe('A guard model asked about prompts and answers.'),
  onGuardFailure: z.enum(['fail-closed', 'fail-open']).optional().describe('When the guard model is down, slow or unreadable: refuse (default) or let through. Always recorded.'),
  parallel: z.boolean().optional().describe('Start generating while the input guard runs; cancel if it says unsafe (default false).'),
  language: z.enum(safetyLanguages).optional().describe('Language of the messages users see when refused (default en).'),
  shadow: z.object(ruleSetFields).strict().optional().describe('A rule set evaluated on every request and recorded, never enforced: for trying one out.'),
};

/** A tenant's safety policy (nara.yaml `tenants[].safety`). */
export const safetyPolicyInput = z.object(policyFields).strict();

/** Top-level `safety`: what every tenant starts from. */
export const safetyDefaultsInput = z.object(policyFields).strict().prefault({});

export type SafetyPolicyInput = z.infer<typeof safetyPolicyInput>;
export type SafetyRuleSetInput = z.infer<z.ZodObject<typeof ruleSetFields>>;
