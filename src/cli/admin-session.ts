/**
 * What `nara tenants`, `nara keys` and `nara usage` share: the configuration and stores they work
 * on (no server needed), the AdminService over them, and the translation of its errors into exit
 * codes: a request the service refuses is a usage error (2), an unreachable store a runtime one (1).
 */
import { fallbackTenantDefaults } from '../config/tenants.js';
import { defaultPiiPolicy } from '../spec/pii-policy.js';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AdminService } from '../admin/admin-service.js';
import { openEmbeddedStores, openStores } from '../app/open-stores.js';
import { formatProblem, loadConfigFile } from '../config/load.js';
import type { NaraConfig, TenantConfig } from '../config/types.js';
import { NaraError } from '../spec/errors.js';
import { UsageError } from './cli-error.js';

export interface StoreFlags {
  readonly config?: string | undefined;
  readonly dataDir?: string | undefined;
}

export interface Io {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export interface AdminSession {
  readonly service: AdminService;
  /** undefined when no configuration file was found. */
  readonly config: NaraConfig | undefined;
  /** Where tenants and keys are kept, for messages. */
  readonly where: string;
  /**
   * Without a configuration file the CLI cannot see the tenants `nara serve` will be given (e.g.
   * "default" from --gguf); a tenant named on the command line is then taken on trust, as it always was.
   */
  assumeTenant(id: string): void;
}

/** Runs `work` on the stores and always closes them; service errors become exit codes. */
export async function withAdmin<T>(flags: StoreFlags, work: (session: AdminSession) => Promise<T>, flagNames: Readonly<Record<string, string>> = {}): Promise<T> {
  const config = readConfig(flags);
  const dataDir = resolve(flags.dataDir ?? config?.dataDir ?? process.env.NARA_DATA_DIR ?? '.nara');
  const assumed: TenantConfig[] = [];
  const stores =
    config === undefined
      ? openEmbeddedStores(dataDir)
      : await openStores({ ...config, dataDir }).catch((error: unknown) => {
          throw cliError(error, flagNames);
        });
  const service = new AdminService({ directory: stores.directory, ledger: stores.ledger, configTenants: () => [...(config?.tenants ?? []), ...assumed] });
  const session: AdminSession = {
    service,
    config,
    where: config?.databaseUrl === undefined ? dataDir : 'the database',
    assumeTenant(id) {
      assumed.push({ id, displayName: undefined, jurisdictions: new Set(), models: undefined, homeJurisdiction: undefined, contact: undefined, limits: {}, budgetCurrency: undefined, pii: defaultPiiPolicy, piiInput: undefined, audit: fallbackTenantDefaults.audit, auditInput: undefined, safety: fallbackTenantDefaults.safety, safetyInput: undefined, managedBy: 'config' });
    },
  };
  try {
    return await work(session);
  } catch (error) {
    throw cliError(error, flagNames);
  } finally {
    await stores.close();
  }
}

/** --config, then $NARA_CONFIG, then ./nara.yaml; engine secrets are not needed to manage keys. */
export function readConfig(flags: StoreFlags): NaraConfig | undefined {
  const file = flags.config ?? process.env.NARA_CONFIG ?? (existsSync('nara.yaml') ? 'nara.yaml' : undefined);
  if (file === undefined || file === '') return undefined;
  const result = loadConfigFile(file, { requireSecrets: false });
  if (result.config === undefined) {
    throw new UsageError(`Invalid configuration:\n${result.errors.map((problem) => `  ${formatProblem(problem)}`).join('\n')}`);
  }
  return result.config;
}

/** The service's refusals name a field ("limits.requestsPerMinute"); people typed a flag (--rpm). */
function cliError(error: unknown, flagNames: Readonly<Record<string, string>>): unknown {
  if (!(error instanceof NaraError)) return error;
  // "jurisdictions[1]" was typed as --jurisdictions.
  const flag = error.param === undefined ? undefined : (flagNames[error.param] ?? flagNames[error.param.replace(/\[\d+\]/g, '')]);
  const message = flag === undefined ? error.message : `${error.message} (${flag})`;
  return error.status < 500 ? new UsageError(message) : new Error(message, { cause: error });
}

/** A JSON object from a file, or from stdin for "-". */
export function readJsonObject(source: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${source === '-' ? 'stdin' : source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${source === '-' ? 'stdin' : source} is not valid JSON.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${source === '-' ? 'stdin' : source} must hold a JSON object.`);
  return parsed as Record<string, unknown>;
}

export interface LimitFlags {
  readonly rpm?: string | undefined;
  readonly tpm?: string | undefined;
  readonly concurrency?: string | undefined;
  readonly tokensPerDay?: string | undefined;
  readonly tokensPerMonth?: string | undefined;
  readonly costPerDay?: string | undefined;
  readonly costPerMonth?: string | undefined;
}

const limitFlags = [
  ['rpm', 'requestsPerMinute', '--rpm'],
  ['tpm', 'tokensPerMinute', '--tpm'],
  ['concurrency', 'concurrentRequests', '--concurrency'],
  ['tokensPerDay', 'tokensPerDay', '--tokens-per-day'],
  ['tokensPerMonth', 'tokensPerMonth', '--tokens-per-month'],
  ['costPerDay', 'costPerDay', '--cost-per-day'],
  ['costPerMonth', 'costPerMonth', '--cost-per-month'],
] as const;

/** Field → flag, for error messages. */
export const limitFlagNames: Readonly<Record<string, string>> = Object.fromEntries(limitFlags.map(([, field, flag]) => [`limits.${field}`, flag]));

/** The limits given as flags, or undefined when none was. */
export function limitsFromFlags(flags: LimitFlags): Record<string, number> | undefined {
  const limits: Record<string, number> = {};
  for (const [name, field, flag] of limitFlags) {
    const text = flags[name];
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag} must be a number, not "${text}".`);
    limits[field] = value;
  }
  return Object.keys(limits).length === 0 ? undefined : limits;
}

export function listFlag(text: string | undefined): string[] | undefined {
  return text?.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

export function numberFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag} must be a number, not "${text}".`);
  return value;
}

/** Tab-separated, like `nara keys list` has always printed: easy to cut and awk. */
export function writeTable(io: Io, header: readonly string[], rows: readonly (readonly string[])[]): void {
  io.out.write(`${header.join('\t')}\n`);
  for (const row of rows) io.out.write(`${row.join('\t')}\n`);
}

export function writeJson(io: Io, value: unknown): void {
  io.out.write(`${JSON.stringify(value, null, 2)}\n`);
}
