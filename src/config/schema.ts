/**
 * The shape of `nara.yaml`, as written by an operator. Defaults live here so that the JSON Schema
 * generated for editors shows them. Cross-field rules (unique ids, known jurisdictions, egress
 * allow-list) live in `rules.ts`; this file only says what each field may hold.
 */
import { z } from 'zod';
import { consoleSchema } from './console-schema.js';
import { backendPiiInput, piiDefaultsInput, piiPolicyInput } from './pii-schema.js';
import { safetyDefaultsInput, safetyPolicyInput } from './safety-schema.js';
import { auditInput, tenantAuditInput } from './audit-schema.js';

const identifier = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
    message: 'use 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
  });

const jurisdiction = z
  .string()
  .regex(/^[A-Za-z]{2}$/, { message: 'use an ISO 3166-1 alpha-2 country code such as KR, TH or SA' })
  .describe('ISO 3166-1 alpha-2 country code where the engine runs, e.g. KR.');

const secretValue = z.union([
  z.string().describe('A literal header value (not for secrets: use { env: NAME }).'),
  z
    .object({ env: z.string().min(1).describe('Environment variable holding the value.') })
    .strict(),
]);

const modelEntry = z.union([
  z.string().min(1).describe('A model name the engine serves, exposed under the same name.'),
  z
    .object({
      name: z.string().min(1).describe('The name clients ask for.'),
      upstream: z.string().min(1).describe("The engine's own name for the model."),
    })
    .strict(),
]);

const timeouts = z
  .object({
    connectMs: z.number().int().positive().default(2_000).describe('TCP connect timeout.'),
    firstByteMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe('Time allowed until the engine sends response headers; retried on another back end.'),
    idleMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('Longest silence allowed between two body chunks (a stalled stream ends with an error).'),
  })
  .strict()
  .prefault({});

const backend = z
  .object({
    id: identifier.describe('Unique back-end id; shown in the x-nara-backend header.'),
    url: z
      .string()
      .optional()
      .describe('Base URL of an OpenAI-compatible engine, ending in /v1 (vLLM, TGI, Ollama, NIM, SGLang).'),
    gguf: z
      .string()
      .optional()
      .describe('Path of a GGUF model served in-process by llama.cpp (relative to the config file).'),
    jurisdiction,
    models: z.array(modelEntry).min(1, { message: 'list at least one model name' }),
    region: z.string().optional().describe('Region or site, e.g. seoul-1.'),
    operator: z.string().optional().describe('Who operates the engine.'),
    accelerator: z.string().optional().describe('e.g. H100, Gaudi 3, CPU.'),
    weight: z.number().positive().default(1).describe('Relative share of traffic among equal candidates.'),
    maxConcurrency: z
      .number()
      .int()
      .positive()
      .default(256)
      .describe('Most requests in flight to this back end; more are routed elsewhere or refused (503).'),
    cost: z
      .object({
        inputPer1M: z.number().nonnegative().default(0),
        outputPer1M: z.number().nonnegative().default(0),
        currency: z.string().length(3).default('USD'),
      })
      .strict()
      .prefault({})
      .describe('Price per million input/output tokens.'),
    timeouts,
    apiKeyEnv: z
      .string()
      .optional()
      .describe('Environment variable holding the engine API key (sent as Authorization: Bearer).'),
    headers: z
      .record(z.string(), secretValue)
      .default({})
      .describe('Extra headers sent to the engine; use { env: NAME } for secrets.'),
    contextSize: z
      .number()
      .int()
      .positive()
      .default(4096)
      .describe('Embedded engine only: context window per sequence.'),
    tokenizer: z
      .enum(['estimate', 'cl100k_base', 'o200k_base'])
      .default('estimate')
      .describe('How to count tokens when the engine reports no usage: a tiktoken encoding, or an estimate (4 bytes a token).'),
    gpu: z
      .enum(['auto', 'cpu'])
      .default('auto')
      .describe('Embedded engine only: use a GPU when one is present (auto) or force CPU.'),
    pii: backendPiiInput.describe('Least PII handling for every request sent to this back end, whatever the tenant asks.'),
  })
  .strict();

/**
 * An amount of money as a budget: counted in whole micro-units (millionths), so at least 0.000001;
 * at most 9 billion units, so that micro-units stay exact in a JavaScript number.
 */
const money = z
  .number()
  .min(0.000001, { message: 'must be at least 0.000001 (budgets are counted in millionths of the currency)' })
  .max(9_000_000_000, { message: 'must be at most 9,000,000,000 (larger sums would not stay exact)' });

/**
 * Limits as an operator writes them (cost in currency units); normalised to a LimitSet with cost in
 * micro-units. Shared by nara.yaml tenants, the admin API and the CLI.
 */
export const limitsInput = z
  .object({
    requestsPerMinute: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('Requests per UTC minute.'),
    tokensPerMinute: z
      .number()
      .int()
      .positive()
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .describe('Prompt + completion tokens per UTC minute (a request holds its most until it ends).'),
    concurrentRequests: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('Requests in flight at once.'),
    tokensPerDay: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('Token budget per UTC day.'),
    tokensPerMonth: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('Token budget per UTC month.'),
    costPerDay: money.optional().describe('Spending budget per UTC day, in budgetCurrency.'),
    costPerMonth: money.optional().describe('Spending budget per UTC month, in budgetCurrency.'),
  })
  .strict();

const tenant = z
  .object({
    id: identifier.describe('Unique tenant id; API keys belong to one tenant.'),
    displayName: z.string().optional(),
    jurisdictions: z
      .array(jurisdiction)
      .min(1, { message: "list at least one jurisdiction this tenant's data may go to" })
      .describe("Where this tenant's data may be sent. Nothing else is ever tried."),
    models: z
      .array(z.string().min(1))
      .optional()
      .describe('Optional allow-list of model names; absent means every model in its jurisdictions.'),
    homeJurisdiction: jurisdiction.optional().describe("The tenant's own country; must be one of its jurisdictions."),
    contact: z.string().max(200).optional().describe('Who to call about this tenant, e.g. an e-mail address.'),
    limits: limitsInput.default({}).describe('Rate limits and budgets for the whole tenant (all its keys together).'),
    budgetCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/, { message: 'use an ISO 4217 code such as KRW, USD or THB' })
      .optional()
      .describe('Currency of costPerDay/costPerMonth; defaults to the back ends\' currency.'),
    pii: piiPolicyInput.optional().describe("This tenant's personal-data policy; fields it leaves out come from the top-level pii."),
    audit: tenantAuditInput.optional().describe("What this tenant's audit events keep, and for how long."),
    safety: safetyPolicyInput.optional().describe("This tenant's safety guardrails; fields it leaves out come from the top-level safety, categories and rules are added to it."),
  })
  .strict();

const secretUrl = z.union([
  z.string().min(1).describe('The URL itself (avoid literal passwords: use { env: NAME }).'),
  z.object({ env: z.string().min(1).describe('Environment variable holding the URL.') }).strict(),
]);

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8080),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024)
          .describe('Largest request body accepted; larger bodies get 413.'),
        clientStallMs: z
          .number()
          .int()
          .positive()
          .default(60_000)
          .describe('A streaming client that reads nothing for this long is disconnected, freeing its engine slot.'),
        shutdownGraceMs: z
          .number()
          .int()
          .nonnegative()
          .default(10_000)
          .describe('How long in-flight requests may finish after SIGTERM.'),
      })
      .strict()
      .prefault({}),
    dataDir: z
      .string()
      .default('.nara')
      .describe('Where the embedded store keeps API keys (relative paths start at the config file).'),
    logging: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        requests: z.boolean().default(true).describe('One JSON line per request (never prompt text).'),
        debugBodies: z
          .boolean()
          .default(false)
          .describe('Log prompt and answer text at debug level. Off unless you explicitly need it.'),
      })
      .strict()
      .prefault({}),
    egress: z
      .object({
        allowHosts: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'If not empty, every engine URL host must match one entry: a host name, a wildcard such as *.svc.cluster.local, or a CIDR range such as 10.0.0.0/8.',
          ),
      })
      .strict()
      .prefault({}),
    routing: z
      .object({
        maxAttempts: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(3)
          .describe('Attempts per request across allowed candidates (first try included).'),
        circuitBreaker: z
          .object({
            failureThreshold: z.number().int().positive().default(5),
            cooldownMs: z.number().int().positive().default(10_000),
          })
          .strict()
          .prefault({}),
        healthCheck: z
          .object({
            intervalMs: z.number().int().min(0).default(10_000).describe('0 turns probing off.'),
            timeoutMs: z.number().int().positive().default(2_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        url: secretUrl.optional().describe('postgres://… to keep tenants, keys and usage in PostgreSQL; absent keeps them in dataDir.'),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        url: secretUrl.optional().describe('redis://… to share rate limiters and concurrency counters between replicas.'),
        keyPrefix: z
          .string()
          .min(1)
          .default('nara:')
          .describe('Prefix of every Redis key Nara writes, so several deployments can share one Redis.'),
        concurrencyLeaseMs: z
          .number()
          .int()
          .positive()
          .default(600_000)
          .describe('How long a concurrency slot is held for a request never settled (a replica that died); longer than your longest request.'),
      })
      .strict()
      .prefault({}),
    console: consoleSchema,
    admin: z
      .object({
        tokenEnv: z
          .string()
          .min(1)
          .default('NARA_ADMIN_TOKEN')
          .describe('Environment variable holding the admin token for /admin; unset turns the admin API off.'),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        failOpen: z
          .array(z.enum(['requestsPerMinute', 'tokensPerMinute', 'concurrentRequests', 'budgets']))
          .default([])
          .describe('Limits that let requests through when Redis is unreachable; every other limit fails closed (503).'),
        defaultMaxTokens: z
          .number()
          .int()
          .positive()
          .default(1024)
          .describe('Completion tokens held against token limits for a request that sets no max_tokens.'),
      })
      .strict()
      .prefault({}),
    metering: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Record one usage row per request. Off only for measuring the cost of metering itself: budgets need it.'),
        flushIntervalMs: z
          .number()
          .int()
          .positive()
          .default(1_000)
          .describe('How often usage records are written (the most a crash can lose).'),
        batchSize: z.number().int().positive().default(500).describe('Usage records written at once, at most.'),
      })
      .strict()
      .prefault({}),
    pii: piiDefaultsInput.describe('Personal-data handling every tenant starts from (default: off).'),
    audit: auditInput.describe('The tamper-evident audit log and its signed checkpoints.'),
    safety: safetyDefaultsInput.describe('Safety guardrails every tenant starts from (default: monitor with the built-in term lists: checked and recorded, nothing refused).'),
    backends: z.array(backend).min(1, { message: 'configure at least one back end' }),
    tenants: z.array(tenant).default([]),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;
export type RawBackend = z.infer<typeof backend>;
export type RawTenant = z.infer<typeof tenant>;
