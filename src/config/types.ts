/**
 * The configuration after parsing, normalising and checking: what the rest of Nara reads.
 * Immutable; a reload builds a new one.
 */
import type { LimitSet } from '../spec/limits.js';
import type { PiiMode, PiiPolicy, PiiPolicyInput } from '../spec/pii-policy.js';
import type { SafetyPolicy } from '../safety/safety-policy.js';
import type { SafetyPolicyInput } from './safety-schema.js';
import type { AuditContentMode } from '../spec/audit.js';
import type { TenantRecord } from '../spec/directory.js';
import type { RawConfig } from './schema.js';

export interface ModelMapping {
  /** The name clients ask for. */
  readonly name: string;
  /** The engine's own name for it. */
  readonly upstream: string;
}

interface BackendCommon {
  readonly id: string;
  /** Upper-case ISO 3166-1 alpha-2. */
  readonly jurisdiction: string;
  readonly models: readonly ModelMapping[];
  readonly region: string | undefined;
  readonly operator: string | undefined;
  readonly accelerator: string | undefined;
  readonly weight: number;
  readonly maxConcurrency: number;
  readonly cost: { readonly inputPer1M: number; readonly outputPer1M: number; readonly currency: string };
  readonly timeouts: { readonly connectMs: number; readonly firstByteMs: number; readonly idleMs: number };
  /** How tokens are counted when the engine reports no usage. */
  readonly tokenizer: 'estimate' | 'cl100k_base' | 'o200k_base';
  /** Least PII handling for requests to this back end (`backends[].pii.mode`). */
  readonly piiFloor: PiiMode;
}

export interface HttpBackendConfig extends BackendCommon {
  readonly kind: 'http';
  /** Base URL without a trailing slash, e.g. http://10.1.2.3:8000/v1. */
  readonly url: string;
  /** Headers to send, secrets already read from the environment. Never log these. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface GgufBackendConfig extends BackendCommon {
  readonly kind: 'gguf';
  /** Absolute path of the GGUF file. */
  readonly ggufPath: string;
  readonly contextSize: number;
  readonly gpu: 'auto' | 'cpu';
}

export type BackendConfig = HttpBackendConfig | GgufBackendConfig;

export interface TenantConfig {
  readonly id: string;
  readonly displayName: string | undefined;
  /** Upper-case ISO 3166-1 alpha-2 codes. */
  readonly jurisdictions: ReadonlySet<string>;
  readonly models: ReadonlySet<string> | undefined;
  readonly homeJurisdiction: string | undefined;
  readonly contact: string | undefined;
  /** Limits of the whole tenant (all its keys together). */
  readonly limits: LimitSet;
  readonly budgetCurrency: string | undefined;
  /** The PII policy in force: the configuration's defaults with the tenant's own fields over them. */
  readonly pii: PiiPolicy;
  /** The tenant's own PII fields as written, to show and edit them. */
  readonly piiInput: PiiPolicyInput | undefined;
  /** What the tenant's audit events keep, and for how long (defaults filled in). */
  readonly audit: { readonly content: AuditContentMode; readonly retentionDays: number; readonly embedProvenance: boolean };
  readonly auditInput: TenantRecord['audit'];
  /** Safety guardrails: nara.yaml's top-level \`safety\` with the tenant's own block (from nara.yaml or the admin API) over it. */
  readonly safety: SafetyPolicy;
  /** The tenant's own safety block as written, if any (shown back by the admin API). */
  readonly safetyInput: SafetyPolicyInput | undefined;
  /** "config": declared in nara.yaml, read-only through the admin API. "admin": created through it. */
  readonly managedBy: 'config' | 'admin';
}

export interface NaraConfig {
  /** Where the config came from, for messages ("<flags>" when built from command-line flags). */
  readonly source: string;
  readonly server: RawConfig['server'];
  /** Absolute. */
  readonly dataDir: string;
  readonly logging: RawConfig['logging'];
  readonly egress: RawConfig['egress'];
  readonly routing: RawConfig['routing'];
  /** PostgreSQL URL (secret already read from the environment), or undefined for the embedded store. Never log it. */
  readonly databaseUrl: string | undefined;
  /** Redis URL for shared limiters, or undefined for in-process ones. Never log it. */
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly redisConcurrencyLeaseMs: number;
  /** The admin token, or undefined when the admin API is off. Never log it. */
  readonly adminToken: string | undefined;
  readonly adminTokenEnv: string;
  readonly console: Omit<RawConfig['console'], 'evalRunsDir' | 'oidc'> & {
    /** Absolute. */
    readonly evalRunsDir: string;
    readonly oidc: (NonNullable<RawConfig['console']['oidc']> & { readonly clientSecret: string | undefined }) | undefined;
  };
  readonly limits: RawConfig['limits'];
  readonly metering: RawConfig['metering'];
  readonly audit: Omit<RawConfig['audit'], 'dir'> & {
    /** Absolute. */
    readonly dir: string;
  };
  readonly pii: {
    /** What a tenant without a policy of its own gets. */
    readonly defaults: PiiPolicy;
    /** Key for tenant-scoped surrogates (from `pii.secretEnv`); undefined: random per process. Never log it. */
    readonly secret: string | undefined;
  };
  readonly safety: {
    /** The top-level block as written, which tenants' own blocks go over. */
    readonly input: SafetyPolicyInput;
    /** What a tenant without a block of its own gets. */
    readonly defaults: SafetyPolicy;
  };
  readonly backends: readonly BackendConfig[];
  readonly tenants: readonly TenantConfig[];
}

export interface ConfigProblem {
  /** File, with line and column when known: "nara.yaml:12:5". */
  readonly where: string;
  /** Dotted path of the offending field: "backends[1].jurisdiction". */
  readonly path: string;
  readonly message: string;
  /** What to change. */
  readonly fix: string;
}

export interface ConfigResult {
  readonly config: NaraConfig | undefined;
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
}
