/**
 * The embedded directory's files: `keys.json` (the format `nara keys` has always written; newer key
 * fields simply appear in it) and `tenants.json`, both `{version: 1, ...}`. One lock covers both, so
 * that deleting a tenant and revoking its keys is one step.
 */
import { join } from 'node:path';
import type { ApiKeyRecord, TenantRecord } from '../../spec/directory.js';

export interface KeyFile {
  readonly version: 1;
  readonly keys: ApiKeyRecord[];
}

export interface TenantFile {
  readonly version: 1;
  readonly tenants: TenantRecord[];
}

export interface DirectoryPaths {
  readonly dataDir: string;
  readonly keys: string;
  readonly tenants: string;
  /** Named after the key file because `nara keys` of earlier versions take this same lock. */
  readonly lock: string;
}

export function directoryPaths(dataDir: string): DirectoryPaths {
  const keys = join(dataDir, 'keys.json');
  return { dataDir, keys, tenants: join(dataDir, 'tenants.json'), lock: `${keys}.lock` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys in a parsed key file; [] when the file does not exist (undefined). */
export function keysFrom(parsed: unknown, path: string): ApiKeyRecord[] {
  if (parsed === undefined) return [];
  if (!isObject(parsed) || parsed.version !== 1 || !Array.isArray(parsed.keys)) {
    throw new Error(`${path} is not a Nara key file (version 1)`);
  }
  return parsed.keys as ApiKeyRecord[];
}

export function tenantsFrom(parsed: unknown, path: string): TenantRecord[] {
  if (parsed === undefined) return [];
  if (!isObject(parsed) || parsed.version !== 1 || !Array.isArray(parsed.tenants)) {
    throw new Error(`${path} is not a Nara tenant file (version 1)`);
  }
  return parsed.tenants as TenantRecord[];
}

export function keyFile(keys: ApiKeyRecord[]): KeyFile {
  return { version: 1, keys };
}

export function tenantFile(tenants: TenantRecord[]): TenantFile {
  return { version: 1, tenants };
}

/**
 * `at` if it revokes the key sooner than it is already revoked, else the key as it is. A key whose
 * revokedAt lies in the future (a rotation's grace period) is still active until then, so revoking
 * it now must bring that instant forward, never push it back.
 */
export function revokedBy<K extends ApiKeyRecord>(key: K, at: string): K {
  if (key.revokedAt !== undefined && Date.parse(key.revokedAt) <= Date.parse(at)) return key;
  return { ...key, revokedAt: at };
}
