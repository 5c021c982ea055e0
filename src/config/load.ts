/**
 * Configuration is read once: YAML → schema → rules → normalise, giving `{config, errors, warnings}`.
 * Nothing else in Nara parses configuration.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { configSchema, type RawConfig } from './schema.js';
import { checkRules } from './rules.js';
import { closestField } from './field-names.js';
import { formatPath, readYaml, type PathSegment } from './yaml-source.js';
import { tenantFromRecord, toLimitSet } from './tenants.js';
import { defaultPiiPolicy } from '../spec/pii-policy.js';
import { mergePiiPolicy } from '../policy/pii-policy.js';
import { compileSafetyPolicy } from './safety-policy.js';
import { safetyMessages } from './safety-data.js';
import type { BackendConfig, ConfigProblem, ConfigResult, NaraConfig } from './types.js';

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths in the config start from; defaults to the file's directory. */
  readonly baseDir?: string;
  /** Whether engine secrets named in the config must be set in the environment (default true). */
  readonly requireSecrets?: boolean;
  /**
   * Whether database.url / redis.url given as { env } must be set (default true). Only
   * `nara config check --no-secrets` turns it off: every other command needs the store it names.
   */
  readonly requireStoreSecrets?: boolean;
}

export function loadConfigFile(fileName: string, options: LoadOptions = {}): ConfigResult {
  let text: string;
  try {
    text = readFileSync(fileName, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    return failure({ where: fileName, path: '(file)', message: `cannot read config: ${reason}`, fix: 'check the path (relative paths start at the current directory)' });
  }
  return loadConfigText(fileName, text, { baseDir: dirname(resolve(fileName)), ...options });
}

export function loadConfigText(fileName: string, text: string, options: LoadOptions = {}): ConfigResult {
  const source = readYaml(fileName, text);
  if (source.syntaxErrors.length > 0) {
    return {
      config: undefined,
      errors: source.syntaxErrors.map((e) => ({ where: e.where, path: '(yaml)', message: e.message, fix: 'correct the YAML syntax' })),
      warnings: [],
    };
  }
  return loadConfigValue(fileName, source.value ?? {}, { ...options, locate: source.locate });
}

/** Used for configs built from command-line flags, and by `loadConfigText`. */
export function loadConfigValue(
  fileName: string,
  value: unknown,
  options: LoadOptions & { locate?: (path: readonly PathSegment[]) => string } = {},
): ConfigResult {
  const locate = options.locate ?? (() => fileName);
  const env = options.env ?? process.env;
  const baseDir = options.baseDir ?? process.cwd();

  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    return { config: undefined, errors: parsed.error.issues.flatMap((issue) => schemaProblems(issue, value, locate)), warnings: [] };
  }
  const resolvePath = (path: string) => resolve(baseDir, path);
  const report = checkRules(parsed.data, { locate, env, fileExists: existsSync, resolvePath, requireSecrets: options.requireSecrets ?? true, requireStoreSecrets: options.requireStoreSecrets ?? true });
  if (report.errors.length > 0) return { config: undefined, ...report };
  return { config: normalise(fileName, parsed.data, env, resolvePath), ...report };
}

function normalise(
  source: string,
  raw: RawConfig,
  env: Readonly<Record<string, string | undefined>>,
  resolvePath: (path: string) => string,
): NaraConfig {
  const backends = raw.backends.map((backend): BackendConfig => {
    const common = {
      id: backend.id,
      jurisdiction: backend.jurisdiction.toUpperCase(),
      models: backend.models.map((model) =>
        typeof model === 'string' ? { name: model, upstream: model } : { name: model.name, upstream: model.upstream },
      ),
      region: backend.region,
      operator: backend.operator,
      accelerator: backend.accelerator,
      weight: backend.weight,
      maxConcurrency: backend.maxConcurrency,
      cost: backend.cost,
      timeouts: backend.timeouts,
      tokenizer: backend.tokenizer,
      piiFloor: backend.pii.mode,
    };
    if (backend.gguf !== undefined) {
      return { ...common, kind: 'gguf', ggufPath: resolvePath(backend.gguf), contextSize: backend.contextSize, gpu: backend.gpu };
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(backend.headers)) {
      headers[name.toLowerCase()] = typeof value === 'string' ? value : (env[value.env] ?? '');
    }
    if (backend.apiKeyEnv !== undefined) headers.authorization = `Bearer ${env[backend.apiKeyEnv] ?? ''}`;
    return { ...common, kind: 'http', url: (backend.url ?? '').replace(/\/+$/, ''), headers };
  });
  const { secretEnv, ...piiFields } = raw.pii;
  const piiDefaults = mergePiiPolicy(defaultPiiPolicy, piiFields);
  const audit = { ...raw.audit, dir: resolvePath(raw.audit.dir ?? join(raw.dataDir, 'audit')), signingKeyFile: raw.audit.signingKeyFile === undefined ? undefined : resolvePath(raw.audit.signingKeyFile) };
  const messages = safetyMessages();
  const safetyDefaults = compileSafetyPolicy(raw.safety, undefined, messages);
  const defaults = { currency: backends[0]?.cost.currency, pii: piiDefaults, audit: { content: raw.audit.content, retentionDays: raw.audit.retentionDays, embedProvenance: raw.audit.embedProvenance }, safety: safetyDefaults, safetyInput: raw.safety };
  return {
    source,
    server: raw.server,
    dataDir: resolvePath(raw.dataDir),
    logging: raw.logging,
    egress: raw.egress,
    routing: raw.routing,
    databaseUrl: secretValue(raw.database.url, env),
    redisUrl: secretValue(raw.redis.url, env),
    redisKeyPrefix: raw.redis.keyPrefix,
    redisConcurrencyLeaseMs: raw.redis.concurrencyLeaseMs,
    adminToken: env[raw.admin.tokenEnv] === '' ? undefined : env[raw.admin.tokenEnv],
    adminTokenEnv: raw.admin.tokenEnv,
    console: {
      ...raw.console,
      evalRunsDir: resolvePath(raw.console.evalRunsDir ?? join(raw.dataDir, 'eval-runs')),
      oidc: raw.console.oidc === undefined ? undefined : { ...raw.console.oidc, clientSecret: raw.console.oidc.clientSecretEnv === undefined ? undefined : env[raw.console.oidc.clientSecretEnv] || undefined },
    },
    limits: raw.limits,
    metering: raw.metering,
    audit,
    pii: { defaults: piiDefaults, secret: secretEnv === undefined ? undefined : secretValue({ env: secretEnv }, env) },
    safety: { input: raw.safety, defaults: safetyDefaults },
    backends,
    tenants: raw.tenants.map((tenant) =>
      tenantFromRecord(
        {
          id: tenant.id,
          displayName: tenant.displayName,
          jurisdictions: tenant.jurisdictions,
          models: tenant.models,
          homeJurisdiction: tenant.homeJurisdiction,
          contact: tenant.contact,
          limits: toLimitSet(tenant.limits),
          budgetCurrency: tenant.budgetCurrency,
          pii: tenant.pii,
          audit: tenant.audit,
          safety: tenant.safety,
        },
        'config',
        defaults,
      ),
    ),
  };
}

function secretValue(value: string | { env: string } | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : env[value.env];
  return text === '' ? undefined : text;
}

/** Schema issues as problems an operator can act on; an issue can name several unknown keys. */
function schemaProblems(issue: z.core.$ZodIssue, value: unknown, locate: (path: readonly PathSegment[]) => string): ConfigProblem[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  const shown = formatPath(path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = closestField(key);
      return {
        where: locate([...path, key]),
        path: formatPath([...path, key]),
        message: `unknown field "${key}"`,
        fix: suggestion === undefined ? 'remove it, or check the spelling against schema/nara.schema.json' : `did you mean "${suggestion}"?`,
      };
    });
  }
  if (issue.code === 'invalid_type') {
    const missing = valueAt(value, path) === undefined;
    return [
      {
        where: locate(path),
        path: shown,
        message: missing ? 'required field is missing' : `expected ${issue.expected}`,
        fix: missing ? `add ${shown}` : `write a ${issue.expected} here`,
      },
    ];
  }
  if (issue.code === 'invalid_format') {
    // Our format messages say what to write ("use an ISO 3166-1 alpha-2 code such as KR"): show the value too.
    return [{ where: locate(path), path: shown, message: `${JSON.stringify(valueAt(value, path))} is not valid here`, fix: issue.message }];
  }
  return [{ where: locate(path), path: shown, message: issue.message, fix: 'see schema/nara.schema.json for allowed values' }];
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function failure(problem: ConfigProblem): ConfigResult {
  return { config: undefined, errors: [problem], warnings: [] };
}

/** "nara.yaml:3:5 backends[0].jurisdiction: ... (fix: ...)" */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.where} ${problem.path}: ${problem.message} (fix: ${problem.fix})`;
}
