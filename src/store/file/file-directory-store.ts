/**
 * The embedded directory: tenants and API keys in JSON files under the data directory (see
 * directory-files.ts). Every change reads, edits and atomically rewrites the files under one lock,
 * so concurrent `nara` commands and a server never lose each other's writes. Reads take no lock:
 * each file is replaced whole by rename, so a reader sees one version or the next.
 */
import { mkdir, stat } from 'node:fs/promises';
import {
  DirectoryConflictError,
  type ApiKeyRecord,
  type DirectorySnapshot,
  type DirectoryStore,
  type TenantRecord,
  type TenantWrite,
} from '../../spec/directory.js';
import { directoryPaths, keyFile, keysFrom, revokedBy, tenantFile, tenantsFrom, type DirectoryPaths } from './directory-files.js';
import { readJsonFile, withLock, writeJsonFile } from './json-file.js';

interface Contents {
  tenants: TenantRecord[];
  keys: ApiKeyRecord[];
}

/** What an edit changed; only changed files are rewritten, so the version moves only on a change. */
interface Edit<T> {
  readonly result: T;
  readonly tenants?: TenantRecord[];
  readonly keys?: ApiKeyRecord[];
}

export class FileDirectoryStore implements DirectoryStore {
  private readonly paths: DirectoryPaths;

  constructor(dataDir: string) {
    this.paths = directoryPaths(dataDir);
  }

  async load(): Promise<DirectorySnapshot> {
    // The version is taken first: if a write lands in between, the next poll sees a newer one.
    const version = await this.version();
    const { tenants, keys } = await this.read();
    return { tenants, keys, version };
  }

  /** Inode and mtime of both files: a stat each, no read. Every write moves the mtime forward. */
  async version(): Promise<string> {
    const [keys, tenants] = await Promise.all([fileVersion(this.paths.keys), fileVersion(this.paths.tenants)]);
    return `${keys}/${tenants}`;
  }

  createTenant(tenant: TenantWrite, at: Date): Promise<TenantRecord> {
    return this.edit(({ tenants }) => {
      if (tenants.some((existing) => existing.id === tenant.id)) throw new DirectoryConflictError(`tenant "${tenant.id}" already exists`);
      const record: TenantRecord = { ...tenant, createdAt: at.toISOString(), updatedAt: at.toISOString() };
      return { result: record, tenants: [...tenants, record] };
    });
  }

  updateTenant(tenant: TenantWrite, at: Date): Promise<TenantRecord | undefined> {
    return this.edit(({ tenants }) => {
      const existing = tenants.find((candidate) => candidate.id === tenant.id);
      if (existing === undefined) return { result: undefined };
      const record: TenantRecord = { ...tenant, createdAt: existing.createdAt, updatedAt: at.toISOString() };
      return { result: record, tenants: tenants.map((candidate) => (candidate === existing ? record : candidate)) };
    });
  }

  deleteTenant(id: string, at: Date): Promise<boolean> {
    return this.edit(({ tenants, keys }) => {
      if (!tenants.some((tenant) => tenant.id === id)) return { result: false };
      const revokedAt = at.toISOString();
      return {
        result: true,
        tenants: tenants.filter((tenant) => tenant.id !== id),
        keys: keys.map((key) => (key.tenantId === id ? revokedBy(key, revokedAt) : key)),
      };
    });
  }

  addKey(key: ApiKeyRecord): Promise<void> {
    return this.edit(({ keys }) => {
      assertNewKey(keys, key);
      return { result: undefined, keys: [...keys, key] };
    });
  }

  revokeKey(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    return this.edit(({ keys }) => {
      const existing = keys.find((key) => key.id === id);
      if (existing === undefined) return { result: undefined };
      const revoked = revokedBy(existing, at.toISOString());
      if (revoked === existing) return { result: existing };
      return { result: revoked, keys: keys.map((key) => (key === existing ? revoked : key)) };
    });
  }

  rotateKey(oldId: string, replacement: ApiKeyRecord, revokeAt: Date): Promise<ApiKeyRecord | undefined> {
    return this.edit(({ keys }) => {
      const existing = keys.find((key) => key.id === oldId);
      if (existing === undefined) return { result: undefined };
      assertNewKey(keys, replacement);
      const revoked = revokedBy(existing, revokeAt.toISOString());
      return { result: revoked, keys: [...keys.map((key) => (key === existing ? revoked : key)), replacement] };
    });
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  private async read(): Promise<Contents> {
    const [keys, tenants] = await Promise.all([readJsonFile(this.paths.keys), readJsonFile(this.paths.tenants)]);
    return { keys: keysFrom(keys, this.paths.keys), tenants: tenantsFrom(tenants, this.paths.tenants) };
  }

  /** Reads both files, applies `change` and writes back what it changed, all under the lock. */
  private async edit<T>(change: (contents: Contents) => Edit<T>): Promise<T> {
    await mkdir(this.paths.dataDir, { recursive: true, mode: 0o700 });
    return withLock(this.paths.lock, async () => {
      const edit = change(await this.read());
      // Keys first: if the process dies between the two, a deleted tenant's keys are revoked
      // while the tenant remains, which is safe to retry; the reverse would leave live orphan keys.
      if (edit.keys !== undefined) await writeJsonFile(this.paths.keys, keyFile(edit.keys));
      if (edit.tenants !== undefined) await writeJsonFile(this.paths.tenants, tenantFile(edit.tenants));
      return edit.result;
    });
  }
}

function assertNewKey(keys: readonly ApiKeyRecord[], key: ApiKeyRecord): void {
  if (keys.some((existing) => existing.id === key.id)) throw new DirectoryConflictError(`key "${key.id}" already exists`);
  if (keys.some((existing) => existing.hash === key.hash)) throw new DirectoryConflictError(`a key with the same hash already exists (id "${key.id}")`);
}

async function fileVersion(path: string): Promise<string> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.ino}.${info.mtimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '0';
    throw error;
  }
}
