/**
 * What the admin API and the CLI accept, as zod schemas, and the one translation of a zod failure
 * into `invalid_request` naming the field at fault. Unknown fields are refused (a misspelt
 * "jurisdiction" silently ignored would leave a tenant with a policy nobody meant).
 */
import { z } from 'zod';
import { closestName } from '../config/field-names.js';
import { NaraError } from '../spec/errors.js';
import { usageDimensions } from '../spec/usage.js';
import { limitsInput } from '../config/schema.js';
import { piiPolicyInput } from '../config/pii-schema.js';
import { tenantAuditInput } from '../config/audit-schema.js';
import { safetyPolicyInput } from '../config/safety-schema.js';
import { isJurisdiction } from '../policy/jurisdiction.js';

const tenantId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
  message: 'use 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
});

const jurisdiction = z
  .string()
  .refine((code) => isJurisdiction(code), { message: 'not an ISO 3166-1 alpha-2 country code; use one such as KR, TH, ID, VN, PH, SG, SA or AE' })
  .transform((code) => code.toUpperCase());

const currencies = new Set(Intl.supportedValuesOf('currency'));
const currency = z
  .string()
  .refine((code) => /^[A-Z]{3}$/.test(code) && currencies.has(code), { message: 'use an upper-case ISO 4217 code such as KRW, USD or THB' });

const modelList = z.array(z.string().min(1).max(200)).min(1, { message: 'list at least one model, or leave the field out to allow every model' }).max(1_000);

export const tenantInput = z
  .object({
    id: tenantId,
    displayName: z.string().min(1).max(200).optional(),
    jurisdictions: z.array(jurisdiction).min(1, { message: "list at least one jurisdiction this tenant's data may go to" }).max(300),
    homeJurisdiction: jurisdiction.optional(),
    models: modelList.optional(),
    limits: limitsInput.optional(),
    budgetCurrency: currency.optional(),
    contact: z.string().max(200).optional(),
    pii: piiPolicyInput.optional(),
    audit: tenantAuditInput.optional(),
    safety: safetyPolicyInput.optional(),
  })
  .strict()
  .superRefine((tenant, context) => {
    if (tenant.homeJurisdiction !== undefined && !tenant.jurisdictions.includes(tenant.homeJurisdiction)) {
      context.addIssue({ code: 'custom', path: ['homeJurisdiction'], message: `${tenant.homeJurisdiction} must also be one of the tenant's jurisdictions (${tenant.jurisdictions.join(', ')})` });
    }
  });

export type TenantInput = z.infer<typeof tenantInput>;

/** Thirty years: long enough for anything real, short enough that Date arithmetic stays sane. */
const maxDays = 3_650 * 3;

export const keyInput = z
  .object({
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\p{Cc}]*$/u, { message: 'must be one line of text without control characters' })
      .optional(),
    expiresAt: z.iso.datetime({ offset: true, message: 'use an ISO 8601 time such as 2027-01-31T00:00:00Z' }).optional(),
    expiresInDays: z.number().positive().max(maxDays).optional(),
    limits: limitsInput.optional(),
    models: modelList.optional(),
  })
  .strict()
  .superRefine((key, context) => {
    if (key.expiresAt !== undefined && key.expiresInDays !== undefined) {
      context.addIssue({ code: 'custom', path: ['expiresInDays'], message: 'give expiresAt or expiresInDays, not both' });
    }
  });

export type KeyInput = z.infer<typeof keyInput>;

export const rotateInput = z
  .object({
    /** How long the old key keeps working, so clients can switch without an outage. */
    graceSeconds: z.number().int().min(0).max(30 * 86_400).optional(),
    expiresAt: z.iso.datetime({ offset: true, message: 'use an ISO 8601 time such as 2027-01-31T00:00:00Z' }).optional(),
    expiresInDays: z.number().positive().max(maxDays).optional(),
  })
  .strict();

export type RotateInput = z.infer<typeof rotateInput>;

const day = z
  .string()
  .refine(isCalendarDay, { message: 'use a UTC day written YYYY-MM-DD, such as 2026-11-01' });

const groupBy = z.string().transform((text, context) => {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const allowed: readonly string[] = usageDimensions;
  for (const name of names) {
    if (!allowed.includes(name)) {
      context.addIssue({ code: 'custom', message: `"${name.slice(0, 40)}" is not a usage dimension; use ${usageDimensions.join(', ')} (comma-separated)` });
      return z.NEVER;
    }
  }
  if (new Set(names).size !== names.length) {
    context.addIssue({ code: 'custom', message: 'a dimension is listed twice' });
    return z.NEVER;
  }
  return names as typeof usageDimensions[number][];
});

export const usageInput = z
  .object({
    tenant: z.string().min(1).max(200).optional(),
    key: z.string().min(1).max(200).optional(),
    model: z.string().min(1).max(200).optional(),
    backend: z.string().min(1).max(200).optional(),
    from: day.optional(),
    to: day.optional(),
    groupBy: groupBy.optional(),
  })
  .strict()
  .superRefine((query, context) => {
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
      context.addIssue({ code: 'custom', path: ['to'], message: `${query.to} is before from (${query.from})` });
    }
  });

export type UsageInput = z.infer<typeof usageInput>;

function isCalendarDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  // Date rolls 2026-02-30 over to March; a real day survives the round trip.
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

/** Parses with `schema`, or throws `invalid_request` naming the first field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new NaraError('invalid_request', `The ${what} must be a JSON object.`);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // An unknown field explains the other complaints (a misspelt required field is also "missing").
  const issues = parsed.error.issues;
  throw issueError(issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0], schema, what);
}

function issueError(issue: z.core.$ZodIssue | undefined, schema: z.ZodType, what: string): NaraError {
  if (issue === undefined) return new NaraError('invalid_request', 'Invalid request.');
  const at = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0] ?? '';
    const param = at === '' ? name : `${at}.${name}`;
    const suggestion = closestName(name, knownFields(schema, issue.path));
    const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
    return new NaraError('invalid_request', `Unknown field '${param.slice(0, 100)}' in the ${what}${hint}.`, { param: param.slice(0, 100) });
  }
  if (at === '') return new NaraError('invalid_request', `Invalid request: ${issue.message}.`);
  return new NaraError('invalid_request', `Invalid '${at}': ${issue.message}.`, { param: at });
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** The field names an object schema knows at `path`, looking through optional/default/refine wrappers. */
function knownFields(schema: z.ZodType, path: readonly PropertyKey[]): readonly string[] {
  let node: unknown = schema;
  for (const segment of [...path, undefined]) {
    const shape = objectShape(node);
    if (shape === undefined) return [];
    if (segment === undefined) return Object.keys(shape);
    node = shape[String(segment)];
  }
  return [];
}

function objectShape(node: unknown): Record<string, unknown> | undefined {
  let current = node;
  for (let depth = 0; depth < 8 && current instanceof z.ZodType; depth += 1) {
    if (current instanceof z.ZodObject) return current.shape as Record<string, unknown>;
    const def = (current as z.ZodType).def as { innerType?: unknown; in?: unknown; schema?: unknown };
    current = def.innerType ?? def.in ?? def.schema;
  }
  return undefined;
}

